import KernelSupport
import Memblock

/// SRAT and SLIT as x86 parses them: `x86_acpi_numa_init` (arch/x86/mm/srat.c) over
/// `acpi_numa_init` (drivers/acpi/numa/srat.c), v6.1 (v6.8 identical; 6.12 turned the
/// `SRAT: PXM … -> APIC …` lines into pr_debug). Processor entries come first, in table
/// order — local APIC affinity for APIC ids below 0xff, x2APIC affinity above, as QEMU
/// writes them — then memory affinity, then the SLIT.
///
/// The platform model has no "SRAT absent" flag: an ACPI platform without memory
/// affinity entries is taken to have no SRAT at all (what QEMU builds without `-numa`),
/// so its processor list only describes the MADT.
extension X86NUMA {
    static let acpiPrefix = "ACPI: "
    /// The memory-affinity and bad_srat lines: arch/x86/mm/srat.c printed them bare until
    /// they moved under drivers/acpi/numa.c's pr_fmt (`.x86SratMemoryLineACPIPrefix`).
    var sratPrefix: String { profile.kernel.has(.x86SratMemoryLineACPIPrefix) ? Self.acpiPrefix : "" }

    /// `x86_acpi_numa_init`: `acpi_numa_init()`'s error, or -EINVAL if the SRAT was
    /// found bad on the way.
    mutating func x86AcpiNumaInit(_ acpi: ACPIFirmware?, acpiDisabled: Bool, memblock: inout Memblock,
                                  log: inout KernelLog) throws(KernelPanic) -> Int {
        let ret = try acpiNumaInit(acpi, acpiDisabled: acpiDisabled, memblock: &memblock, log: &log)
        if ret < 0 { return ret }
        return sratDisabled ? -Errno.EINVAL : 0
    }

    /// `acpi_numa_init` (v6.1): -EINVAL with ACPI off; otherwise SRAT processor and memory
    /// entries, then the SLIT (parsed even without an SRAT); -ENOENT unless a memory
    /// affinity entry was accepted.
    mutating func acpiNumaInit(_ acpi: ACPIFirmware?, acpiDisabled: Bool, memblock: inout Memblock,
                               log: inout KernelLog) throws(KernelPanic) -> Int {
        guard !acpiDisabled, let acpi else { return -Errno.EINVAL }
        var parsedMemblks = 0
        if acpi.sratPresent {
            // One walk over the processor and generic initiator entries in table order
            // (acpi_table_parse_entries_array); GICC/RINTC entries have no x86 handler.
            for entry in acpi.processors {
                switch entry.kind {
                case .genericInitiator: genericInitiatorAffinity(entry, log: &log)
                case .gicc, .rintc: continue
                case .localAPIC, .x2APIC, nil: processorAffinityInit(entry, sratRevision: acpi.sratRevision, log: &log)
                }
            }
            for mem in acpi.memory where try memoryAffinityInit(mem, sratRevision: acpi.sratRevision,
                                                                memblock: &memblock, log: &log) {
                parsedMemblks += 1
            }
        }
        if let slit = acpi.slit { try parseSLIT(slit, memblock: &memblock, log: &log) }
        return parsedMemblks == 0 ? -Errno.ENOENT : 0
    }

    /// `acpi_numa_processor_affinity_init` / `acpi_numa_x2apic_affinity_init` (v6.1):
    /// a disabled entry is skipped; the proximity domain becomes a node
    /// (`acpi_map_pxm_to_node`, failure → `SRAT: Too many proximity domains %x` and the
    /// SRAT is dropped); the APIC id is recorded against it and the node is parsed.
    /// LAPIC entries take only the low 8 bits of the domain before SRAT revision 2.
    mutating func processorAffinityInit(_ cpu: SRATProcessor, sratRevision: Int, log: inout KernelLog) {
        if sratDisabled || !cpu.enabled { return }
        let x2apic = cpu.kind == .x2APIC || (cpu.kind == nil && cpu.hardwareID > 0xfe)
        var pxmBits = cpu.proximityDomain
        if !x2apic && sratRevision < 2 { pxmBits &= 0xff }
        let pxm = Int(Int32(bitPattern: pxmBits))           // `int pxm`
        let apicWidth = x2apic ? 4 : 2
        // apic_id_valid(): x2APIC mode is assumed whenever the firmware lists x2APIC ids.
        guard cpu.hardwareID <= UInt64(UInt32.max) else {
            log.print(.info, "", "SRAT: PXM \(pxmBits) -> X2APIC 0x\(Printk.hex(cpu.hardwareID, minDigits: 4)) ignored")
            return
        }
        let apicID = UInt32(cpu.hardwareID)
        let node = acpiMapPXMToNode(pxm)
        if node < 0 {
            log.print(.err, "", "SRAT: Too many proximity domains \(Printk.hex(UInt64(pxmBits)))")
            badSRAT(log: &log)
            return
        }
        let apicText = "0x" + Printk.hex(UInt64(apicID), minDigits: apicWidth)
        if apicID >= Self.maxLocalAPIC {
            log.print(.info, "", "SRAT: PXM \(pxmBits) -> APIC \(apicText) -> Node \(node) skipped apicid that is too big")
            return
        }
        apicidToNode[apicID] = node
        memblks.nodesParsed.insert(node)
        let line = "SRAT: PXM \(pxmBits) -> APIC \(apicText) -> Node \(node)"
        if profile.kernel.has(.x86SratAffinityLinesDebug) { log.dynamicDebug("", line) } else { log.print(.info, "", line) }
    }

    /// `acpi_parse_gi_affinity` (drivers/acpi/numa/srat.c, v6.1 = v6.12 on x86 and arm64): an
    /// enabled generic initiator's domain becomes a node and is parsed (N_GENERIC_INITIATOR);
    /// failure is only reported — not gated by, nor causing, `bad_srat()`.
    mutating func genericInitiatorAffinity(_ entry: SRATProcessor, log: inout KernelLog) {
        guard entry.enabled else { return }
        let node = acpiMapPXMToNode(Int(Int32(bitPattern: entry.proximityDomain)))
        if node == NUMA_NO_NODE {
            log.print(.err, Self.acpiPrefix, "SRAT: Too many proximity domains.")
            return
        }
        memblks.nodesParsed.insert(node)
    }

    /// `acpi_numa_memory_affinity_init` (drivers/acpi/numa/srat.c, v6.1): a disabled entry
    /// is skipped; the domain (8 bits when the SRAT revision is ≤ 1) becomes a node; the
    /// range is recorded in the meminfo; `ACPI: SRAT: Node %u PXM %u [mem …]` with
    /// " hotplug" / " non-volatile"; hot-pluggable ranges are marked in memblock
    /// (CONFIG_MEMORY_HOTPLUG). Returns whether it counts as a parsed memblk.
    mutating func memoryAffinityInit(_ mem: SRATMemory, sratRevision: Int, memblock: inout Memblock,
                                     log: inout KernelLog) throws(KernelPanic) -> Bool {
        if sratDisabled || !mem.enabled { return false }
        let start = mem.base
        let end = start &+ mem.length
        var pxmBits = mem.proximityDomain
        if sratRevision <= 1 { pxmBits &= 0xff }
        let node = acpiMapPXMToNode(Int(Int32(bitPattern: pxmBits)))
        if node == NUMA_NO_NODE {
            log.print(.err, sratPrefix, "SRAT: Too many proximity domains.")
            badSRAT(log: &log)
            return false
        }
        if memblks.addMemblk(node, start, end, log: &log) < 0 {
            log.print(.err, sratPrefix, "SRAT: Failed to add memblk to node \(node) [mem \(hex10(start))-\(hex10(end &- 1))]")
            badSRAT(log: &log)
            return false
        }
        memblks.nodesParsed.insert(node)
        let flags = (mem.hotpluggable ? " hotplug" : "") + (mem.nonVolatile ? " non-volatile" : "")
        log.print(.info, sratPrefix, "SRAT: Node \(node) PXM \(pxmBits) [mem \(hex10(start))-\(hex10(end &- 1))]\(flags)")
        if mem.hotpluggable, !(try memblock.markHotplug(start, mem.length, log: &log)) {
            log.print(.warning, sratPrefix, "SRAT: Failed to mark hotplug range [mem \(hex10(start))-\(hex10(end &- 1))] in memblock")
        }
        return true
    }

    /// `bad_srat()`: `ACPI: SRAT: SRAT not used.` and `disable_srat()`.
    mutating func badSRAT(log: inout KernelLog) {
        log.print(.err, sratPrefix, "SRAT: SRAT not used.")
        sratDisabled = true
    }

    /// `acpi_map_pxm_to_node(pxm)` (ProximityDomainMap); with numa_off no domain has a node.
    mutating func acpiMapPXMToNode(_ pxm: Int) -> Int {
        numaOff ? NUMA_NO_NODE : domains.map(pxm)
    }

    /// `pxm_to_node(pxm)`: lookup only.
    func pxmToNodeLookup(_ pxm: Int) -> Int {
        numaOff ? NUMA_NO_NODE : domains.node(of: pxm)
    }

    /// `acpi_parse_slit` (v6.1): valid iff every diagonal entry is 10 and every other
    /// entry is above 10 (else `ACPI: SLIT table looks invalid. Not used.`); then
    /// `acpi_numa_slit_init` sets the distance of every pair of localities whose
    /// domains have nodes — the first such call allocates the x86 distance table.
    mutating func parseSLIT(_ slit: [[UInt8]], memblock: inout Memblock, log: inout KernelLog) throws(KernelPanic) {
        let n = slit.count
        let valid = slit.enumerated().allSatisfy { i, row in
            row.count == n && row.enumerated().allSatisfy { j, d in
                i == j ? Int(d) == DistanceTable.localDistance : Int(d) > DistanceTable.localDistance
            }
        }
        guard valid else {
            log.print(.info, Self.acpiPrefix, "SLIT table looks invalid. Not used.")
            return
        }
        for i in 0..<n {
            let from = pxmToNodeLookup(i)
            if from == NUMA_NO_NODE { continue }
            for j in 0..<n {
                let to = pxmToNodeLookup(j)
                if to == NUMA_NO_NODE { continue }
                try numaSetDistance(from, to, Int(slit[i][j]), memblock: &memblock, log: &log)
            }
        }
    }
}
