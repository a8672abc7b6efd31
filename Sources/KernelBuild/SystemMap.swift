/// The per-CPU section's bounds: `__per_cpu_start` and `__per_cpu_end` (include/asm-generic/
/// sections.h, placed by `PERCPU_SECTION` in vmlinux.lds), from System.map or vmlinux.
public struct PerCPUSection: Equatable, Sendable {
    public var start: UInt64
    public var end: UInt64
    /// Where the numbers came from ("System.map symbols", "vmlinux .symtab", "vmlinux .data..percpu").
    public var source: String

    /// `__per_cpu_end - __per_cpu_start`: the static per-CPU size.
    public var staticSize: UInt64 { end - start }

    /// Checks `end >= start` and a size no kernel exceeds (1 GiB).
    init(start: UInt64, end: UInt64, source: String, fileName: String) throws(KernelBuildError) {
        guard end >= start else {
            throw KernelBuildError(fileName: fileName,
                                   "__per_cpu_end 0x\(String(end, radix: 16)) lies below __per_cpu_start 0x\(String(start, radix: 16))")
        }
        guard end - start < 1 << 30 else {
            throw KernelBuildError(fileName: fileName, "a per-CPU section of \(end - start) bytes: not a kernel's")
        }
        self.start = start
        self.end = end
        self.source = source
    }
}

/// `System.map`: `ADDRESS TYPE NAME` lines as `nm -n vmlinux` prints them.
public enum SystemMap {
    /// The per-CPU section of a System.map. Every line must have the nm shape (a hex
    /// address, a one-letter type, a name); a map without the two symbols is refused.
    public static func perCPUSection(_ bytes: [UInt8], fileName: String) throws(KernelBuildError) -> PerCPUSection {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw KernelBuildError(fileName: fileName, "not text: not a System.map")
        }
        var start: UInt64?
        var end: UInt64?
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line.isEmpty { continue }
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 3, let address = UInt64(fields[0], radix: 16), fields[1].count == 1 else {
                throw KernelBuildError(fileName: fileName, line: index + 1,
                                       "'\(line.prefix(60))' is not 'ADDRESS TYPE SYMBOL': not a System.map")
            }
            if fields[2] == "__per_cpu_start" { start = address }
            if fields[2] == "__per_cpu_end" { end = address }
        }
        guard let start, let end else {
            let missing = start == nil ? "__per_cpu_start" : "__per_cpu_end"
            throw KernelBuildError(fileName: fileName, "no \(missing) symbol: not the System.map of an SMP kernel")
        }
        return try PerCPUSection(start: start, end: end, source: "System.map", fileName: fileName)
    }
}
