import ArgumentParser
import Foundation
import PercpuBoot

/// `pcpu-boot list`: the bundled platforms, one line each.
struct ListCommand: OutputCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the bundled platforms, one line each.")

    func execute() -> CommandOutput {
        let platforms = PlatformResolver.bundled()
        guard !platforms.isEmpty else {
            return .inputError("no bundled platforms")
        }
        let width = platforms.map(\.name.count).max() ?? 0
        var out = ""
        for (name, source) in platforms {
            let summary: String
            do {
                let platform = try source.load()
                summary = platform.description.split(separator: "\n").first.map(String.init) ?? ""
            } catch {
                summary = "(does not load: \(error.description))"
            }
            out += name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + summary + "\n"
        }
        return CommandOutput(stdout: out)
    }
}
