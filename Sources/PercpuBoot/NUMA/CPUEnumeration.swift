import KernelSupport
import Memblock

/// CPU enumeration of `setup_arch`, which runs after NUMA init and maps each
/// CPU to its node with `early_map_cpu_to_node`:
/// arm64 `smp_init_cpus` (`of_parse_and_init_cpus` / `acpi_parse_and_init_cpus`,
/// arch/arm64/kernel/smp.c v6.8) and riscv `setup_smp` (arch/riscv/kernel/cpu_ops
/// and smpboot.c v6.8).
struct CPUEnumeration: Equatable, Sendable {
    /// cpu_possible_mask, ascending.
    var possible: [Int]
    /// cpu_to_node_map[] (NUMA_NO_NODE where never mapped), indexed by cpu < nrCPUs.
    var cpuToNode: [Int]
    /// nr_cpu_ids after `setup_nr_cpu_ids`: last possible CPU + 1.
    var nrCPUIDs: Int { (possible.last ?? 0) + 1 }

    /// `early_map_cpu_to_node(cpu, nid)`: invalid ids, or NUMA off, give node 0.
    static func earlyMap(_ nid: Int, numaOff: Bool, maxNumNodes: Int) -> Int {
        (nid < 0 || nid >= maxNumNodes || numaOff) ? 0 : nid
    }

    /// `of_node_to_nid(cpu node)`: the inherited `numa-node-id` if it names a
    /// possible node, else NUMA_NO_NODE (with the kernel's warning for a bad property).
    static func ofNodeToNid(_ cpu: DTCPU, possibleNodes: Set<Int>, maxNumNodes: Int, log: inout KernelLog) -> Int {
        switch cpu.inheritedNumaNodeID {
        case .absent: return NUMA_NO_NODE
        case .malformed:
            log.print(.warning, "OF: ", "Invalid \"numa-node-id\" property in node cpu")
            return NUMA_NO_NODE
        case .value(let v):
            return Int(v) < maxNumNodes && possibleNodes.contains(Int(v)) ? Int(v) : NUMA_NO_NODE
        }
    }

    /// Device-tree CPUs: the boot CPU (hardware id = `boot_cpuid_phys`) becomes
    /// CPU 0, the others get logical ids 1, 2, … in DT order; ids ≥ NR_CPUS (arm64)
    /// or beyond nr_cpu_ids are not made possible, with each arch's warning.
    static func deviceTree(_ dt: DeviceTreeFirmware, arch: Architecture, kernel: KernelVersion, nrCPUs: Int,
                           nrCPUIDsLimit: Int, numaOff: Bool, numaEnabled: Bool, possibleNodes: Set<Int>,
                           maxNumNodes: Int, log: inout KernelLog) -> CPUEnumeration {
        var logicalMap = [UInt64?](repeating: nil, count: nrCPUs)
        var cpuToNode = [Int](repeating: NUMA_NO_NODE, count: nrCPUs)
        var cpuCount = 1
        var bootFound = false
        var seen: Set<UInt64> = []
        func nodeOf(_ cpu: DTCPU) -> Int {
            numaEnabled ? earlyMap(ofNodeToNid(cpu, possibleNodes: possibleNodes, maxNumNodes: maxNumNodes, log: &log),
                                   numaOff: numaOff, maxNumNodes: maxNumNodes) : 0
        }
        for cpu in dt.cpus where !cpu.isFailed {
            guard let hwid = cpu.hardwareID else {
                if arch == .arm64 { cpuCount += 1 }
                continue
            }
            if arch == .riscv64 && !riscvHartIsAvailable(cpu, hartid: hwid, kernel: kernel, log: &log) { continue }
            if arch == .arm64 && hwid & ~0xff_00ff_ffff != 0 {      // MPIDR_HWID_BITMASK
                cpuCount += 1
                continue
            }
            if seen.contains(hwid) {
                if arch == .arm64 {
                    log.print(.err, "CPU: ", "\(cpu.path): duplicate cpu reg properties in the DT")
                    cpuCount += 1
                }
                continue
            }
            seen.insert(hwid)
            if hwid == dt.bootCPUHardwareID {
                if bootFound { cpuCount += arch == .arm64 ? 1 : 0; continue }
                bootFound = true
                logicalMap[0] = hwid
                cpuToNode[0] = nodeOf(cpu)
                continue
            }
            if cpuCount >= nrCPUs {
                if arch == .riscv64 { log.print(.warning, "", "Invalid cpuid [\(cpuCount)] for hartid [\(hwid)]") }
                if arch == .arm64 { cpuCount += 1 }
                continue
            }
            logicalMap[cpuCount] = hwid
            cpuToNode[cpuCount] = nodeOf(cpu)
            cpuCount += 1
        }
        var possible = [0]
        if arch == .arm64 {
            if cpuCount > nrCPUIDsLimit {
                log.print(.warning, "CPU: ", "Number of cores (\(cpuCount)) exceeds configured maximum of \(nrCPUIDsLimit) - clipping")
            }
            if !bootFound {
                log.print(.err, "CPU: ", "missing boot CPU MPIDR, not enabling secondaries")
                return CPUEnumeration(possible: possible, cpuToNode: cpuToNode)
            }
        } else if cpuCount > nrCPUIDsLimit {
            log.print(.warning, "", "Total number of cpus [\(cpuCount)] is greater than nr_cpus option value [\(nrCPUIDsLimit)]")
        }
        for cpu in 1..<max(min(nrCPUIDsLimit, nrCPUs), 1) where logicalMap[cpu] != nil {
            possible.append(cpu)
        }
        return CPUEnumeration(possible: possible, cpuToNode: cpuToNode)
    }

    /// The status test of riscv's `riscv_of_processor_hartid()` (4.15–6.3) /
    /// `riscv_early_of_processor_hartid()` (6.4+), after the hart id is read: since
    /// `riscvCPUStatusIsAvailability` (4.20) `of_device_is_available()` (no status, "okay" or
    /// "ok"), rejected harts announced with `pr_info` until `riscvDisabledHartSilent` (6.18);
    /// before 4.20 only `status = "okay"` passes. arm64's `of_parse_and_init_cpus` has no such
    /// test: a disabled arm64 CPU node still becomes a possible CPU.
    static func riscvHartIsAvailable(_ cpu: DTCPU, hartid: UInt64, kernel: KernelVersion, log: inout KernelLog) -> Bool {
        if !kernel.has(.riscvCPUStatusIsAvailability) {
            guard let status = cpu.status else {
                log.print(.warning, "", "CPU with hartid=\(hartid) has no \"status\" property")
                return false
            }
            if status != "okay" {
                log.print(.info, "", "CPU with hartid=\(hartid) has a non-okay status of \"\(status)\"")
                return false
            }
            return true
        }
        if cpu.isAvailable { return true }
        if !kernel.has(.riscvDisabledHartSilent) {
            log.print(.info, "", "CPU with hartid=\(hartid) is not available")
        }
        return false
    }

    /// ACPI CPUs (arm64 `acpi_parse_and_init_cpus` + `acpi_map_cpus_to_nodes`):
    /// MADT order with the boot CPU first; each CPU's node is its proximity
    /// domain's node, unmapped CPUs end on node 0.
    /// With binary tables (`madt` set) on a non-arm64 machine, the MADT's enabled entries.
    static func acpi(_ acpi: ACPIFirmware, nrCPUs: Int, nrCPUIDsLimit: Int, numaOff: Bool,
                     pxmToNode: [UInt32: Int], maxNumNodes: Int) -> CPUEnumeration {
        let enabled = acpi.madt.map { madt in
            madt.filter(\.enabled).map { SRATProcessor(hardwareID: $0.hardwareID, proximityDomain: 0, uid: $0.uid) }
        } ?? acpi.cpuAffinity.filter(\.enabled)
        var cpuToNode = [Int](repeating: NUMA_NO_NODE, count: nrCPUs)
        let limit = max(min(nrCPUIDsLimit, nrCPUs), 1)
        var possible: [Int] = []
        for (cpu, entry) in enabled.prefix(limit).enumerated() {
            possible.append(cpu)
            cpuToNode[cpu] = earlyMap(pxmToNode[entry.proximityDomain] ?? 0, numaOff: numaOff, maxNumNodes: maxNumNodes)
        }
        if possible.isEmpty { possible = [0]; cpuToNode[0] = 0 }
        return CPUEnumeration(possible: possible, cpuToNode: cpuToNode)
    }
}
