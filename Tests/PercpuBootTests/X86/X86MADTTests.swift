import Testing
@testable import PercpuBoot
import PcpuBootTestSupport

/// The MADT apart from the SRAT (what binary tables give): a QEMU hot-pluggable CPU is
/// enabled in the SRAT but not in the MADT. Expected values are the kernel's arithmetic
/// (v6.1 arch/x86/kernel/smpboot.c `prefill_possible_map`: possible = num_processors +
/// disabled_cpus, "Allowing %d CPUs, %d hotplug CPUs" with hotplug = possible - num_processors).
@Suite struct X86MADTTests {
    static func platform(madt: [MADTProcessorEntry], onlineCapable: Bool?) -> Platform {
        let srat = (0..<4).map { SRATProcessor(hardwareID: UInt64($0), proximityDomain: UInt32($0 / 2), kind: .localAPIC) }
        let acpi = ACPIFirmware(processors: srat,
                                memory: [SRATMemory(base: 0, length: 0x4000_0000, proximityDomain: 0),
                                         SRATMemory(base: 0x4000_0000, length: 0x4000_0000, proximityDomain: 1)],
                                sratRevision: 1, madt: madt, hasSRAT: true, onlineCapableSupported: onlineCapable)
        var config = KernelConfig.defaults(for: .x86_64)
        config.nrCpus = 64
        return Platform(name: "madt", arch: .x86_64, kernel: .v6_1, config: config, staticSize: 217088,
                        firmware: .acpi(acpi))
    }

    static let threeEnabledOneSlot = [
        MADTProcessorEntry(kind: .localAPIC, hardwareID: 0, uid: 0),
        MADTProcessorEntry(kind: .localAPIC, hardwareID: 1, uid: 1),
        MADTProcessorEntry(kind: .localAPIC, hardwareID: 2, uid: 2),
        MADTProcessorEntry(kind: .localAPIC, hardwareID: 3, uid: 3, enabled: false),
    ]

    static func lines(_ platform: Platform) throws -> [String] { try Boot.run(platform).kernelLines }

    /// 3 present + 1 disabled → 4 possible, 1 hotplug; APIC 3's SRAT entry still places it on node 1.
    @Test func hotPluggableCPUCountsAsPossible() throws {
        let result = try Boot.run(Self.platform(madt: Self.threeEnabledOneSlot, onlineCapable: false))
        #expect(result.kernelLines.contains("smpboot: Allowing 4 CPUs, 1 hotplug CPUs"))
        #expect(result.kernelLines.contains("SRAT: PXM 1 -> APIC 0x03 -> Node 1"))
        #expect(result.topology?.possibleCPUs == [0, 1, 2, 3])
    }

    /// FADT 6.3+: a disabled entry without the online-capable bit cannot be onlined and is
    /// not counted (`acpi_is_processor_usable`): 3 CPUs, 0 hotplug. With the bit: 4 and 1.
    @Test func onlineCapableBit() throws {
        let without = try Self.lines(Self.platform(madt: Self.threeEnabledOneSlot, onlineCapable: true))
        #expect(without.contains("smpboot: Allowing 3 CPUs, 0 hotplug CPUs"))
        var capable = Self.threeEnabledOneSlot
        capable[3].onlineCapable = true
        let with = try Self.lines(Self.platform(madt: capable, onlineCapable: true))
        #expect(with.contains("smpboot: Allowing 4 CPUs, 1 hotplug CPUs"))
    }

    /// Invalid ids are dropped (`acpi_parse_lapic`: 0xff; `acpi_parse_x2apic`: 0xffffffff).
    @Test func invalidIDsAreIgnored() throws {
        var madt = Self.threeEnabledOneSlot
        madt.append(MADTProcessorEntry(kind: .localAPIC, hardwareID: 0xff, uid: 9))
        madt.append(MADTProcessorEntry(kind: .x2APIC, hardwareID: 0xffff_ffff, uid: 10))
        let lines = try Self.lines(Self.platform(madt: madt, onlineCapable: false))
        #expect(lines.contains("smpboot: Allowing 4 CPUs, 1 hotplug CPUs"))
    }

    /// A generic initiator's domain becomes a parsed node (v6.1 `acpi_parse_gi_affinity`):
    /// domain 7 → node 2 after domains 0 and 1, so node 2 is possible (nr_node_ids 3).
    @Test func genericInitiatorAddsANode() throws {
        var platform = Self.platform(madt: Self.threeEnabledOneSlot, onlineCapable: false)
        guard case .acpi(var acpi) = platform.firmware else { return }
        acpi.processors.append(SRATProcessor(hardwareID: 0, proximityDomain: 7, kind: .genericInitiator))
        platform.firmware = .acpi(acpi)
        let result = try Boot.run(platform)
        #expect(result.topology?.nodes == [0, 1, 2])
        #expect(result.kernelLines.contains { $0.hasPrefix("setup_percpu:") && $0.hasSuffix("nr_node_ids:3") })
    }

    /// v6.12 `acpi_is_processor_usable` without online-capable support: a disabled entry
    /// counts only under a detected hypervisor. Natively (and under QEMU's TCG) 3 present
    /// CPUs plus 0 hotplug; with `hypervisor` 3 plus 1 (v6.12 `topology_init_possible_cpus`:
    /// "Allowing %u present CPUs plus %u hotplug CPUs").
    @Test func v612DisabledEntriesNeedAHypervisor() throws {
        var platform = Self.platform(madt: Self.threeEnabledOneSlot, onlineCapable: false)
        platform.kernel = .v6_12
        #expect(try Self.lines(platform).contains("CPU topo: Allowing 3 present CPUs plus 0 hotplug CPUs"))
        guard case .acpi(var acpi) = platform.firmware else { return }
        acpi.hypervisor = true
        platform.firmware = .acpi(acpi)
        #expect(try Self.lines(platform).contains("CPU topo: Allowing 3 present CPUs plus 1 hotplug CPUs"))
    }
}
