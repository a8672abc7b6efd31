import Foundation
import Testing
@testable import ACPITables

/// Damaged tables: each is refused with the table, the offset and what is wrong —
/// never a trap. The offsets are those of the ACPI layout (header: length at 4,
/// checksum at 9; SRAT subtables from 48, MADT ones from 44, SLIT count at 36).
@Suite struct CorruptTablesTests {
    static func srat(_ body: [UInt8], revision: UInt8 = 3) -> [UInt8] {
        makeTable("SRAT", revision: revision, body: SRATBytes.fixed + body)
    }

    static func error(_ bytes: [UInt8], _ signature: String = "SRAT") -> ACPITableError? {
        do {
            let table = try ACPITable(bytes: bytes, signature: signature)
            switch signature {
            case "SRAT": _ = try SRAT(table)
            case "SLIT": _ = try SLIT(table)
            default: _ = try MADT(table)
            }
            return nil
        } catch {
            return error
        }
    }

    @Test func aGoodHandMadeTableReads() throws {
        let bytes = Self.srat(SRATBytes.memory(base: 0, length: 0x1000, pxm: 0))
        #expect(Self.error(bytes) == nil)
    }

    @Test func badChecksum() throws {
        var bytes = Self.srat(SRATBytes.memory(base: 0, length: 0x1000, pxm: 0))
        bytes[60] ^= 0x40
        let error = try #require(Self.error(bytes))
        #expect(error.table == "SRAT")
        #expect(error.offset == 9)
        #expect(error.message.contains("bad checksum"))
        #expect(error.description.hasPrefix("SRAT at offset 0x9: bad checksum"))
    }

    @Test func truncatedFile() throws {
        let bytes = Self.srat(SRATBytes.memory(base: 0, length: 0x1000, pxm: 0))
        let error = try #require(Self.error(Array(bytes.prefix(70))))
        #expect(error.offset == 4)
        #expect(error.message.contains("truncated: the length field says 88 bytes, the file holds 70"))
    }

    @Test func shorterThanAHeader() throws {
        let error = try #require(Self.error(Array("SRAT".utf8) + le32(36)))
        #expect(error.offset == nil)
        #expect(error.message.contains("shorter than the 36-byte table header"))
    }

    @Test func lengthFieldLiesShort() throws {
        var bytes = Self.srat(SRATBytes.memory(base: 0, length: 0x1000, pxm: 0))
        bytes.replaceSubrange(4..<8, with: le32(60))
        let error = try #require(Self.error(bytes))
        #expect(error.offset == 4)
        #expect(error.message.contains("says 60 bytes but the file holds 88"))
    }

    @Test func lengthFieldBelowTheHeader() throws {
        var bytes = Self.srat([])
        bytes.replaceSubrange(4..<8, with: le32(20))
        let error = try #require(Self.error(bytes))
        #expect(error.message.contains("length field 20 is shorter than the 36-byte header"))
    }

    @Test func wrongSignature() throws {
        let error = try #require(Self.error(makeTable("SLIT", body: le64(0)), "SRAT"))
        #expect(error.offset == 0)
        #expect(error.message.contains("signature 'SLIT' (expected 'SRAT')"))
    }

    /// A memory affinity structure that claims 60 bytes where 40 remain.
    @Test func subtableRunsPastTheEnd() throws {
        var body = SRATBytes.memory(base: 0, length: 0x1000, pxm: 0)
        body[1] = 60
        let error = try #require(Self.error(Self.srat(body)))
        #expect(error.offset == 48)
        #expect(error.message.contains("is 60 bytes long but only 40 remain"))
    }

    /// The second structure (at 48 + 40 = 88) has length 0: the kernel's "Invalid zero length".
    @Test func zeroLengthSubtable() throws {
        let error = try #require(Self.error(Self.srat(SRATBytes.memory(base: 0, length: 0x1000, pxm: 0) + [1, 0])))
        #expect(error.offset == 88)
        #expect(error.message.contains("length 0"))
    }

    /// A memory affinity structure of 24 bytes (the type needs 40).
    @Test func subtableTooShortForItsType() throws {
        var body = Array(SRATBytes.memory(base: 0, length: 0x1000, pxm: 0).prefix(24))
        body[1] = 24
        let error = try #require(Self.error(Self.srat(body)))
        #expect(error.offset == 48)
        #expect(error.message == "memory affinity structure of 24 bytes (expected at least 40)")
    }

    /// A GICC of 40 bytes in an MADT (the kernel's BAD_MADT_GICC_ENTRY needs 76).
    @Test func shortGICC() throws {
        var gicc = Array(MADTBytes.gicc(uid: 0, mpidr: 0).prefix(40))
        gicc[1] = 40
        let error = try #require(Self.error(makeTable("APIC", revision: 4, body: MADTBytes.fixed + gicc), "APIC"))
        #expect(error.table == "APIC")
        #expect(error.offset == 44)
        #expect(error.message.contains("GICC structure of 40 bytes (expected at least 76)"))
    }

    /// A SLIT whose locality count (3) wants 9 bytes where 4 follow.
    @Test func slitCountDisagreesWithLength() throws {
        let error = try #require(Self.error(makeTable("SLIT", body: le64(3) + [10, 21, 21, 10]), "SLIT"))
        #expect(error.offset == 36)
        #expect(error.message.contains("locality count 3 needs 9 bytes of distances, the table has 4"))
    }

    /// A count whose square overflows 64 bits is an error, not a trap.
    @Test func slitHugeCount() throws {
        let error = try #require(Self.error(makeTable("SLIT", body: le64(UInt64.max) + [10]), "SLIT"))
        #expect(error.message.contains("locality count 18446744073709551615"))
    }

    /// The directory loader names the file.
    @Test func directoryNamesTheFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("acpi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var bytes = Self.srat(SRATBytes.memory(base: 0, length: 0x1000, pxm: 0))
        bytes[9] &+= 1
        try Data(bytes).write(to: dir.appendingPathComponent("srat.dat"))
        #expect(throws: ACPITableError.self) { try ACPITableSet.load(directory: dir.path) }
        do {
            _ = try ACPITableSet.load(directory: dir.path)
        } catch {
            #expect(error.description.hasSuffix("/srat.dat: SRAT at offset 0x9: " + error.message))
        }
    }

    @Test func directoryWithoutTables() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("acpi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data([1, 2, 3]).write(to: dir.appendingPathComponent("DSDT"))
        #expect(throws: ACPITableError.self) { try ACPITableSet.load(directory: dir.path) }
        #expect(throws: ACPITableError.self) { try ACPITableSet.load(directory: dir.appendingPathComponent("DSDT").path) }
    }
}
