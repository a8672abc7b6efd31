/// The command line of a plain boot (`pcpu-boot [boot] PLATFORM [flags]`), read
/// without ArgumentParser.
///
/// ArgumentParser reflects over every option of every command it might parse
/// (Mirror, generic metadata, protocol conformance lookups): on a small platform
/// that was a third of the process's time. A plain boot is the tool's most common
/// use, and its flags are simple `--name value` / `--name=value` options, so they
/// are read here directly. Anything else — another subcommand, help, an unknown or
/// repeated option, a value that starts with `-`, a second platform — returns nil
/// and goes through ArgumentParser, which then gives its usual help or diagnostic.
/// `BootFastPathTests` check that both readings agree.
enum BootFastPath {
    /// Sets the single-value option `name` of `boot` (MachineOptions and
    /// BootCommand); false when `boot` has no such option.
    static func set(_ name: String, _ value: String, in request: inout BootRequest) -> Bool {
        switch name {
        case "dtb": request.machine.dtb = value
        case "acpi-tables": request.machine.acpiTables = value
        case "config": request.machine.kernelConfig = value
        case "system-map": request.machine.systemMap = value
        case "vmlinux": request.machine.vmlinux = value
        case "arch": request.machine.arch = value
        case "kernel": request.machine.kernel = value
        case "static-size": request.machine.staticSize = value
        case "nr-cpus": request.machine.nrCPUs = value
        case "per-cpu-start": request.machine.perCPUStart = value
        case "cmdline": request.machine.cmdline = value
        case "memblock-from": request.machine.memblockFrom = value
        case "format": request.format = value
        default: return false
        }
        return true
    }

    /// Whether `word` names one of the root command's subcommands or `help`: then it
    /// is not a platform. Written out (reading each command's configuration, or even
    /// building a Set, costs more than the rest of this parse); `BootFastPathTests`
    /// keeps it in step.
    static func isSubcommandName(_ word: String) -> Bool {
        switch word {
        case "boot", "list", "compare", "check", "replay", "import", "sweep", "kernels", "manual", "this-machine", "help": true
        default: false
        }
    }

    static func parse(_ arguments: [String]) -> BootRequest? {
        var rest = arguments[...]
        if rest.first == "boot" {
            rest = rest.dropFirst()
        } else if let first = rest.first, isSubcommandName(first) {
            return nil
        }
        var request = BootRequest(machine: MachineRequest())
        var seen: Set<String> = []
        while let argument = rest.popFirst() {
            guard argument.hasPrefix("--") else {
                // The platform: one, not an option or a short flag.
                guard request.machine.platform == nil, !argument.hasPrefix("-"), !argument.isEmpty else { return nil }
                request.machine.platform = argument
                continue
            }
            var name = String(argument.dropFirst(2))
            var value: String?
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            if name == "pr-debug" {
                guard value == nil, !request.prDebug else { return nil }
                request.prDebug = true
                continue
            }
            if value == nil {
                guard let next = rest.popFirst() else { return nil }
                value = next
            }
            guard let value, !value.isEmpty, !value.hasPrefix("-") else { return nil }
            if name == "memory" {
                request.machine.memory.append(value)
                continue
            }
            guard seen.insert(name).inserted, set(name, value, in: &request) else { return nil }
        }
        return request.machine.platform == nil ? nil : request
    }
}
