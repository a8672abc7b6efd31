import ArgumentParser
import Foundation
import PercpuAlloc
import PercpuBoot

/// `pcpu-boot replay TRACE [PLATFORM] [machine flags]`: boot the machine, then
/// run the dynamic per-CPU allocator through a recorded call trace, the
/// kernel's `percpu:` tracepoint lines, or a workload file.
struct ReplayCommand: OutputCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay per-CPU allocations (alloc_percpu/free_percpu) on an emulated machine after boot.",
        discussion: "TRACE is a recorded call trace (alloc/free/populated/balance lines, as in shared/percpu-calls), "
            + "a console log or trace_pipe with the kernel's percpu: tracepoints (trace_event=percpu:* tp_printk), or a "
            + "workload YAML file (.yaml/.yml). The machine is booted first from PLATFORM and the flags, as `boot` does. "
            + "Exit status: 0 replayed, 1 the emulated boot panicked or a recorded pointer differs (trace input), 2 unusable input.")

    @Argument(help: ArgumentHelp("Call trace, tracepoint log or workload YAML.", valueName: "trace"))
    var trace: String

    @OptionGroup var machine: MachineOptions

    @Option(help: ArgumentHelp("Output: text, trace (the input's format with the emulated pointers, events and final state), "
                               + "stats (/sys/kernel/debug/percpu_stats), json or svg.",
                               valueName: "text|trace|stats|json|svg"))
    var format: String = "text"

    func execute() -> CommandOutput {
        guard let format = ReplayFormat(rawValue: format) else {
            return .inputError(unknownValue("--format", format, ReplayFormat.allCases.map(\.rawValue)))
        }
        guard let data = FileManager.default.contents(atPath: trace) else {
            return .inputError("\(trace): cannot read the trace")
        }
        let text = String(decoding: data, as: UTF8.self)
        let prepared: PreparedBoot
        switch machine.prepare() {
        case .success(let p): prepared = p
        case .failure(let output): return output
        }
        let result: BootResult
        do {
            result = try Boot.run(prepared.platform, memblockLog: prepared.memblockLog)
        } catch {
            return .inputError(error.description)
        }
        var allocator: PcpuAllocator
        do {
            guard let a = try result.dynamicAllocator() else {
                let why = if case .panicked(let m) = result.outcome { "the emulated kernel panicked: \(m)" } else { "no first chunk" }
                return CommandOutput(stderr: "pcpu-boot: \(why)\n", status: 1)
            }
            allocator = a
        } catch {
            return .inputError(error.description)
        }
        let input: ReplayInput
        do {
            input = try ReplayInput.load(text, path: trace)
        } catch {
            return .inputError(error.description)
        }
        var status: Int32 = 0
        do {
            switch input {
            case .calls(let calls):
                try allocator.replay(calls)
                let comparison = allocator.compare(with: calls)
                if comparison.recordedPointers != comparison.emulatedPointers && !comparison.recordedPointers.isEmpty {
                    status = 1
                }
            case .tracepoints(let log):
                try allocator.replayObserved(log)
            case .workload(let workload):
                try allocator.run(workload)
            }
        } catch {
            return .inputError("\(trace): \(error)")
        }
        return CommandOutput(stdout: ReplayReports.render(allocator, format: format, input: input), status: status)
    }
}

/// The report formats of `replay`.
enum ReplayFormat: String, CaseIterable {
    case text, trace, stats, json, svg
}
