/// The gzip container (RFC 1952) around a DEFLATE stream, as `/proc/config.gz`
/// (kernel/configs.c, `ikconfig`) is: the header with its optional fields, the
/// stream, and the trailer's CRC-32 and length, both checked.
enum Gzip {
    static func isGzip(_ bytes: [UInt8]) -> Bool { bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b }

    static func decompress(_ bytes: [UInt8], fileName: String) throws(KernelBuildError) -> [UInt8] {
        func fail(_ offset: Int, _ message: String) -> KernelBuildError {
            KernelBuildError(fileName: fileName, offset: offset, "gzip: " + message)
        }
        guard bytes.count >= 18 else { throw fail(0, "\(bytes.count) bytes, shorter than a gzip header and trailer") }
        guard bytes[2] == 8 else { throw fail(2, "compression method \(bytes[2]) (expected 8, deflate)") }
        let flags = bytes[3]
        var position = 10
        if flags & 0x04 != 0 {      // FEXTRA
            guard bytes.count - position >= 2 else { throw fail(position, "the extra field is cut short") }
            let length = Int(bytes[position]) | Int(bytes[position + 1]) << 8
            guard bytes.count - position - 2 >= length else { throw fail(position, "the extra field runs past the end") }
            position += 2 + length
        }
        for flag: UInt8 in [0x08, 0x10] where flags & flag != 0 {     // FNAME, FCOMMENT: NUL-terminated
            guard let nul = bytes[position...].firstIndex(of: 0) else { throw fail(position, "an unterminated name or comment") }
            position = nul + 1
        }
        if flags & 0x02 != 0 { position += 2 }       // FHCRC
        guard position < bytes.count else { throw fail(position, "no compressed data") }
        var inflater = Inflater(bytes, start: position)
        do { try inflater.run() } catch { throw fail(error.offset, error.message) }
        let end = inflater.endOffset
        guard bytes.count - end >= 8 else { throw fail(end, "the trailer (CRC-32 and length) is cut short") }
        let output = inflater.output
        let crc = UInt32(bytes[end]) | UInt32(bytes[end + 1]) << 8 | UInt32(bytes[end + 2]) << 16 | UInt32(bytes[end + 3]) << 24
        let size = UInt32(bytes[end + 4]) | UInt32(bytes[end + 5]) << 8 | UInt32(bytes[end + 6]) << 16 | UInt32(bytes[end + 7]) << 24
        guard crc == crc32(output) else { throw fail(end, "CRC-32 mismatch: the data is damaged") }
        guard size == UInt32(truncatingIfNeeded: output.count) else {
            throw fail(end + 4, "the trailer says \(size) bytes, \(output.count) came out")
        }
        return output
    }

    static let crcTable: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xedb8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xffff_ffff
        for b in bytes { c = crcTable[Int((c ^ UInt32(b)) & 0xff)] ^ (c >> 8) }
        return c ^ 0xffff_ffff
    }
}
