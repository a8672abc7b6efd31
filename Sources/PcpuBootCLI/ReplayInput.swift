import PercpuAlloc
import PercpuBoot

/// What `replay` was given: a recorded call trace, tracepoint lines, or a workload.
enum ReplayInput {
    case calls(PercpuCallTrace)
    case tracepoints(String)
    case workload(PcpuWorkload)

    /// Workloads by extension; tracepoint logs by their records; anything else is a call trace.
    static func load(_ text: String, path: String) throws(ReplayInputError) -> ReplayInput {
        if path.hasSuffix(".yaml") || path.hasSuffix(".yml") {
            do throws(InputError) { return .workload(try PcpuWorkloadLoader.load(text, file: path)) } catch {
                throw ReplayInputError(message: error.description)
            }
        }
        let isCallTrace = text.split(maxSplits: 50, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).prefix(50).contains {
            $0.hasPrefix("alloc size=") || $0.hasPrefix("free 0x") || $0 == "balance"
        }
        if !isCallTrace && PercpuTracepointParser.looksLikeTracepoints(text) { return .tracepoints(text) }
        do throws(TraceParseError) { return .calls(try PercpuCallTraceParser.parse(text, file: path)) } catch {
            throw ReplayInputError(message: error.description)
        }
    }
}

struct ReplayInputError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

enum ReplayReports {
    static func render(_ allocator: PcpuAllocator, format: ReplayFormat, input: ReplayInput) -> String {
        switch format {
        case .trace:
            var lines = allocator.traceLines()
            lines += allocator.replayErrors.map { "# not replayed: " + $0 }
            lines.append("# state at panic()")
            lines += allocator.stateLines()
            return lines.joined(separator: "\n") + "\n"
        case .stats:
            return allocator.percpuStatsShow()
        case .text:
            return PcpuAllocTextReport.render(allocator)
        case .json:
            return PcpuAllocJSONReport.render(allocator)
        case .svg:
            return PcpuAllocSVGReport.render(allocator)
        }
    }
}
