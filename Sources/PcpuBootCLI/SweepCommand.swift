import ArgumentParser
import PercpuBoot

/// `pcpu-boot sweep PLATFORM --vary PARAM --from A --to B [--steps N]`: boot
/// one platform at many values of one parameter and report where the outcome changes.
struct SweepCommand: OutputCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Vary one parameter of a platform and report where the per-CPU setup changes.",
        discussion: "Parameters: node-spacing (bytes between nodes' memory), cpus, static-size, nr-cpus (numeric: "
            + "stepped, and bisected where the outcome changes), page-size, va-bits, paging, kernel (every value "
            + "from --from to --to). Reports the first chunk (embed/page), pages/cpu, units/alloc, groups and "
            + "max_distance against 3/4 of VMALLOC_TOTAL.")

    @OptionGroup var machine: MachineOptions

    @Option(help: ArgumentHelp("The parameter to vary.", valueName: SweepParameter.allCases.map(\.rawValue).joined(separator: "|")))
    var vary: String

    @Option(help: ArgumentHelp("First value (a number like 1G or 0x1000, or a name like 4K, 39, sv48, 6.1).", valueName: "value"))
    var from: String

    @Option(help: ArgumentHelp("Last value.", valueName: "value"))
    var to: String

    @Option(help: "Evenly spaced values booted for a numeric parameter, before bisecting.")
    var steps: Int = 16

    @Flag(name: .customLong("no-bisect"), help: "Do not bisect between steps whose outcomes differ.")
    var noBisect = false

    @Option(help: ArgumentHelp("Output: text (a table and the changes), csv, or svg (a plot).", valueName: "text|csv|svg"))
    var format: String = "text"

    func execute() -> CommandOutput {
        guard let parameter = SweepParameter(rawValue: vary) else {
            return .inputError(unknownValue("--vary", vary, SweepParameter.allCases.map(\.rawValue)))
        }
        let formats = ["text", "csv", "svg"]
        guard formats.contains(format) else { return .inputError(unknownValue("--format", format, formats)) }
        let prepared: PreparedBoot
        switch machine.prepare() {
        case .success(let p): prepared = p
        case .failure(let output): return output
        }
        guard prepared.memblockLog == nil else {
            return .inputError("sweep cannot start memblock from a log (--memblock-from / memblock.from-log): "
                               + "the log's addresses hold for one machine only")
        }
        let result: SweepResult
        do {
            result = try Sweep.run(prepared.platform, parameter: parameter, from: from, to: to, steps: steps,
                                   bisect: !noBisect)
        } catch {
            return .inputError(error.message)
        }
        switch format {
        case "csv": return CommandOutput(stdout: SweepReport.csv(result))
        case "svg": return CommandOutput(stdout: SweepReport.svg(result))
        default: return CommandOutput(stdout: SweepReport.text(result))
        }
    }
}
