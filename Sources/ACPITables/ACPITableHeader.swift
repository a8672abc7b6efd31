/// The 36-byte header every ACPI system description table starts with
/// (`struct acpi_table_header`, include/acpi/actbl.h; ACPI 6.5 §5.2.6).
public struct ACPITableHeader: Equatable, Sendable {
    public static let size = 36

    public var signature: String
    /// The whole table, header included.
    public var length: UInt32
    public var revision: UInt8
    public var checksum: UInt8
    public var oemID: String
    public var oemTableID: String
    public var oemRevision: UInt32
    public var creatorID: String
    public var creatorRevision: UInt32
}

/// One table's bytes with a checked header: the signature is what was asked for,
/// the length field is at least the header and exactly the bytes held (a table
/// file holds one table), and all bytes sum to zero modulo 256.
///
/// The kernel itself only verifies checksums when `acpi_gbl_verify_table_checksum`
/// asks for it ("ACPI: Early table checksum verification disabled" on the recorded
/// boots); a table read from a file is checked anyway, since a bad sum there means
/// a damaged copy.
public struct ACPITable: Sendable {
    public var header: ACPITableHeader
    public var bytes: [UInt8]
    /// The file it came from, for messages.
    public var fileName: String?

    var reader: TableBytes { TableBytes(bytes: bytes, table: header.signature) }

    /// Checks and wraps `bytes` as the table `signature`.
    public init(bytes: [UInt8], signature: String, fileName: String? = nil) throws(ACPITableError) {
        func fail(_ offset: Int?, _ message: String) -> ACPITableError {
            ACPITableError(table: signature, offset: offset, message, fileName: fileName)
        }
        guard bytes.count >= ACPITableHeader.size else {
            throw fail(nil, "truncated: \(bytes.count) bytes, shorter than the \(ACPITableHeader.size)-byte table header")
        }
        let raw = TableBytes(bytes: bytes, table: signature)
        let found = try raw.ascii(0, 4, "signature")
        guard found == signature else {
            throw fail(0, "signature '\(printable(found))' (expected '\(signature)')")
        }
        let length = try raw.u32(4, "length")
        guard length >= UInt32(ACPITableHeader.size) else {
            throw fail(4, "length field \(length) is shorter than the \(ACPITableHeader.size)-byte header")
        }
        if UInt64(length) > UInt64(bytes.count) {
            throw fail(4, "truncated: the length field says \(length) bytes, the file holds \(bytes.count)")
        }
        if UInt64(length) < UInt64(bytes.count) {
            throw fail(4, "the length field says \(length) bytes but the file holds \(bytes.count): not one whole table")
        }
        let sum = bytes.reduce(UInt8(0), &+)
        if sum != 0 {
            let stored = bytes[9]
            throw fail(9, "bad checksum 0x\(hex2(stored)): the bytes sum to 0x\(hex2(sum)) (expected 0x00; "
                       + "a checksum of 0x\(hex2(stored &- sum)) would)")
        }
        header = ACPITableHeader(
            signature: found, length: length, revision: try raw.u8(8, "revision"), checksum: try raw.u8(9, "checksum"),
            oemID: try raw.ascii(10, 6, "OEM id"), oemTableID: try raw.ascii(16, 8, "OEM table id"),
            oemRevision: try raw.u32(24, "OEM revision"), creatorID: try raw.ascii(28, 4, "creator id"),
            creatorRevision: try raw.u32(32, "creator revision"))
        self.bytes = bytes
        self.fileName = fileName
    }

    func error(_ offset: Int?, _ message: String) -> ACPITableError {
        ACPITableError(table: header.signature, offset: offset, message, fileName: fileName)
    }

    /// The subtables that follow a fixed part of `fixedSize` bytes (SRAT, MADT):
    /// `(type, offset, length)` each, checked as `acpi_parse_entries_array`
    /// (drivers/acpi/tables.c) walks them — a length of zero stops the kernel with
    /// "Invalid zero length", a subtable running past the table's end is refused.
    func subtables(after fixedSize: Int) throws(ACPITableError) -> [(type: UInt8, offset: Int, length: Int)] {
        guard bytes.count >= fixedSize else {
            throw error(ACPITableHeader.size, "truncated: \(bytes.count) bytes, shorter than the table's fixed part of \(fixedSize)")
        }
        var result: [(UInt8, Int, Int)] = []
        var offset = fixedSize
        while offset < bytes.count {
            guard bytes.count - offset >= 2 else {
                throw error(offset, "a subtable header needs 2 bytes, \(bytes.count - offset) left before the end")
            }
            let type = bytes[offset]
            let length = Int(bytes[offset + 1])
            guard length >= 2 else {
                throw error(offset, "subtable of type 0x\(hex2(type)) has length \(length) (the kernel stops at "
                            + "\"Invalid zero length\"; at least 2)")
            }
            guard length <= bytes.count - offset else {
                throw error(offset, "subtable of type 0x\(hex2(type)) is \(length) bytes long but only "
                            + "\(bytes.count - offset) remain in the table")
            }
            result.append((type, offset, length))
            offset += length
        }
        return result
    }

    /// Refuses a known subtable shorter than its structure.
    func requireLength(_ entry: (type: UInt8, offset: Int, length: Int), _ minimum: Int,
                       _ what: String) throws(ACPITableError) {
        guard entry.length >= minimum else {
            throw error(entry.offset, "\(what) structure of \(entry.length) bytes (expected at least \(minimum))")
        }
    }
}

func hex2(_ value: UInt8) -> String {
    let text = String(value, radix: 16, uppercase: true)
    return text.count == 1 ? "0" + text : text
}

func printable(_ text: String) -> String {
    String(text.unicodeScalars.map { $0.value >= 0x20 && $0.value < 0x7f ? Character($0) : "." })
}
