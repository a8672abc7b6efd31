import ArgumentParser
import Foundation
import PercpuBoot

/// `pcpu-boot check LOG`: replay a real boot log and report every line that differs.
struct CheckCommand: OutputCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Replay a real memblock=debug boot log and report every per-CPU line that differs.",
        discussion: "Reads the log's command line, kernel version and static per-CPU size, boots the machine "
            + "(from --dtb, or a platform file given with --platform) with memblock started from the log's "
            + "MEMBLOCK configuration dump, and compares the percpu:/pcpu-alloc: lines and the memblock "
            + "trace of the per-CPU setup. Exit status 0 when everything matches, 1 when something differs.")

    @Argument(help: ArgumentHelp("A real boot log (serial console or dmesg) taken with memblock=debug.", valueName: "log"))
    var logPath: String

    @Option(help: ArgumentHelp("The machine's flattened device tree.", valueName: "file"))
    var dtb: String?

    @Option(help: ArgumentHelp("A platform file or bundled name describing the machine instead of --dtb.", valueName: "platform"))
    var platform: String?

    @Option(name: .customLong("nr-cpus"), help: ArgumentHelp("CONFIG_NR_CPUS of the kernel that booted (default: the architecture's).", valueName: "n"))
    var nrCPUs: String?

    @Option(help: ArgumentHelp("Kernel profile of the kernel that booted (default: from the log's 'Linux version', else 6.8).",
                               valueName: "5.10|6.1|6.8|6.12"))
    var kernel: String?

    func execute() -> CommandOutput {
        let text: String
        do throws(InputError) { text = try InputFile.text(logPath, what: "boot log") } catch {
            return .inputError(error.description)
        }
        let real = RealBootLog(text: text)
        guard let arch = real.architecture else {
            return .inputError("\(logPath): cannot tell the architecture from the log (no 'Booting Linux on physical CPU' or x86 lines)")
        }
        guard let (staticSize, staticLine) = real.staticSizeLine else {
            return .inputError("\(logPath): the log has no 'percpu:' line with the static size")
        }
        guard staticSize > 0, staticSize < 1 << 30 else {
            return .inputError("\(logPath):\(staticLine + 1): the 'percpu:' line says s\(staticSize) (expected a static per-CPU size between 1 and 1G)")
        }
        var notes: [String] = []
        let logVersion = real.kernelVersion
        if kernel == nil && logVersion == nil {
            notes.append("\(logPath): no 'Linux version' line; replaying with the 6.8 profile (give --kernel to choose)")
        }
        var options = try! MachineOptions.parse([])
        options.platform = platform
        options.dtb = dtb
        if platform == nil { options.arch = arch.rawValue }
        options.kernel = kernel ?? (logVersion ?? .v6_8).rawValue
        options.staticSize = String(staticSize)
        options.nrCPUs = nrCPUs
        options.cmdline = real.commandLine ?? ""
        options.memblockFrom = logPath
        let prepared: PreparedBoot
        switch options.prepare() {
        case .success(let p): prepared = p
        case .failure(let output): return output
        }
        notes += prepared.notes
        if prepared.platform.arch != arch {
            return .inputError("\(logPath): the log is of an \(arch.rawValue) boot (\(real.architectureEvidence ?? "its boot lines")), "
                + "but the platform \(prepared.platform.name) is \(prepared.platform.arch.rawValue)")
        }
        let result: BootResult
        do { result = try Boot.run(prepared.platform, memblockLog: prepared.memblockLog, dynamicDebug: false) } catch {
            return .bootFailure(error, subject: platform ?? dtb ?? logPath)
        }
        let emulated = result.log.texts()
        var out = ""
        var differences = 0
        for (title, realLines, emulatedLines) in [
            ("per-CPU lines", real.percpuLines, RealBootLog.percpuLines(emulated)),
            ("memblock trace of the per-CPU setup", real.percpuMemblockTrace, RealBootLog.percpuMemblockTrace(emulated)),
        ] {
            let diff = LineDiff.compare(expected: realLines, actual: emulatedLines)
            differences += diff.count
            out += "\(title): \(realLines.count) real, \(emulatedLines.count) emulated, \(diff.count == 0 ? "identical" : "\(diff.count) differ")\n"
            for d in diff.shown { out += d + "\n" }
            if diff.count > diff.shownCount {
                out += "  ... and \(diff.count - diff.shownCount) more differing lines (the first \(diff.shownCount) are shown)\n"
            }
        }
        var output = CommandOutput(stdout: out, status: differences == 0 ? 0 : 1)
        for note in notes.reversed() { output = output.note(note) }
        return output
    }
}

/// Line-by-line comparison that names each differing line: the first
/// `shownLimit` in full, the rest only counted, so a report stays readable
/// (and small) however many lines differ.
enum LineDiff {
    static let shownLimit = 100

    struct Result {
        /// How many lines differ.
        var count = 0
        /// The first `shownLimit` differences, three report lines each.
        var shown: [String] = []
        var shownCount = 0
    }

    static func compare(expected: [String], actual: [String]) -> Result {
        var result = Result()
        for i in 0..<max(expected.count, actual.count) {
            let e = i < expected.count ? expected[i] : nil
            let a = i < actual.count ? actual[i] : nil
            guard e != a else { continue }
            result.count += 1
            guard result.shownCount < shownLimit else { continue }
            result.shownCount += 1
            result.shown.append("  line \(i + 1):")
            result.shown.append("    real:     " + (e.map { "\"\(InputError.cut($0, to: 300))\"" } ?? "(none)"))
            result.shown.append("    emulated: " + (a.map { "\"\(InputError.cut($0, to: 300))\"" } ?? "(none)"))
        }
        return result
    }
}
