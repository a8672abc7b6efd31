/// Every way reading an ACPI table can fail.
///
/// A reader of firmware must never trap on what the firmware says: every check of
/// this module ends in one of these values, naming the table (its signature, and
/// the file it came from when known), the byte offset inside the table and what is
/// wrong there, e.g. `acpi/SRAT: SRAT at offset 0x9c: memory affinity structure of
/// 24 bytes (expected at least 40)`.
public struct ACPITableError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The table's signature as the file name or the header says (`SRAT`, `APIC`, …).
    public var table: String
    /// Byte offset inside the table of the offending field; nil for the file as a whole.
    public var offset: Int?
    /// What is wrong.
    public var message: String
    /// The file the table came from, when the caller named it.
    public var fileName: String?

    public init(table: String, offset: Int?, _ message: String, fileName: String? = nil) {
        self.table = table
        self.offset = offset
        self.message = message
        self.fileName = fileName
    }

    public var description: String {
        var text = fileName.map { $0 + ": " } ?? ""
        text += table
        if let offset { text += " at offset 0x" + String(offset, radix: 16) }
        return text + ": " + message
    }
}

/// Little-endian reads from a table's bytes, each checked against the bytes held:
/// a read past the end is an `ACPITableError` naming the field, never a trap.
struct TableBytes {
    let bytes: [UInt8]
    let table: String

    func u8(_ offset: Int, _ field: String) throws(ACPITableError) -> UInt8 {
        try check(offset, 1, field)
        return bytes[offset]
    }

    func u16(_ offset: Int, _ field: String) throws(ACPITableError) -> UInt16 {
        UInt16(truncatingIfNeeded: try little(offset, 2, field))
    }

    func u32(_ offset: Int, _ field: String) throws(ACPITableError) -> UInt32 {
        UInt32(truncatingIfNeeded: try little(offset, 4, field))
    }

    func u64(_ offset: Int, _ field: String) throws(ACPITableError) -> UInt64 {
        try little(offset, 8, field)
    }

    /// `count` bytes as text (signatures, OEM ids), NULs kept as they are.
    func ascii(_ offset: Int, _ count: Int, _ field: String) throws(ACPITableError) -> String {
        try check(offset, count, field)
        return String(decoding: bytes[offset..<offset + count], as: UTF8.self)
    }

    private func little(_ offset: Int, _ count: Int, _ field: String) throws(ACPITableError) -> UInt64 {
        try check(offset, count, field)
        var value: UInt64 = 0
        for i in (0..<count).reversed() { value = value << 8 | UInt64(bytes[offset + i]) }
        return value
    }

    private func check(_ offset: Int, _ count: Int, _ field: String) throws(ACPITableError) {
        guard offset >= 0, count >= 0, offset <= bytes.count, count <= bytes.count - offset else {
            throw ACPITableError(table: table, offset: offset,
                                 "\(field) (\(count) byte\(count == 1 ? "" : "s")) lies beyond the table's \(bytes.count) bytes")
        }
    }
}
