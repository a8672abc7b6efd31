/// The physical pages of one unit of the page first chunk (`pages[]` in
/// `pcpu_page_first_chunk`), kept as runs of adjacent pages in allocation order.
///
/// memblock hands out a unit's pages top-down (or bottom-up) one after the
/// other, so a unit of 256K pages is usually one run: memory grows with the
/// number of runs, not of pages. Iterating still yields every page in order.
public struct UnitPages: Equatable, Sendable, Codable, Sequence {
    /// `count` pages from `first`, each `step` bytes (±PAGE_SIZE) after the previous one.
    public struct Run: Equatable, Sendable, Codable {
        public var first: UInt64
        public var count: UInt64
        public var step: Int64

        /// The lowest and one past the highest byte of the run's pages.
        public func span(pageSize: UInt64) -> (start: UInt64, end: UInt64) {
            let last = UnitPages.page(self, count &- 1)
            return (Swift.min(first, last), Swift.max(first, last) &+ pageSize)
        }
    }

    public private(set) var runs: [Run] = []
    /// Number of pages.
    public private(set) var count: UInt64 = 0
    let pageSize: UInt64

    public init(pageSize: UInt64) { self.pageSize = pageSize }

    public var first: UInt64? { runs.first?.first }
    public var isEmpty: Bool { count == 0 }

    /// Appends `n` pages starting at `first`, going down (top-down memblock) or up.
    public mutating func append(first: UInt64, count n: UInt64, descending: Bool) {
        guard n > 0 else { return }
        count += n
        let step = descending ? -Int64(pageSize) : Int64(pageSize)
        if let i = runs.indices.last {
            var last = runs[i]
            // A one-page run takes the direction of the page that follows it.
            if last.count == 1 {
                if first == last.first &+ pageSize && (n == 1 || !descending) { last.step = Int64(pageSize) }
                if first == last.first &- pageSize && (n == 1 || descending) { last.step = -Int64(pageSize) }
            }
            if first == Self.page(last, last.count) && (n == 1 || step == last.step) {
                last.count += n
                runs[i] = last
                return
            }
        }
        runs.append(Run(first: first, count: n, step: step))
    }

    /// The `i`th page of a run.
    static func page(_ r: Run, _ i: UInt64) -> UInt64 {
        r.step >= 0 ? r.first &+ i &* UInt64(r.step) : r.first &- i &* UInt64(-r.step)
    }

    /// Appends one page.
    public mutating func append(_ page: UInt64) { append(first: page, count: 1, descending: false) }

    public struct Iterator: IteratorProtocol {
        let runs: [Run]
        var run = 0
        var index: UInt64 = 0
        public mutating func next() -> UInt64? {
            while run < runs.count {
                let r = runs[run]
                if index < r.count {
                    defer { index += 1 }
                    return UnitPages.page(r, index)
                }
                run += 1
                index = 0
            }
            return nil
        }
    }

    public func makeIterator() -> Iterator { Iterator(runs: runs) }
}
