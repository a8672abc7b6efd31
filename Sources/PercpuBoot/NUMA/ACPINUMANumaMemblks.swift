import KernelSupport
import Memblock

/// ACPI NUMA for arch_numa on top of mm/numa_memblks.c (v6.12): `arch_acpi_numa_init` →
/// `acpi_numa_init` (drivers/acpi/numa/srat.c), where a bad entry disables the SRAT and
/// parsing goes on, memory affinity only records blocks, and the result is -ENOENT unless
/// some memory affinity entry was taken.
extension ArchNUMA {
    /// `arch_acpi_numa_init` (arch_numa.c, v6.12): an error from `acpi_numa_init` is
    /// `pr_debug("Failed to initialise from firmware")` and returned; otherwise -EINVAL if
    /// the SRAT was found bad on the way, else 0. `acpi_numa_init`: processor affinity
    /// (GICC/RINTC) entries, then memory affinity, then the SLIT (parsed whatever happened
    /// to the SRAT); -ENOENT when no memory affinity entry was added.
    mutating func acpiNumaInitNumaMemblks(_ acpi: ACPIFirmware, memblock: inout Memblock,
                                         log: inout KernelLog) throws(KernelPanic) -> Int {
        var domains = ProximityDomainMap(maxNumNodes: maxNumNodes)
        var sratDisabled = false
        func badSRAT(_ log: inout KernelLog) {
            log.print(.err, Self.acpiPrefix, "SRAT: SRAT not used.")
            sratDisabled = true
        }
        // acpi_numa_gicc_affinity_init / acpi_numa_rintc_affinity_init.
        for cpu in acpi.sratPresent ? acpi.processors : [] where cpu.enabled {
            if cpu.kind == .genericInitiator {
                genericInitiatorAffinity(cpu, domains: &domains, log: &log)
                continue
            }
            if sratDisabled || cpu.kind == .localAPIC || cpu.kind == .x2APIC { continue }
            let node = domains.map(Int(cpu.proximityDomain))
            if node == NUMA_NO_NODE {
                log.print(.err, "ACPI: NUMA: ", "SRAT: Too many proximity domains \(cpu.proximityDomain)")
                badSRAT(&log)
                continue
            }
            parsed.insert(node)
        }
        // acpi_parse_memory_affinity: numa_add_memblk records, node_set, the info line.
        var memoryParsed = 0
        for mem in acpi.sratPresent ? acpi.memory : [] where mem.enabled && !sratDisabled {
            let pxm = acpi.sratRevision <= 1 ? mem.proximityDomain & 0xff : mem.proximityDomain
            let node = domains.map(Int(pxm))
            let end = mem.base &+ mem.length
            if node == NUMA_NO_NODE {
                log.print(.err, Self.acpiPrefix, "SRAT: Too many proximity domains.")
                badSRAT(&log)
                continue
            }
            if numaAddMemblk(node, mem.base, end, memblock: &memblock, log: &log) < 0 {
                log.print(.err, Self.acpiPrefix, "SRAT: Failed to add memblk to node \(node) [mem \(NumaMemblks.hex10(mem.base))-\(NumaMemblks.hex10(end &- 1))]")
                badSRAT(&log)
                continue
            }
            parsed.insert(node)
            let flags = (mem.hotpluggable ? " hotplug" : "") + (mem.nonVolatile ? " non-volatile" : "")
            log.print(.info, Self.acpiPrefix, "SRAT: Node \(node) PXM \(pxm) [mem \(NumaMemblks.hex10(mem.base))-\(NumaMemblks.hex10(end &- 1))]\(flags)")
            if mem.hotpluggable, !(try memblock.markHotplug(mem.base, mem.length, log: &log)) {
                log.print(.warning, Self.acpiPrefix, "SRAT: Failed to mark hotplug range [mem \(NumaMemblks.hex10(mem.base))-\(NumaMemblks.hex10(end &- 1))] in memblock")
            }
            memoryParsed += 1
        }
        self.sratDisabled = sratDisabled
        if let slit = acpi.slit { try applySLIT(slit, pxmToNode: domains.nodes, memblock: &memblock, log: &log) }
        if memoryParsed == 0 {
            log.dynamicDebug(Self.prefix, "Failed to initialise from firmware")
            return -Errno.ENOENT
        }
        if sratDisabled { return -Errno.EINVAL }
        acpiPXMToNode = domains.nodes
        return 0
    }
}
