import KernelSupport
@testable import PercpuBoot

/// A QEMU-like x86_64 machine built in code: `cpus` are the MADT's local APICs with their
/// SRAT proximity domains (in table order), `srat` the memory affinity entries (none = no
/// SRAT), `ram` the e820 RAM, and the low 1 MiB plus a 52 MiB kernel image at 16 MiB
/// reserved as `setup_arch` leaves them.
func x86Platform(kernel: KernelVersion = .v6_1, cpus: [(apic: UInt64, pxm: UInt32)],
                 disabled: Set<UInt64> = [], srat: [(base: UInt64, size: UInt64, pxm: UInt32)] = [],
                 ram: [(UInt64, UInt64)], slit: [[UInt8]]? = nil, hotplugCPUs: Int = 0, sratRevision: Int = 3,
                 cmdline: String = "", configure: (inout KernelConfig) -> Void = { _ in }) -> Platform {
    var config = KernelConfig.defaults(for: .x86_64)
    configure(&config)
    let processors = cpus.map { SRATProcessor(hardwareID: $0.apic, proximityDomain: $0.pxm, enabled: !disabled.contains($0.apic)) }
    let memory = srat.map { SRATMemory(base: $0.base, length: $0.size, proximityDomain: $0.pxm) }
    let firmware = ACPIFirmware(processors: processors, memory: memory, slit: slit, sratRevision: sratRevision,
                                hotplugCPUs: hotplugCPUs)
    let setup = MemblockSetup(reserved: [PhysRange(base: 0, size: 1 << 20), PhysRange(base: 16 << 20, size: 0x341_1000)],
                              memory: ram.map { PhysRange(base: $0.0, size: $0.1) })
    return Platform(name: "x86-test", arch: .x86_64, kernel: kernel, config: config, staticSize: 217088,
                    cmdline: cmdline, firmware: .acpi(firmware), memblock: setup)
}

/// The two-node machine of the real x86-2node-embed boot, shrunk to the facts NUMA init reads.
func qemuTwoNodes(cmdline: String = "", slit: [[UInt8]]? = [[10, 21], [21, 10]]) -> Platform {
    x86Platform(cpus: [(0, 0), (1, 0), (2, 0), (3, 1), (4, 1), (5, 1)],
                srat: [(0, 0xa0000, 0), (0x10_0000, 0x3ff0_0000, 0), (0x4000_0000, 0x4000_0000, 1)],
                ram: [(0x1000, 0x9_ec00), (0x10_0000, 0x7fee_0000)], slit: slit, sratRevision: 1, cmdline: cmdline)
}

extension BootResult {
    /// The kernel lines (no memblock trace, no pr_debug).
    var printkLines: [String] { log.texts([.kernel]) }
}
