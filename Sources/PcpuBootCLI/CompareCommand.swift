import ArgumentParser
import Foundation
import PercpuBoot

/// `pcpu-boot compare PLATFORM PLATFORM...`: layouts side by side.
struct CompareCommand: OutputCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Boot several platforms and show their per-CPU layouts side by side, differences marked.",
        discussion: "Each PLATFORM is a file or bundled name, optionally with @KERNEL (arm64-4node@6.1).")

    @Argument(help: ArgumentHelp("Two or more platforms.", valueName: "platform"))
    var platforms: [String]

    func execute() -> CommandOutput {
        guard platforms.count >= 2 else { return .inputError("compare needs at least two platforms") }
        var results: [(String, BootResult)] = []
        for spec in platforms {
            var options = MachineRequest()
            let parts = spec.split(separator: "@", maxSplits: 1).map(String.init)
            options.platform = parts[0]
            if parts.count == 2 { options.kernel = parts[1] }
            let prepared: PreparedBoot
            switch options.prepare() {
            case .success(let p): prepared = p
            case .failure(let output): return output
            }
            do { results.append((spec, try Boot.run(prepared.platform, memblockLog: prepared.memblockLog, dynamicDebug: false))) } catch {
                return .bootFailure(error, subject: spec)
            }
        }
        return CommandOutput(stdout: CompareReport.render(results))
    }
}
