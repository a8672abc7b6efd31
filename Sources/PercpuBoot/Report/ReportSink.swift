/// Where a report goes, piece by piece, so that a large one (`--format json`
/// at 8192 CPUs) is written as it is made instead of held as one String.
/// The command line plugs in its standard-output writer; tests collect a String.
public protocol ReportSink {
    mutating func write(_ s: String) throws
}

/// A sink that keeps everything: for tests and for callers that want the text.
public struct StringSink: ReportSink {
    public var text = ""
    public init() {}
    public mutating func write(_ s: String) { text += s }
}

/// Collects small writes into chunks of about `capacity` bytes before passing
/// them on, so the sink below sees few, large writes.
public struct BufferedSink<Base: ReportSink>: ReportSink {
    public var base: Base
    var buffer = ""
    let capacity: Int

    public init(_ base: Base, capacity: Int = 1 << 16) {
        self.base = base
        self.capacity = capacity
        buffer.reserveCapacity(capacity + 1024)
    }

    public mutating func write(_ s: String) throws {
        buffer += s
        if buffer.utf8.count >= capacity { try flush() }
    }

    public mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        try base.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
