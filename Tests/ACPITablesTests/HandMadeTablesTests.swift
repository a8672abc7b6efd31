import Foundation
import Testing
@testable import ACPITables

/// Structures the recorded boots do not have, built by hand from the ACPI layout.
@Suite struct HandMadeTablesTests {
    /// x2APIC affinity, a local APIC entry whose domain uses the high bytes
    /// (0x0102_0304 = low 04, high 03 02 01), a disabled hot-pluggable non-volatile memory
    /// range, a generic initiator, and an unknown type that is passed over.
    @Test func everySRATStructure() throws {
        let body = SRATBytes.fixed
            + SRATBytes.localAPIC(apic: 7, pxm: 0x0102_0304)
            + SRATBytes.x2APIC(apic: 0x1_0000, pxm: 9, flags: 0)
            + SRATBytes.memory(base: 0x1_0000_0000, length: 0x4000_0000, pxm: 2, flags: 0b110)
            + SRATBytes.genericInitiator(pxm: 5)
            + [4, 8, 0, 0, 0, 0, 0, 0]      // GIC ITS affinity: not read for NUMA
        let srat = try SRAT(try ACPITable(bytes: makeTable("SRAT", revision: 3, body: body), signature: "SRAT"))
        guard srat.entries.count == 5,
              case .localAPIC(let lapic) = srat.entries[0], case .x2APIC(let x2) = srat.entries[1],
              case .memory(let memory) = srat.entries[2], case .genericInitiator(let gi) = srat.entries[3],
              case .other(let type, let offset) = srat.entries[4] else {
            Issue.record("unexpected entries \(srat.entries)")
            return
        }
        #expect(lapic.apicID == 7 && lapic.proximityDomain == 0x0102_0304 && lapic.enabled)
        #expect(x2.apicID == 0x1_0000 && x2.proximityDomain == 9 && !x2.enabled && x2.offset == 48 + 16)
        #expect(memory.base == 0x1_0000_0000 && !memory.enabled && memory.hotPluggable && memory.nonVolatile)
        #expect(gi.proximityDomain == 5 && gi.enabled && gi.deviceHandleType == 1)
        #expect(type == 4 && offset == 48 + 16 + 24 + 40 + 32)
    }

    /// An x86 MADT with an x2APIC entry and a disabled, online-capable local APIC.
    @Test func madtFlags() throws {
        let body = MADTBytes.fixed + MADTBytes.localAPIC(uid: 0, apic: 0) + MADTBytes.localAPIC(uid: 1, apic: 1, flags: 0b10)
            + MADTBytes.x2APIC(uid: 2, apic: 0x100)
        let madt = try MADT(try ACPITable(bytes: makeTable("APIC", revision: 5, body: body), signature: "APIC"))
        #expect(madt.processors.map(\.kind) == [.localAPIC, .localAPIC, .x2APIC])
        #expect(madt.processors.map(\.enabled) == [true, false, true])
        #expect(madt.processors.map(\.onlineCapable) == [false, true, false])
        #expect(madt.processors.map(\.hardwareID) == [0, 1, 0x100])
        #expect(madt.processors.map(\.uid) == [0, 1, 2])
    }

    /// `acpidump -b` names: lower case with `.dat`; other tables are ignored.
    @Test func acpidumpFileNames() throws {
        #expect(ACPITableSet.signature(ofFileNamed: "srat.dat") == "SRAT")
        #expect(ACPITableSet.signature(ofFileNamed: "APIC") == "APIC")
        #expect(ACPITableSet.signature(ofFileNamed: "facp.dat") == "FACP")
        #expect(ACPITableSet.signature(ofFileNamed: "ssdt1.dat") == nil)
        #expect(ACPITableSet.signature(ofFileNamed: "dynamic") == nil)
    }

    @Test func twoFilesForOneTable() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("acpi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let slit = makeTable("SLIT", body: le64(1) + [10])
        try Data(slit).write(to: dir.appendingPathComponent("SLIT"))
        try Data(slit).write(to: dir.appendingPathComponent("slit.dat"))
        do {
            _ = try ACPITableSet.load(directory: dir.path)
            Issue.record("two SLITs were accepted")
        } catch {
            #expect(error.table == "SLIT")
            #expect(error.message.contains("two files hold this table"))
        }
    }
}

/// The GICC's online-capable bit is bit 3 (ACPI 6.5 Table 5.37; `ACPI_MADT_GICC_ONLINE_CAPABLE`);
/// its bit 1 is the performance interrupt mode.
@Suite struct GICCFlagsTests {
    @Test func onlineCapableIsBit3() throws {
        let body = MADTBytes.fixed + MADTBytes.gicc(uid: 0, mpidr: 0) + MADTBytes.gicc(uid: 1, mpidr: 1, flags: 0b0010)
            + MADTBytes.gicc(uid: 2, mpidr: 2, flags: 0b1000)
        let madt = try MADT(try ACPITable(bytes: makeTable("APIC", revision: 6, body: body), signature: "APIC"))
        #expect(madt.processors.map { $0.enabled } == [true, false, false])
        #expect(madt.processors.map { $0.onlineCapable } == [false, false, true])
        #expect(madt.processors.map(\.hardwareID) == [0, 1, 2])
    }
}
