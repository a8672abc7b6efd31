import Testing
@testable import PercpuBoot
import PcpuBootTestSupport

/// arm64 ACPI CPU enumeration from a separate MADT and SRAT (`acpi_parse_and_init_cpus`,
/// `acpi_map_cpus_to_nodes`, arch/arm64/kernel/{smp,acpi_numa}.c), worked by hand:
/// the SRAT lists GICC affinity by UID in the order 3, 0, 1, 2 with domains 1, 0, 0, 1,
/// so domain 1 is met first and becomes node 0 (`acpi_map_pxm_to_node` numbers domains
/// in order of appearance), domain 0 node 1. The MADT gives UID 0–3 the MPIDRs 0x0, 0x1,
/// 0x100, 0x101; the boot CPU (MPIDR 0) is CPU 0, the others CPUs 1–3 in MADT order.
@Suite struct ARM64ACPICPUsTests {
    static func platform(kernel: KernelVersion, uid3Flags: (enabled: Bool, onlineCapable: Bool) = (true, false)) -> Platform {
        let pairs: [(uid: UInt32, pxm: UInt32)] = [(3, 1), (0, 0), (1, 0), (2, 1)]
        let srat = pairs.map { SRATProcessor(hardwareID: 0, proximityDomain: $0.pxm, kind: .gicc, uid: $0.uid) }
        let mpidrs: [UInt64] = [0x0, 0x1, 0x100, 0x101]
        var madt: [MADTProcessorEntry] = []
        for uid in 0..<4 {
            let last = uid == 3
            madt.append(MADTProcessorEntry(kind: .gicc, hardwareID: mpidrs[uid], uid: UInt32(uid),
                                           enabled: last ? uid3Flags.enabled : true,
                                           onlineCapable: last ? uid3Flags.onlineCapable : false))
        }
        let acpi = ACPIFirmware(processors: srat,
                                memory: [SRATMemory(base: 0x4000_0000, length: 0x4000_0000, proximityDomain: 0),
                                         SRATMemory(base: 0x8000_0000, length: 0x4000_0000, proximityDomain: 1)],
                                slit: [[10, 20], [20, 10]], madt: madt, hasSRAT: true)
        return Platform(name: "acpi", arch: .arm64, kernel: kernel, config: .defaults(for: .arm64), staticSize: 87272,
                        firmware: .acpi(acpi))
    }

    @Test(arguments: [KernelVersion.v6_1, .v6_12])
    func uidsMapCPUsToNodes(_ kernel: KernelVersion) throws {
        let result = try Boot.run(Self.platform(kernel: kernel))
        #expect(result.kernelLines.contains("ACPI: SRAT: Node 1 PXM 0 [mem 0x40000000-0x7fffffff]"))
        #expect(result.kernelLines.contains("ACPI: SRAT: Node 0 PXM 1 [mem 0x80000000-0xbfffffff]"))
        let mapping = result.kernelLines.filter { $0.hasPrefix("ACPI: NUMA: SRAT: PXM") }
        #expect(mapping == ["ACPI: NUMA: SRAT: PXM 1 -> MPIDR 0x101 -> Node 0",
                            "ACPI: NUMA: SRAT: PXM 0 -> MPIDR 0x0 -> Node 1",
                            "ACPI: NUMA: SRAT: PXM 0 -> MPIDR 0x1 -> Node 1",
                            "ACPI: NUMA: SRAT: PXM 1 -> MPIDR 0x100 -> Node 0"])
        #expect(result.topology?.possibleCPUs == [0, 1, 2, 3])
        #expect(result.topology?.cpuToNode == [1, 1, 0, 0])
    }

    /// UID 3 disabled but online-capable: 6.1 skips it (3 CPUs, no SRAT line for it, since
    /// `get_cpu_for_acpi_id(3)` finds no CPU); 6.12 takes it (the GICC online-capable bit).
    @Test func onlineCapableGICC() throws {
        let old = try Boot.run(Self.platform(kernel: .v6_1, uid3Flags: (false, true)))
        #expect(old.topology?.possibleCPUs == [0, 1, 2])
        #expect(!old.kernelLines.contains { $0.contains("MPIDR 0x101") })
        let new = try Boot.run(Self.platform(kernel: .v6_12, uid3Flags: (false, true)))
        #expect(new.topology?.possibleCPUs == [0, 1, 2, 3])
        let neither = try Boot.run(Self.platform(kernel: .v6_12, uid3Flags: (false, false)))
        #expect(neither.topology?.possibleCPUs == [0, 1, 2])
    }
}
