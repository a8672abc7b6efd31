import Testing
@testable import ACPITables

/// The tables of the recorded QEMU boots (Tests/Fixtures/firmware-boots), read by our
/// reader and compared field by field with what an independent tool decodes from the
/// same bytes: `iasl -d` (Debian's acpica-tools 20200925), whose output lines are quoted.
@Suite struct RecordedTablesTests {
    /// x86 `SRAT` (`iasl -d`: Revision 01; six "Processor Local APIC/SAPIC Affinity" at
    /// 030h, 040h, … with Apic ID 00–05, Proximity Domain Low(8) 00,00,00,01,01,01, Flags
    /// 00000001; four "Memory Affinity" at 090h, 0B8h, 0E0h, 108h).
    @Test func x86SRATMatchesIasl() throws {
        let table = try ACPITable(bytes: try FirmwareBoots.bytes("x86-2node-embed", "SRAT"), signature: "SRAT")
        #expect(table.header.length == 0x130)
        #expect(table.header.checksum == 0x3F)
        #expect(table.header.oemID == "BOCHS ")
        let srat = try SRAT(table)
        #expect(srat.revision == 1)
        let cpus: [SRATLocalAPICAffinity] = srat.entries.compactMap { if case .localAPIC(let e) = $0 { e } else { nil } }
        #expect(cpus.map(\.offset) == [0x30, 0x40, 0x50, 0x60, 0x70, 0x80])
        #expect(cpus.map(\.apicID) == [0, 1, 2, 3, 4, 5])
        #expect(cpus.map(\.proximityDomain) == [0, 0, 0, 1, 1, 1])
        #expect(cpus.allSatisfy { $0.flags == 1 && $0.enabled })
        let memory: [SRATMemoryAffinity] = srat.entries.compactMap { if case .memory(let e) = $0 { e } else { nil } }
        #expect(memory.map(\.offset) == [0x90, 0xB8, 0xE0, 0x108])
        // Base Address / Address Length / Proximity Domain / Flags of each.
        #expect(memory.map(\.base) == [0, 0x100000, 0x4000_0000, 0])
        #expect(memory.map(\.length) == [0xA0000, 0x3FF0_0000, 0x4000_0000, 0])
        #expect(memory.map(\.proximityDomain) == [0, 0, 1, 0])
        #expect(memory.map(\.flags) == [1, 1, 1, 0])
        #expect(memory.map(\.hotPluggable) == [false, false, false, false])
    }

    /// arm64 `SRAT` (`iasl -d`: Revision 03; six "GICC Affinity", Length 12, at 030h + 12h·i
    /// with Proximity Domain 0,0,0,1,1,1 and Acpi Processor UID 0–5; "Memory Affinity" at
    /// 09Ch (40000000, 40000000, PXM 0) and 0C4h (80000000, 40000000, PXM 1)).
    @Test func arm64SRATMatchesIasl() throws {
        let srat = try SRAT(try ACPITable(bytes: try FirmwareBoots.bytes("arm64-acpi-2node", "SRAT"), signature: "SRAT"))
        #expect(srat.revision == 3)
        let gicc: [SRATUIDAffinity] = srat.entries.compactMap { if case .gicc(let e) = $0 { e } else { nil } }
        #expect(gicc.map(\.offset) == [0x30, 0x42, 0x54, 0x66, 0x78, 0x8A])
        #expect(gicc.map(\.acpiProcessorUID) == [0, 1, 2, 3, 4, 5])
        #expect(gicc.map(\.proximityDomain) == [0, 0, 0, 1, 1, 1])
        #expect(gicc.allSatisfy { $0.enabled })
        let memory: [SRATMemoryAffinity] = srat.entries.compactMap { if case .memory(let e) = $0 { e } else { nil } }
        #expect(memory.map(\.offset) == [0x9C, 0xC4])
        #expect(memory.map(\.base) == [0x4000_0000, 0x8000_0000])
        #expect(memory.map(\.length) == [0x4000_0000, 0x4000_0000])
        #expect(memory.map(\.proximityDomain) == [0, 1])
    }

    /// Both `SLIT`s (`iasl -d`: Localities 2; "Locality 0 : 0A 15", "Locality 1 : 15 0A").
    @Test(arguments: ["x86-2node-embed", "arm64-acpi-2node"])
    func slitMatchesIasl(_ name: String) throws {
        let slit = try SLIT(try ACPITable(bytes: try FirmwareBoots.bytes(name, "SLIT"), signature: "SLIT"))
        #expect(slit.matrix == [[0x0A, 0x15], [0x15, 0x0A]])
    }

    /// x86 `APIC` (`iasl -d`: six "Processor Local APIC" at 02Ch + 8·i, Processor ID = Local
    /// Apic ID = 0–5, Flags 00000001 "Processor Enabled : 1", "Runtime Online Capable : 0";
    /// then I/O APIC and interrupt source overrides, which are not processors).
    @Test func x86MADTMatchesIasl() throws {
        let madt = try MADT(try ACPITable(bytes: try FirmwareBoots.bytes("x86-2node-embed", "APIC"), signature: "APIC"))
        #expect(madt.revision == 1)
        #expect(madt.flags == 1)
        #expect(madt.processors.map(\.kind) == Array(repeating: .localAPIC, count: 6))
        #expect(madt.processors.map(\.offset) == [0x2C, 0x34, 0x3C, 0x44, 0x4C, 0x54])
        #expect(madt.processors.map(\.hardwareID) == [0, 1, 2, 3, 4, 5])
        #expect(madt.processors.map(\.uid) == [0, 1, 2, 3, 4, 5])
        #expect(madt.processors.allSatisfy { $0.enabled && !$0.onlineCapable })
    }

    /// arm64 `APIC` (`iasl -d`: Revision 04; a distributor at 02Ch, six "Generic Interrupt
    /// Controller" at 044h + 50h·i with Processor UID 0–5, Flags 00000001 and ARM MPIDR
    /// 0–5; a "Generic MSI Frame" last).
    @Test func arm64MADTMatchesIasl() throws {
        let madt = try MADT(try ACPITable(bytes: try FirmwareBoots.bytes("arm64-acpi-2node", "APIC"), signature: "APIC"))
        #expect(madt.revision == 4)
        #expect(madt.processors.map(\.kind) == Array(repeating: .gicc, count: 6))
        #expect(madt.processors.map(\.offset) == [0x44, 0x94, 0xE4, 0x134, 0x184, 0x1D4])
        #expect(madt.processors.map(\.uid) == [0, 1, 2, 3, 4, 5])
        #expect(madt.processors.map(\.hardwareID) == [0, 1, 2, 3, 4, 5])
        #expect(madt.processors.allSatisfy { $0.enabled })
    }

    /// `FACP` (`iasl -d`: x86 "Revision : 01"; arm64 "Revision : 06", "FADT Minor Revision : 00"):
    /// neither supports the online-capable bit (6.3+).
    @Test func fadtRevisions() throws {
        let x86 = try FADTRevision(try ACPITable(bytes: try FirmwareBoots.bytes("x86-2node-embed", "FACP"), signature: "FACP"))
        #expect(x86 == FADTRevision(major: 1, minor: 0))
        let arm = try FADTRevision(try ACPITable(bytes: try FirmwareBoots.bytes("arm64-acpi-2node", "FACP"), signature: "FACP"))
        #expect(arm == FADTRevision(major: 6, minor: 0))
        #expect(!x86.supportsOnlineCapable && !arm.supportsOnlineCapable)
        #expect(FADTRevision(major: 6, minor: 3).supportsOnlineCapable)
        #expect(FADTRevision(major: 6, minor: 5).supportsOnlineCapable)
        #expect(FADTRevision(major: 7, minor: 0).supportsOnlineCapable)
    }

    /// The directory as /sys/firmware/acpi/tables holds it: every table found by name.
    @Test func directoryLoads() throws {
        let set = try ACPITableSet.load(directory: FirmwareBoots.tables("x86-2node-embed"))
        #expect(set.srat != nil && set.slit != nil && set.madt != nil && set.fadt != nil)
        #expect(set.files["SRAT"]?.hasSuffix("/SRAT") == true)
    }
}

/// The tables of the boots recorded for this reader (make them again with
/// ../shared/tools/record-firmware.sh and the case's qemu-command.txt), against `iasl -d`.
@Suite struct MoreRecordedTablesTests {
    /// x86-hotplug (`-smp 4,maxcpus=8`), `iasl -d APIC`: "Local Apic ID : 00" … "07" with
    /// "Processor Enabled : 1" for 0–3 and "0" for 4–7, "Runtime Online Capable : 0" for all.
    @Test func hotplugMADT() throws {
        let madt = try MADT(try ACPITable(bytes: try FirmwareBoots.bytes("x86-hotplug", "APIC"), signature: "APIC"))
        #expect(madt.processors.map(\.hardwareID) == [0, 1, 2, 3, 4, 5, 6, 7])
        #expect(madt.processors.map { $0.enabled } == [true, true, true, true, false, false, false, false])
        #expect(madt.processors.map { $0.onlineCapable } == Array(repeating: false, count: 8))
        #expect(madt.processors.map(\.offset) == [0x2C, 0x34, 0x3C, 0x44, 0x4C, 0x54, 0x5C, 0x64])
    }

    /// x86-memoryless, `iasl -d SLIT`: "Locality 0 : 0A 15 1F", "1 : 15 0A 15", "2 : 1F 15 0A";
    /// `iasl -d SRAT`: memory only for domain 0 (0–A0000, 100000 + 7FF00000), then three
    /// empty disabled memory affinity structures.
    @Test func memorylessSLITAndSRAT() throws {
        let slit = try SLIT(try ACPITable(bytes: try FirmwareBoots.bytes("x86-memoryless", "SLIT"), signature: "SLIT"))
        #expect(slit.matrix == [[0x0A, 0x15, 0x1F], [0x15, 0x0A, 0x15], [0x1F, 0x15, 0x0A]])
        let srat = try SRAT(try ACPITable(bytes: try FirmwareBoots.bytes("x86-memoryless", "SRAT"), signature: "SRAT"))
        let memory: [SRATMemoryAffinity] = srat.entries.compactMap { if case .memory(let e) = $0 { e } else { nil } }
        #expect(memory.map(\.base) == [0, 0x100000, 0, 0, 0])
        #expect(memory.map(\.length) == [0xA0000, 0x7FF0_0000, 0, 0, 0])
        #expect(memory.map { $0.enabled } == [true, true, false, false, false])
        #expect(memory.map(\.proximityDomain) == [0, 0, 0, 0, 0])
    }
}
