import KernelSupport
import Memblock

/// ACPI NUMA for the generic arch_numa path: `arch_acpi_numa_init` →
/// `acpi_numa_init` (`drivers/acpi/numa/srat.c`, v6.8): processor affinity
/// entries first, then memory affinity, then the SLIT. Proximity domains are
/// numbered into nodes in order of first appearance (`acpi_map_pxm_to_node`).
extension ArchNUMA {
    static let acpiPrefix = "ACPI: "

    /// `arch_acpi_numa_init` (v6.8): error from `acpi_numa_init` → "Failed to
    /// initialise from firmware" and -EINVAL only if the SRAT was disabled. The 6.12
    /// profile takes `acpiNumaInitNumaMemblks`.
    mutating func acpiNumaInit(_ acpi: ACPIFirmware, memblock: inout Memblock, log: inout KernelLog) throws(KernelPanic) -> Int {
        guard profile.config.acpiNuma else { return -Errno.EOPNOTSUPP }
        if usesNumaMemblks { return try acpiNumaInitNumaMemblks(acpi, memblock: &memblock, log: &log) }
        var domains = ProximityDomainMap(maxNumNodes: maxNumNodes)
        var badSRAT = false
        // One walk over the GICC (RINTC) and generic initiator entries in table order; an
        // SRAT without memory affinity is no SRAT in a platform file (`sratPresent`).
        for cpu in acpi.sratPresent ? acpi.processors : [] where cpu.enabled {
            if cpu.kind == .genericInitiator {
                genericInitiatorAffinity(cpu, domains: &domains, log: &log)
                continue
            }
            if badSRAT || cpu.kind == .localAPIC || cpu.kind == .x2APIC { continue }
            let node = domains.map(Int(cpu.proximityDomain))
            if node == NUMA_NO_NODE {
                log.print(.err, "ACPI: NUMA: ", "SRAT: Too many proximity domains \(cpu.proximityDomain)")
                badSRAT = true
                continue
            }
            parsed.insert(node)
        }
        var memoryParsed = 0
        if !badSRAT {
            for mem in acpi.memory where mem.enabled {
                let pxm = acpi.sratRevision <= 1 ? mem.proximityDomain & 0xff : mem.proximityDomain
                let node = domains.map(Int(pxm))
                if node == NUMA_NO_NODE {
                    log.print(.err, Self.acpiPrefix, "SRAT: Too many proximity domains.")
                    badSRAT = true
                    break
                }
                let end = mem.base &+ mem.length
                if numaAddMemblk(node, mem.base, end, memblock: &memblock, log: &log) != 0 {
                    log.print(.err, Self.acpiPrefix, "SRAT: Failed to add memblk to node \(node) [mem \(Printk.hexAlt(mem.base, width: 10))-\(Printk.hexAlt(end &- 1, width: 10))]")
                    badSRAT = true
                    break
                }
                let flags = (mem.hotpluggable ? " hotplug" : "") + (mem.nonVolatile ? " non-volatile" : "")
                log.print(.info, Self.acpiPrefix, "SRAT: Node \(node) PXM \(pxm) [mem \(Printk.hexAlt(mem.base, width: 10))-\(Printk.hexAlt(end &- 1, width: 10))]\(flags)")
                memoryParsed += 1
            }
        }
        if badSRAT {
            // bad_srat(): the SRAT is disabled; acpi_numa_init still returns its count below.
            log.print(.err, Self.acpiPrefix, "SRAT: SRAT not used.")
            sratDisabled = true
        }
        if let slit = acpi.slit, !badSRAT { try applySLIT(slit, pxmToNode: domains.nodes, memblock: &memblock, log: &log) }
        // acpi_numa_init: -ENOENT when no memory affinity entry was parsed. arch_acpi_numa_init
        // (drivers/base/arch_numa.c, pr_fmt "NUMA: ") then says so and returns that error.
        if memoryParsed == 0 {
            log.print(.info, Self.prefix, "Failed to initialise from firmware")
            parsed = []
            return -Errno.ENOENT
        }
        if badSRAT {
            // srat_disabled(): -EINVAL, no message.
            parsed = []
            return -Errno.EINVAL
        }
        acpiPXMToNode = domains.nodes
        return 0
    }

    /// `acpi_parse_gi_affinity` (drivers/acpi/numa/srat.c, v6.1 = v6.12): an enabled generic
    /// initiator's domain becomes a parsed node; failure is reported, without `bad_srat()`.
    mutating func genericInitiatorAffinity(_ entry: SRATProcessor, domains: inout ProximityDomainMap,
                                           log: inout KernelLog) {
        let node = domains.map(Int(entry.proximityDomain))
        if node == NUMA_NO_NODE {
            log.print(.err, Self.acpiPrefix, "SRAT: Too many proximity domains.")
            return
        }
        parsed.insert(node)
    }

    /// `acpi_parse_slit` (v6.8 = v6.12): valid iff the diagonal is 10 and everything else
    /// > 10; then every pair whose proximity domains map to nodes sets a distance.
    mutating func applySLIT(_ slit: [[UInt8]], pxmToNode: [UInt32: Int], memblock: inout Memblock,
                            log: inout KernelLog) throws(KernelPanic) {
        let n = slit.count
        let valid = slit.enumerated().allSatisfy { i, row in
            row.count == n && row.enumerated().allSatisfy { j, d in i == j ? d == 10 : d > 10 }
        }
        guard valid else {
            log.print(.info, Self.acpiPrefix, "SLIT table looks invalid. Not used.")
            return
        }
        for i in 0..<n {
            guard let from = pxmToNode[UInt32(i)] else { continue }
            for j in 0..<n {
                guard let to = pxmToNode[UInt32(j)] else { continue }
                try numaSetDistance(from, to, Int(slit[i][j]), memblock: &memblock, log: &log)
            }
        }
    }
}
