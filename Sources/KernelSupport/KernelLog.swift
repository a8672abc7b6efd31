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

    public init(recordsDynamicDebug: Bool = true) {
        self.recordsDynamicDebug = recordsDynamicDebug
    }

    /// `printk(level prefix fmt)`: `prefix` is the file's `pr_fmt` (e.g. `"percpu: "`).
    public mutating func print(_ level: LogLevel, _ prefix: String = "", _ text: String) {
        lines.append(KernelLogLine(level: level, text: prefix + text))
    }

    public mutating func append(_ line: KernelLogLine) { lines.append(line) }

    public mutating func append(contentsOf other: KernelLog) { lines.append(contentsOf: other.lines) }

    /// A `memblock=debug` trace line (printed at KERN_INFO, no prefix).
    public mutating func memblockDebug(_ text: String) {
        lines.append(KernelLogLine(level: .info, source: .memblockDebug, text: text))
    }

    /// A `pr_debug` line: only visible with dynamic debug.
    public mutating func dynamicDebug(_ prefix: String, _ text: @autoclosure () -> String) {
        guard recordsDynamicDebug else { return }
        lines.append(KernelLogLine(level: .debug, source: .dynamicDebug, text: prefix + text()))
    }

    /// The texts of the lines whose source is in `sources`.
    public func texts(_ sources: Set<LogSource> = [.kernel, .memblockDebug]) -> [String] {
        lines.filter { sources.contains($0.source) }.map(\.text)
    }
}

/// A kernel `panic()` / `BUG()`: the emulated boot stops here.
public struct KernelPanic: Error, Equatable, Sendable, CustomStringConvertible {
    /// The panic message as the kernel prints it after `Kernel panic - not syncing: `.
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "Kernel panic - not syncing: \(message)" }
}
