/// A fixed-size bitmap of `unsigned long` words, as include/linux/bitmap.h
/// and lib/find_bit.c treat them: bit `n` is bit `n % 64` of word `n / 64`.
///
/// Used for a chunk's `alloc_map` (region_bits bits), `bound_map`
/// (region_bits + 1 bits) and `populated` (nr_pages bits). The word count is
/// `BITS_TO_LONGS(count)`, so `words.count * 8` is exactly what the kernel
/// memblock-allocates for the map. Every operation clamps its range to
/// `[0, count)` and never traps.
import KernelSupport

public struct PcpuBitmap: Equatable, Sendable, Codable {
    /// Number of valid bits.
    public private(set) var count: Int
    /// `BITS_TO_LONGS(count)` words; bits past `count` are always zero.
    public private(set) var words: [UInt64]

    /// An all-clear bitmap of `count` bits (memblock_alloc zeroes memory).
    public init(count: Int) {
        let n = max(count, 0)
        self.count = n
        self.words = Array(repeating: 0, count: Int(bitsToLongs(UInt64(n))))
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let count = try c.decode(Int.self, forKey: .count)
        let words = try c.decode([UInt64].self, forKey: .words)
        guard count >= 0, UInt64(words.count) == bitsToLongs(UInt64(count)) else {
            throw DecodingError.dataCorruptedError(forKey: .words, in: c,
                                                   debugDescription: "bitmap of \(count) bits needs BITS_TO_LONGS(\(count)) words")
        }
        self.count = count
        self.words = words
        if let last = self.words.indices.last, count % 64 != 0 {
            self.words[last] &= (UInt64(1) << UInt64(count % 64)) - 1
        }
    }

    /// Bytes the kernel allocates for this map: `BITS_TO_LONGS(count) * sizeof(long)`.
    public var byteSize: UInt64 { UInt64(words.count) * PcpuConstants.longSize }

    /// `test_bit(bit)`; false outside the bitmap.
    public func test(_ bit: Int) -> Bool {
        guard bit >= 0, bit < count else { return false }
        return words[bit >> 6] >> UInt64(bit & 63) & 1 == 1
    }

    /// `set_bit(bit)`; ignored outside the bitmap.
    public mutating func set(_ bit: Int) {
        guard bit >= 0, bit < count else { return }
        words[bit >> 6] |= UInt64(1) << UInt64(bit & 63)
    }

    /// `bitmap_set(map, start, len)` for `range`.
    public mutating func set(_ range: Range<Int>) { update(range, to: true) }

    /// `bitmap_clear(map, start, len)` for `range`.
    public mutating func clear(_ range: Range<Int>) { update(range, to: false) }

    /// `bitmap_fill(map, count)`.
    public mutating func fill() { set(0 ..< count) }

    /// Number of set bits (`bitmap_weight`).
    public var popcount: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }

    /// `find_next_zero_bit(map, limit, from)`: the first clear bit in
    /// `[from, limit)`, or `limit` when there is none (also when `from >= limit`).
    public func findNextZero(from: Int, limit: Int) -> Int { findNext(from: from, limit: limit, set: false) }

    /// `find_next_bit(map, limit, from)`: the first set bit in `[from, limit)`, or `limit`.
    public func findNextSet(from: Int, limit: Int) -> Int { findNext(from: from, limit: limit, set: true) }

    /// The maximal clear runs `[start, end)` inside `[from, limit)`, in order,
    /// as `for_each_clear_bitrange_from` (6.8) / `bitmap_for_each_clear_region` (6.1) visit them.
    public func clearRuns(from: Int, limit: Int) -> [Range<Int>] {
        var runs: [Range<Int>] = []
        forEachClearRun(from: from, limit: limit) { runs.append($0 ..< $1) }
        return runs
    }

    /// `clearRuns` without building an array: `body(start, end)` for each run.
    @inlinable
    public func forEachClearRun(from: Int, limit: Int, _ body: (Int, Int) -> Void) {
        let end = Swift.min(Swift.max(limit, 0), count)
        var start = findNextZero(from: from, limit: end)
        while start < end {
            let stop = findNextSet(from: start + 1, limit: end)
            body(start, stop)
            start = findNextZero(from: stop + 1, limit: end)
        }
    }

    // MARK: - Word-level helpers

    private mutating func update(_ range: Range<Int>, to value: Bool) {
        let lo = min(max(range.lowerBound, 0), count)
        let hi = min(max(range.upperBound, 0), count)
        guard lo < hi else { return }
        var bit = lo
        while bit < hi {
            let word = bit >> 6
            let first = bit & 63
            let last = min(hi - (word << 6), 64)           // exclusive, within this word
            let width = last - first
            let mask: UInt64 = width == 64 ? ~0 : ((UInt64(1) << UInt64(width)) - 1) << UInt64(first)
            if value { words[word] |= mask } else { words[word] &= ~mask }
            bit = (word + 1) << 6
        }
    }

    private func findNext(from: Int, limit: Int, set: Bool) -> Int {
        let end = min(max(limit, 0), count)
        var bit = max(from, 0)
        guard bit < end else { return limit }
        while bit < end {
            let word = bit >> 6
            var w = set ? words[word] : ~words[word]
            w &= ~UInt64(0) << UInt64(bit & 63)
            if w != 0 {
                let found = (word << 6) + w.trailingZeroBitCount
                return found < end ? found : limit
            }
            bit = (word + 1) << 6
        }
        return limit
    }
}
