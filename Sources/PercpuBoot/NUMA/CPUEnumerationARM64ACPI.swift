import KernelSupport
import Memblock

/// arm64's ACPI CPU enumeration from the binary MADT and SRAT: `smp_init_cpus` →
/// `acpi_parse_and_init_cpus` (arch/arm64/kernel/smp.c) and `acpi_map_cpus_to_nodes`
/// (arch/arm64/kernel/acpi_numa.c), v6.1 (v6.12 the same for what is emulated here).
extension CPUEnumeration {
    /// `INVALID_HWID` and `MPIDR_HWID_BITMASK`.
    static let invalidHWID = UInt64.max
    static let mpidrHWIDBitmask: UInt64 = 0xff_00ff_ffff

    /// The MADT walk (`acpi_map_gic_cpu_interface` for each GICC structure in table
    /// order): disabled entries and invalid or duplicate MPIDRs are skipped, the boot
    /// CPU's entry fills slot 0, the others take logical ids 1, 2, … below NR_CPUS. Then
    /// `acpi_map_cpus_to_nodes`: each enabled SRAT GICC entry names a CPU by ACPI
    /// processor UID (`get_cpu_for_acpi_id`, which also matches never-filled slots, whose
    /// zeroed structure has UID 0) and prints `SRAT: PXM %d -> MPIDR 0x%llx -> Node %d`,
    /// the node being `pxm_to_node(pxm)` — NUMA_NO_NODE once the dummy init set numa_off.
    /// Every CPU then gets `early_map_cpu_to_node(cpu, acpi_numa_get_nid(cpu))`.
    ///
    /// The boot CPU's MPIDR (`cpu_logical_map(0)`, read from the running CPU) is not in
    /// the tables: it is taken to be the first enabled GICC entry's, as on QEMU.
    /// - Parameter takesOnlineCapable: v6.12 (arm64 vCPU hotplug, v6.11) also maps a GICC
    ///   that is disabled but online-capable (`ACPI_MADT_GICC_ONLINE_CAPABLE`); v6.1 only
    ///   enabled ones.
    static func arm64ACPI(_ acpi: ACPIFirmware, nrCPUs: Int, nrCPUIDsLimit: Int, numaOff: Bool, sratDisabled: Bool,
                          pxmToNode: [UInt32: Int], maxNumNodes: Int, takesOnlineCapable: Bool,
                          log: inout KernelLog) -> CPUEnumeration {
        let madt = (acpi.madt ?? []).filter { $0.kind == .gicc }
        let boot = (madt.first(where: \.enabled)?.hardwareID ?? 0) & mpidrHWIDBitmask
        var logicalMap = [UInt64](repeating: invalidHWID, count: nrCPUs)
        var madtUID = [UInt32](repeating: 0, count: nrCPUs)     // cpu_madt_gicc[cpu].uid
        logicalMap[0] = boot
        var cpuCount = 1
        var bootValid = false
        for entry in madt {
            let hwid = entry.hardwareID
            if !entry.enabled && !(takesOnlineCapable && entry.onlineCapable) { continue }     // pr_debug only
            if hwid & ~mpidrHWIDBitmask != 0 || hwid == invalidHWID {
                log.print(.err, "CPU: ", "skipping CPU entry with invalid MPIDR 0x\(Printk.hex(hwid))")
                continue
            }
            // is_mpidr_duplicate(cpu_count, hwid): logical ids 1 ..< cpu_count.
            if cpuCount > 1, logicalMap[1..<cpuCount].contains(hwid) {
                log.print(.err, "CPU: ", "duplicate CPU MPIDR 0x\(Printk.hex(hwid)) in MADT")
                continue
            }
            if logicalMap[0] == hwid {
                if bootValid {
                    log.print(.err, "CPU: ", "duplicate boot CPU MPIDR: 0x\(Printk.hex(hwid)) in MADT")
                    continue
                }
                bootValid = true
                madtUID[0] = entry.uid
                continue
            }
            if cpuCount >= nrCPUs { continue }
            logicalMap[cpuCount] = hwid
            madtUID[cpuCount] = entry.uid
            cpuCount += 1
        }
        // acpi_map_cpus_to_nodes: stops at once when the SRAT was found bad (-EINVAL).
        var earlyNode = [Int](repeating: NUMA_NO_NODE, count: nrCPUs)
        let idLimit = max(min(nrCPUIDsLimit, nrCPUs), 1)
        for entry in acpi.sratPresent && !sratDisabled ? acpi.processors : [] where entry.kind == .gicc && entry.enabled {
            let pxm = Int(Int32(bitPattern: entry.proximityDomain))
            let node = numaOff || pxm < 0 ? NUMA_NO_NODE : pxmToNode[UInt32(pxm)] ?? NUMA_NO_NODE
            guard let uid = entry.uid, let cpu = madtUID.prefix(idLimit).firstIndex(of: uid) else { continue }
            earlyNode[cpu] = node
            log.print(.info, "ACPI: NUMA: ", "SRAT: PXM \(pxm) -> MPIDR 0x\(Printk.hex(logicalMap[cpu])) -> Node \(node)")
        }
        var cpuToNode = [Int](repeating: NUMA_NO_NODE, count: nrCPUs)
        for cpu in 0..<idLimit { cpuToNode[cpu] = earlyMap(earlyNode[cpu], numaOff: numaOff, maxNumNodes: maxNumNodes) }
        // smp_init_cpus.
        if cpuCount > nrCPUIDsLimit {
            log.print(.warning, "CPU: ", "Number of cores (\(cpuCount)) exceeds configured maximum of \(nrCPUIDsLimit) - clipping")
        }
        var possible = [0]
        if !bootValid {
            log.print(.err, "CPU: ", "missing boot CPU MPIDR, not enabling secondaries")
            return CPUEnumeration(possible: possible, cpuToNode: cpuToNode)
        }
        for cpu in 1..<idLimit where logicalMap[cpu] != invalidHWID { possible.append(cpu) }
        return CPUEnumeration(possible: possible, cpuToNode: cpuToNode)
    }
}
