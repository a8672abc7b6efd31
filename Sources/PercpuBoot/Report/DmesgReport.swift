import KernelSupport

/// `--format dmesg`: the emulated kernel's lines, exactly, without timestamps.
public enum DmesgReport {
    /// - Parameter dynamicDebug: include `pr_debug` lines (as with dyndbg enabled).
    public static func render(_ result: BootResult, dynamicDebug: Bool = false) -> String {
        var sources: Set<LogSource> = [.kernel, .memblockDebug]
        if dynamicDebug { sources.insert(.dynamicDebug) }
        return result.log.texts(sources).map { $0 + "\n" }.joined()
    }

    /// The same lines, written one by one through `sink`.
    public static func write<Sink: ReportSink>(_ result: BootResult, dynamicDebug: Bool = false,
                                               to sink: inout Sink) throws {
        var sources: Set<LogSource> = [.kernel, .memblockDebug]
        if dynamicDebug { sources.insert(.dynamicDebug) }
        var buffered = BufferedSink(sink)
        defer { sink = buffered.base }
        for line in result.log.lines where sources.contains(line.source) { try buffered.write(line.text + "\n") }
        try buffered.flush()
    }
}
