import ArgumentParser
import Foundation
import PercpuBoot

/// `pcpu-boot kernels`: the table of named changes the emulation asks about.
struct KernelsCommand: OutputCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernels",
        abstract: "List every kernel change pcpu-boot emulates: what, since which release, the commit, the files.",
        discussion: "pcpu-boot emulates any release from 3.10 to 7.2. Each behaviour that differs between "
            + "releases is one named change; the emulation asks whether the chosen kernel has it. "
            + "With --kernel, shows which changes that release has. docs/kernel-versions.md explains how to add one.")

    @Option(help: ArgumentHelp("Mark which changes this release has (3.10 to 7.2, e.g. 5.4 or 6.1.0-56-arm64).",
                               valueName: "version"))
    var kernel: String?

    @Option(help: ArgumentHelp("text: a table; markdown: a Markdown table; wide: one block per change with files and source.",
                               valueName: "text|markdown|wide"))
    var format: String = "text"

    func execute() -> CommandOutput {
        var version: KernelVersion?
        if let kernel {
            do throws(KernelVersionError) { version = try KernelVersion.parse(kernel) } catch {
                return .inputError("--kernel: \(error)")
            }
        }
        let changes = KernelChange.allCases.sorted { a, b in
            (a.entry.since, a.rawValue) < (b.entry.since, b.rawValue)
        }
        switch format {
        case "text": return CommandOutput(stdout: Self.table(changes, version).render())
        case "markdown": return CommandOutput(stdout: Self.markdown(changes, version))
        case "wide": return CommandOutput(stdout: Self.wide(changes, version))
        default: return .inputError(unknownValue("--format", format, ["text", "markdown", "wide"]))
        }
    }

    private static func since(_ entry: KernelChangeEntry) -> String {
        entry.until.map { "\(entry.since)–\($0)" } ?? "\(entry.since)"
    }

    private static func commitID(_ entry: KernelChangeEntry) -> String {
        entry.commit.map { String($0.prefix { $0 != " " }) } ?? "(not pinned)"
    }

    private static func mark(_ change: KernelChange, _ version: KernelVersion?) -> [String] {
        guard let version else { return [] }
        return [version.has(change) ? "yes" : "no"]
    }

    static func table(_ changes: [KernelChange], _ version: KernelVersion?) -> TextTable {
        var columns: [TextTable.Column] = [.init("change"), .init("since"), .init("commit"), .init("what changes")]
        if let version { columns.insert(.init(version.description), at: 0) }
        var table = TextTable(columns)
        for change in changes {
            let e = change.entry
            table.append(mark(change, version) + [change.rawValue, since(e), commitID(e), e.summary])
        }
        return table
    }

    static func markdown(_ changes: [KernelChange], _ version: KernelVersion?) -> String {
        var head = ["change", "since", "commit", "files", "what changes", "established by"]
        if let version { head.insert(version.description, at: 0) }
        var out = "| " + head.joined(separator: " | ") + " |\n"
        out += "|" + String(repeating: "---|", count: head.count) + "\n"
        for change in changes {
            let e = change.entry
            let cells = mark(change, version) + [
                "`\(change.rawValue)`", since(e), e.commit ?? "not pinned", e.files.joined(separator: ", "),
                e.summary, e.source,
            ]
            out += "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |\n"
        }
        return out
    }

    static func wide(_ changes: [KernelChange], _ version: KernelVersion?) -> String {
        var out = ""
        for change in changes {
            let e = change.entry
            out += "\(change.rawValue)" + (version.map { $0.has(change) ? " (\($0): yes)" : " (\($0): no)" } ?? "") + "\n"
            out += "  since:   \(since(e))\n"
            out += "  commit:  \(e.commit ?? "not pinned")\n"
            out += "  files:   \(e.files.joined(separator: ", "))\n"
            if !e.arches.isEmpty { out += "  arches:  \(e.arches.joined(separator: ", "))\n" }
            out += "  what:    \(e.summary)\n"
            out += "  source:  \(e.source)\n\n"
        }
        return out
    }
}
