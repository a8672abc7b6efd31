import Foundation
import KernelSupport

/// A real kernel's console log (`dmesg` or a serial capture), read for the
/// facts `check` needs and for comparing the emulator's lines with it.
public struct RealBootLog: Sendable {
    /// Every line with its `[    0.000000] ` timestamp removed.
    public var lines: [String]

    public init(text: String) {
        let text = ConsoleLogText.normalized(text)
        // normalized() leaves LF line ends only: split the bytes, not Characters.
        lines = text.utf8.split(separator: 0x0a, omittingEmptySubsequences: false)
            .map { RealBootLog.stripTimestamp(String(Substring($0))) }
    }

    /// Removes everything up to and including the first `[ seconds.micros] `
    /// timestamp (serial captures can carry firmware noise before it), a
    /// `<level>` prefix, and a trailing carriage return.
    static func stripTimestamp(_ line: String) -> String {
        var s = Substring(line)
        while s.hasSuffix("\r") { s = s.dropLast() }
        if let end = ConsoleLogText.printkTimestampEnd(s.utf8) {
            s = s[end...]
        } else if s.hasPrefix("<"), let close = s.firstIndex(of: ">"), s.distance(from: s.startIndex, to: close) <= 3 {
            s = s[s.index(after: close)...]
        }
        return String(s)
    }

    /// The `percpu:` and `pcpu-alloc:` lines (and the arch fallback warnings), in order.
    public var percpuLines: [String] { RealBootLog.percpuLines(lines) }

    public static func percpuLines(_ lines: [String]) -> [String] {
        lines.filter {
            $0.hasPrefix("percpu: ") || $0.hasPrefix("pcpu-alloc: ")
                || $0.containsBytes(of: "PERCPU: ") || $0.hasPrefix("setup_percpu: ")
        }
    }

    /// The memblock trace of the per-CPU setup: from the first memblock call
    /// whose caller starts with `pcpu_` up to the `percpu:` line that reports the
    /// first chunk, with `+0xOFF/0xLEN` caller suffixes removed.
    public var percpuMemblockTrace: [String] { RealBootLog.percpuMemblockTrace(lines) }

    public static func percpuMemblockTrace(_ lines: [String]) -> [String] {
        guard let start = lines.firstIndex(where: { $0.hasPrefix("memblock_") && callerOf($0).hasPrefix("pcpu_") }) else {
            return []
        }
        var trace: [String] = []
        for line in lines[start...] {
            if line.containsBytes(of: " Embedded ") || line.containsBytes(of: " pages/cpu s") || line.containsBytes(of: " pages/cpu @") { break }
            if isMemblockTrace(line) { trace.append(stripCallerOffset(line)) }
        }
        return trace
    }

    /// A memblock=debug call line: `memblock_…: ` or, since 6.16, `__memblock_reserve: `.
    public static func isMemblockTrace(_ line: String) -> Bool {
        line.hasPrefix("memblock_") || line.hasPrefix("__memblock_reserve: ")
    }

    /// The last word of a memblock trace line, without its offset suffix.
    static func callerOf(_ line: String) -> String {
        guard let last = line.split(separator: " ").last else { return "" }
        return String(last.split(separator: "+").first ?? last)
    }

    /// `... caller+0x120/0x19c` → `... caller`.
    public static func stripCallerOffset(_ line: String) -> String {
        guard let space = line.lastIndex(of: " ") else { return line }
        let last = line[line.index(after: space)...]
        guard let plus = last.firstIndex(of: "+"), last[plus...].hasPrefix("+0x") else { return line }
        return String(line[..<plus])
    }

    /// The text after `Kernel command line: `.
    public var commandLine: String? {
        lines.first { $0.hasPrefix("Kernel command line: ") }.map { String($0.dropFirst("Kernel command line: ".count)) }
    }

    /// `s87272` of the first per-CPU line: the static per-CPU size.
    public var staticSize: UInt64? {
        for line in percpuLines where line.hasPrefix("percpu: ") || line.hasPrefix("PERCPU: ") {
            if let range = line.range(of: " s"), let value = UInt64(line[range.upperBound...].prefix { $0.isNumber }) {
                return value
            }
        }
        return nil
    }

    /// The static size and the index of the line it is on.
    public var staticSizeLine: (UInt64, Int)? {
        for (index, line) in lines.enumerated() where line.hasPrefix("percpu: ") || line.hasPrefix("PERCPU: ") {
            if let range = line.range(of: " s"), let value = UInt64(line[range.upperBound...].prefix { $0.isNumber }) {
                return (value, index)
            }
        }
        return nil
    }

    /// The index of the `Linux version` line.
    public var kernelVersionLine: Int? { lines.firstIndex { $0.hasPrefix("Linux version ") } }

    /// The first line that betrays the architecture, quoted with its line number.
    public var architectureEvidence: String? {
        let markers = ["Booting Linux on physical CPU", "Machine model:", "psci: ", "CPU features: detected",
                       "BIOS-provided physical RAM map", "x86/", "riscv: ", "SBI specification"]
        guard let index = lines.firstIndex(where: { line in markers.contains { line.hasPrefix($0) } }) else { return nil }
        return "line \(index + 1): '\(InputError.cut(lines[index], to: 60))'"
    }

    /// The release named by the log's `Linux version X.Y…` line, if the log kept it.
    public var linuxVersionText: String? {
        guard let line = lines.first(where: { $0.hasPrefix("Linux version ") }) else { return nil }
        return String(line.dropFirst("Linux version ".count).prefix { $0 != " " })
    }

    /// The kernel release of `Linux version X.Y…`: nil when the log lost its start;
    /// `.failure` when the line names a release pcpu-boot does not emulate.
    public var kernelVersion: Result<KernelVersion, KernelVersionError>? {
        guard let text = linuxVersionText else { return nil }
        return Result { () throws(KernelVersionError) in try KernelVersion.parse(text) }
    }

    /// The architecture the log's boot messages betray.
    public var architecture: Architecture? {
        // riscv first: riscv boots print "Machine model:" too.
        if lines.contains(where: { $0.hasPrefix("riscv: ") || $0.hasPrefix("SBI specification") }) { return .riscv64 }
        let arm64Markers = ["Booting Linux on physical CPU", "Machine model:", "psci: ", "CPU features: detected"]
        if lines.contains(where: { line in arm64Markers.contains { line.hasPrefix($0) } }) { return .arm64 }
        if lines.contains(where: { $0.hasPrefix("BIOS-provided physical RAM map") || $0.hasPrefix("x86/") }) { return .x86_64 }
        return nil
    }
}
