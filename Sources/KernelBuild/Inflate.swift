/// DEFLATE (RFC 1951) decompression, for `/proc/config.gz`: stored, fixed-Huffman
/// and dynamic-Huffman blocks. Written here rather than linking zlib so that the tool
/// stays one self-contained Swift package; every read is bounds-checked and every
/// malformed stream ends in an `InflateError`, never a trap. The output is limited
/// (`maximumOutput`) so that a hostile stream cannot exhaust memory.
struct Inflater {
    struct InflateError: Error, Equatable {
        var offset: Int
        var message: String
    }

    private let input: [UInt8]
    private var position: Int
    private var bitBuffer: UInt32 = 0
    private var bitCount = 0
    private(set) var output: [UInt8] = []
    let maximumOutput: Int

    init(_ input: [UInt8], start: Int, maximumOutput: Int = 64 << 20) {
        self.input = input
        self.position = start
        self.maximumOutput = maximumOutput
    }

    /// Where the compressed stream ended (the byte after its last block).
    var endOffset: Int { position }

    private func fail(_ message: String) -> InflateError { InflateError(offset: position, message: message) }

    private mutating func bits(_ count: Int) throws(InflateError) -> Int {
        while bitCount < count {
            guard position < input.count else { throw fail("the compressed data ends in the middle of a block") }
            bitBuffer |= UInt32(input[position]) << UInt32(bitCount)
            position += 1
            bitCount += 8
        }
        let value = Int(bitBuffer & ((1 << UInt32(count)) - 1))
        bitBuffer >>= UInt32(count)
        bitCount -= count
        return value
    }

    /// A canonical Huffman code: `counts[len]` codes of each length, `symbols` in code order.
    struct Huffman {
        var counts = [Int](repeating: 0, count: 16)
        var symbols: [Int] = []

        /// Lengths beyond one code's more than the code space holds.
        var overSubscribed = false

        /// `lengths` are each 0...15 (3-bit and 4-bit fields, or the constants below).
        init(lengths: [Int]) {
            for length in lengths { counts[length] += 1 }
            counts[0] = 0
            var left = 1
            for length in 1..<16 {
                left <<= 1
                left -= counts[length]
                if left < 0 { overSubscribed = true }
            }
            var offsets = [Int](repeating: 0, count: 16)
            for length in 1..<15 { offsets[length + 1] = offsets[length] + counts[length] }
            symbols = [Int](repeating: 0, count: lengths.count)
            for (symbol, length) in lengths.enumerated() where length != 0 {
                symbols[offsets[length]] = symbol
                offsets[length] += 1
            }
        }
    }

    private mutating func decode(_ h: Huffman) throws(InflateError) -> Int {
        var code = 0, first = 0, index = 0
        for length in 1..<16 {
            code |= try bits(1)
            let count = h.counts[length]
            if code - count < first { return h.symbols[index + (code - first)] }
            index += count
            first += count
            first <<= 1
            code <<= 1
        }
        throw fail("a Huffman code that decodes to nothing")
    }

    static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115,
                             131, 163, 195, 227, 258]
    static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025,
                               1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12,
                                13, 13]

    /// Decompresses blocks until the one marked last.
    mutating func run() throws(InflateError) {
        var last = false
        while !last {
            last = try bits(1) == 1
            switch try bits(2) {
            case 0: try stored()
            case 1: try codes(Self.fixedLiteral, Self.fixedDistance)
            case 2:
                let (literal, distance) = try dynamicTables()
                try codes(literal, distance)
            default: throw fail("a block of the reserved type 3")
            }
        }
    }

    private mutating func stored() throws(InflateError) {
        bitBuffer = 0
        bitCount = 0
        guard input.count - position >= 4 else { throw fail("a stored block's header is cut short") }
        let length = Int(input[position]) | Int(input[position + 1]) << 8
        let complement = Int(input[position + 2]) | Int(input[position + 3]) << 8
        guard length == ~complement & 0xffff else { throw fail("a stored block's length and its complement disagree") }
        position += 4
        guard input.count - position >= length else { throw fail("a stored block runs past the end of the data") }
        try grow(length)
        output += input[position..<position + length]
        position += length
    }

    private mutating func grow(_ count: Int) throws(InflateError) {
        guard output.count <= maximumOutput - count else {
            throw fail("decompresses to more than \(maximumOutput >> 20) MiB: not a kernel configuration")
        }
    }

    static let fixedLiteral: Huffman = {
        var lengths = [Int](repeating: 8, count: 288)
        for i in 144..<256 { lengths[i] = 9 }
        for i in 256..<280 { lengths[i] = 7 }
        return Huffman(lengths: lengths)          // RFC 1951 §3.2.6
    }()
    static let fixedDistance = Huffman(lengths: [Int](repeating: 5, count: 30))

    private mutating func dynamicTables() throws(InflateError) -> (Huffman, Huffman) {
        let literalCount = try bits(5) + 257
        let distanceCount = try bits(5) + 1
        let codeCount = try bits(4) + 4
        guard literalCount <= 286, distanceCount <= 30 else { throw fail("too many literal or distance codes") }
        let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
        var codeLengths = [Int](repeating: 0, count: 19)
        for i in 0..<codeCount { codeLengths[order[i]] = try bits(3) }
        let lengthCode = Huffman(lengths: codeLengths)
        if lengthCode.overSubscribed { throw fail("an over-subscribed code length code") }
        var lengths: [Int] = []
        while lengths.count < literalCount + distanceCount {
            let symbol = try decode(lengthCode)
            switch symbol {
            case 0..<16: lengths.append(symbol)
            case 16:
                guard let previous = lengths.last else { throw fail("a repeat of the previous length with none before") }
                lengths += repeatElement(previous, count: 3 + (try bits(2)))
            case 17: lengths += repeatElement(0, count: 3 + (try bits(3)))
            default: lengths += repeatElement(0, count: 11 + (try bits(7)))
            }
        }
        guard lengths.count == literalCount + distanceCount else { throw fail("code lengths run past their count") }
        guard lengths[256] != 0 else { throw fail("no end-of-block code") }
        let tables = (Huffman(lengths: Array(lengths[..<literalCount])), Huffman(lengths: Array(lengths[literalCount...])))
        if tables.0.overSubscribed || tables.1.overSubscribed { throw fail("an over-subscribed literal or distance code") }
        return tables
    }

    private mutating func codes(_ literal: Huffman, _ distance: Huffman) throws(InflateError) {
        while true {
            let symbol = try decode(literal)
            if symbol < 256 {
                try grow(1)
                output.append(UInt8(symbol))
            } else if symbol == 256 {
                return
            } else {
                let index = symbol - 257
                guard index < Self.lengthBase.count else { throw fail("an invalid length code \(symbol)") }
                let length = Self.lengthBase[index] + (try bits(Self.lengthExtra[index]))
                let d = try decode(distance)
                guard d < Self.distanceBase.count else { throw fail("an invalid distance code \(d)") }
                let back = Self.distanceBase[d] + (try bits(Self.distanceExtra[d]))
                guard back <= output.count else { throw fail("a back-reference before the start of the data") }
                try grow(length)
                let start = output.count - back
                for i in 0..<length { output.append(output[start + i]) }
            }
        }
    }
}
