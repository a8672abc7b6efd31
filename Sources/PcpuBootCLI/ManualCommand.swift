import ArgumentParser
import Foundation

/// The tool's version, shown by `--version` and in the man page.
enum PcpuBootVersion {
    static let string = "0.1.0"
}

/// `pcpu-boot manual`: the man page (roff, section 1), generated from the argument
/// parser's own description of every command and option (`--experimental-dump-help`),
/// so it cannot drift from `--help`. Shell completions come from the parser too:
/// `pcpu-boot --generate-completion-script bash|zsh|fish`.
struct ManualCommand: OutputCommand {
    static let configuration = CommandConfiguration(
        commandName: "manual",
        abstract: "Print the man page (roff) generated from the command-line parser: pcpu-boot manual > pcpu-boot.1",
        discussion: "Shell completions: pcpu-boot --generate-completion-script bash|zsh|fish.")

    func execute() -> CommandOutput {
        do {
            _ = try PcpuBootCommand.parseAsRoot(["--experimental-dump-help"])
            return .inputError("the argument parser gave no description of the commands")
        } catch {
            let json = PcpuBootCommand.fullMessage(for: error)
            do {
                let info = try JSONDecoder().decode(ToolInfo.self, from: Data(json.utf8))
                return CommandOutput(stdout: ManualPage.render(info.command))
            } catch {
                return CommandOutput(stderr: "pcpu-boot: error: cannot read the parser's description: \(error)\n", status: 2)
            }
        }
    }
}

/// The parts of ArgumentParser's `--experimental-dump-help` JSON the man page uses.
struct ToolInfo: Decodable {
    struct Command: Decodable {
        var commandName: String
        var abstract: String?
        var discussion: String?
        var shouldDisplay: Bool?
        var arguments: [Argument]?
        var subcommands: [Command]?
    }

    struct Argument: Decodable {
        struct Name: Decodable { var kind: String; var name: String }
        var kind: String
        var names: [Name]?
        var valueName: String?
        var abstract: String?
        var isOptional: Bool?
        var shouldDisplay: Bool?
    }

    var command: Command
}

enum ManualPage {
    static func render(_ root: ToolInfo.Command) -> String {
        var out = ".TH PCPU-BOOT 1 \"\" \"pcpu-boot \(PcpuBootVersion.string)\" \"User Commands\"\n"
        out += ".SH NAME\n\(root.commandName) \\- \(escape(root.abstract ?? ""))\n"
        out += ".SH SYNOPSIS\n.B \(root.commandName)\n[\\fIsubcommand\\fR] [\\fIoptions\\fR]\n"
        if let discussion = root.discussion { out += ".SH DESCRIPTION\n\(escape(discussion))\n" }
        out += ".SH COMMANDS\n"
        for command in root.subcommands ?? [] where command.shouldDisplay != false {
            out += ".SS \(root.commandName) \(command.commandName)\n\(escape(command.abstract ?? ""))\n"
            if let discussion = command.discussion, !discussion.isEmpty { out += ".PP\n\(escape(discussion))\n" }
            for argument in command.arguments ?? [] where argument.shouldDisplay != false {
                out += ".TP\n\(signature(argument))\n\(escape(argument.abstract ?? ""))\n"
            }
        }
        out += ".SH EXIT STATUS\n0 the emulated boot completed (check: everything matched); 1 the emulated kernel "
            + "panicked (check: a line differs); 2 unusable input.\n"
        out += ".SH SHELL COMPLETION\n.B \(root.commandName) \\-\\-generate\\-completion\\-script\n\\fIbash\\fR|\\fIzsh\\fR|\\fIfish\\fR\n"
        return out
    }

    /// `\fB--dtb\fR \fIfile\fR`, or `\fIplatform\fR` for a positional.
    static func signature(_ argument: ToolInfo.Argument) -> String {
        let value = argument.valueName.map { "\\fI\(escape($0))\\fR" } ?? ""
        guard argument.kind != "positional" else { return value }
        let names = (argument.names ?? []).map { name in
            "\\fB" + escape((name.kind == "short" ? "-" : "--") + name.name) + "\\fR"
        }.joined(separator: ", ")
        return argument.kind == "flag" ? names : names + " " + value
    }

    /// roff: backslashes and hyphens escaped, no line starting with a dot or quote.
    static func escape(_ text: String) -> String {
        let escaped = text.replacingOccurrences(of: "\\", with: "\\e").replacingOccurrences(of: "-", with: "\\-")
        return escaped.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasPrefix(".") || line.hasPrefix("'") ? "\\&" + line : String(line)
        }.joined(separator: "\n")
    }
}
