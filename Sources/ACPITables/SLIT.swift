/// The System Locality Information Table (`struct acpi_table_slit`, actbl3.h; ACPI 6.5
/// §5.2.17): `locality_count` (u64) and a row-major matrix of u8 distances.
public struct SLIT: Equatable, Sendable {
    /// `entry[i * count + j]`, as rows.
    public var matrix: [[UInt8]]

    static let countOffset = 36
    static let entriesOffset = 44

    /// The matrix must fill the table exactly: `length == 44 + count²`.
    public init(_ table: ACPITable) throws(ACPITableError) {
        let r = table.reader
        let count = try r.u64(Self.countOffset, "locality count")
        let room = UInt64(table.bytes.count - min(table.bytes.count, Self.entriesOffset))
        // count² must equal the bytes after the count; checked without overflow.
        guard count <= 0xffff_ffff, count * count == room else {
            let needed = count <= 0xffff_ffff ? "\(count * count) bytes of distances" : "more bytes than any table holds"
            throw table.error(Self.countOffset, "locality count \(count) needs \(needed), the table has \(room) after the count")
        }
        let n = Int(count)
        matrix = (0..<n).map { i in Array(table.bytes[(Self.entriesOffset + i * n)..<(Self.entriesOffset + (i + 1) * n)]) }
    }
}
