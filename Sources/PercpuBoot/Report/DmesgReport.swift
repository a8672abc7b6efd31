import KernelSupport

/// `--format dmesg`: the emulated kernel's lines, exactly, without timestamps.
public enum DmesgReport {
    /// - Parameter dynamicDebug: include `pr_debug` lines (as with dyndbg enabled).
    public static func render(_ result: BootResult, dynamicDebug: Bool = false) -> String {
        var sources: Set<LogSource> = [.kernel, .memblockDebug]
        if dynamicDebug { sources.insert(.dynamicDebug) }
        return result.log.texts(sources).map { $0 + "\n" }.joined()
    }
}
