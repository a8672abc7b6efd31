/// The emulated kernel log: what the emulated kernel printed, in order.
///
/// Every stage appends the lines the real kernel would print, with their
/// log level and `pr_fmt` prefix already applied, so `--format dmesg` is a plain
/// concatenation. Memblock's `memblock=debug` lines are tagged so reports can
/// show or hide them.

/// printk log levels (`KERN_EMERG` … `KERN_DEBUG`).
public enum LogLevel: Int, Sendable, Codable, Comparable, CaseIterable {
    case emerg = 0, alert, crit, err, warning, notice, info, debug

    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }

    public var name: String {
        switch self {
        case .emerg: "emerg"
        case .alert: "alert"
        case .crit: "crit"
        case .err: "err"
        case .warning: "warn"
        case .notice: "notice"
        case .info: "info"
        case .debug: "debug"
        }
    }
}

/// Where a line came from, for filtering.
public enum LogSource: String, Sendable, Codable {
    /// An ordinary printk of the emulated kernel.
    case kernel
    /// A `memblock=debug` trace line (memblock_alloc_try_nid:, memblock_reserve:, ...).
    case memblockDebug = "memblock-debug"
    /// A line only `pr_debug` prints (dynamic debug); kept but hidden by default.
    case dynamicDebug = "dynamic-debug"
}

public struct KernelLogLine: Equatable, Sendable, Codable {
    public var level: LogLevel
    public var source: LogSource
    /// The full line as the console shows it, without timestamp and newline.
    public var text: String

    public init(level: LogLevel, source: LogSource = .kernel, text: String) {
        self.level = level
        self.source = source
        self.text = text
    }
}

/// An append-only log; a value, passed `inout` through a boot.
public struct KernelLog: Equatable, Sendable, Codable {
    public private(set) var lines: [KernelLogLine] = []
    /// Whether `pr_debug` lines are kept. Off, they are not even built: the page
    /// first chunk alone would make one per page (millions for a large static size).
    public var recordsDynamicDebug = true
    /// Where lines go as they are printed, when a trace was asked for and is too
    /// large to hold (`--format dmesg --pr-debug`, `memblock=debug`): the stream's
    /// lines are written at once, and the log keeps only the ordinary printk lines.
    public var stream: KernelLogStream?

    enum CodingKeys: String, CodingKey { case lines, recordsDynamicDebug }

    public static func == (a: KernelLog, b: KernelLog) -> Bool {
        a.lines == b.lines && a.recordsDynamicDebug == b.recordsDynamicDebug
    }

    public init(recordsDynamicDebug: Bool = true) {
        self.recordsDynamicDebug = recordsDynamicDebug
    }

    /// `printk(level prefix fmt)`: `prefix` is the file's `pr_fmt` (e.g. `"percpu: "`).
    public mutating func print(_ level: LogLevel, _ prefix: String = "", _ text: String) {
        record(KernelLogLine(level: level, text: prefix + text))
    }

    public mutating func append(_ line: KernelLogLine) { record(line) }

    public mutating func append(contentsOf other: KernelLog) {
        if stream == nil { lines.append(contentsOf: other.lines) } else { other.lines.forEach { record($0) } }
    }

    /// A `memblock=debug` trace line (printed at KERN_INFO, no prefix).
    public mutating func memblockDebug(_ text: String) {
        record(KernelLogLine(level: .info, source: .memblockDebug, text: text))
    }

    /// A `pr_debug` line: only visible with dynamic debug.
    public mutating func dynamicDebug(_ prefix: String, _ text: @autoclosure () -> String) {
        guard recordsDynamicDebug else { return }
        record(KernelLogLine(level: .debug, source: .dynamicDebug, text: prefix + text()))
    }

    /// Keeps `line`, or streams it: a streamed trace line is not kept.
    private mutating func record(_ line: KernelLogLine) {
        if let stream {
            stream.emit(line)
            if line.source != .kernel { return }
        }
        lines.append(line)
    }

    /// The texts of the lines whose source is in `sources`.
    public func texts(_ sources: Set<LogSource> = [.kernel, .memblockDebug]) -> [String] {
        lines.filter { sources.contains($0.source) }.map(\.text)
    }
}

/// The lines of a log written out as they are printed (see `KernelLog.stream`).
/// A reference, shared by every copy of the log a boot passes along; the first
/// write error is kept and ends the writing (the boot itself goes on).
public final class KernelLogStream: @unchecked Sendable {
    /// The sources written; lines of other sources are neither written nor kept.
    public let sources: Set<LogSource>
    private let write: (String) throws -> Void
    public private(set) var error: (any Error)?
    /// How many lines were written.
    public private(set) var count = 0

    /// - Parameter write: takes one line with its newline.
    public init(sources: Set<LogSource>, write: @escaping (String) throws -> Void) {
        self.sources = sources
        self.write = write
    }

    func emit(_ line: KernelLogLine) {
        guard error == nil, sources.contains(line.source) else { return }
        do {
            try write(line.text + "\n")
            count += 1
        } catch {
            self.error = error
        }
    }
}

/// A kernel `panic()` / `BUG()`: the emulated boot stops here.
public struct KernelPanic: Error, Equatable, Sendable, CustomStringConvertible {
    /// The panic message as the kernel prints it after `Kernel panic - not syncing: `.
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "Kernel panic - not syncing: \(message)" }
}
