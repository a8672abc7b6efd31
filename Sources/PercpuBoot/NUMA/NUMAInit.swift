import KernelSupport
import Memblock

/// The NUMA stage: from firmware facts and memblock to a `Topology`, printing
/// what the kernel prints. Chooses the kernel code that runs for the build:
/// arch_numa (arm64, riscv64 with CONFIG_NUMA), arch/x86 (`X86SetupArch`), nothing
/// (NUMA=n, nommu, UP).
enum NUMAInit {
    static func run(_ platform: Platform, profile: ArchProfile, cmdline: KernelCommandLine,
                    memblock: inout Memblock, log: inout KernelLog) throws -> Topology {
        let config = profile.config
        let nrCPUsLimit = min(cmdline.nrCPUs ?? config.nrCpus, config.nrCpus)
        guard config.smp else {
            // UP: one CPU, no NUMA.
            return Topology(method: .none, numaOff: true, possibleCPUs: [0], nrCPUIDs: 1, cpuToNode: [0], nodes: [0],
                            nodeMemory: nodeMemory(memblock, nodes: [0], allOnNodeZero: true), nodeData: [:],
                            distances: DistanceTable(count: 0))
        }
        if platform.arch == .x86_64 {
            // arch/x86: initmem_init → x86_numa_init, MADT walk, prefill_possible_map, init_cpu_to_node.
            return try X86SetupArch.run(platform, profile: profile, cmdline: cmdline, memblock: &memblock, log: &log)
        }
        guard config.numa && config.mmu else {
            let cpus = enumerateCPUs(platform, profile: profile, numaOff: true, numaEnabled: false, possibleNodes: [0],
                                     pxmToNode: [:], nrCPUsLimit: nrCPUsLimit, log: &log)
            return Topology(method: .none, numaOff: true, possibleCPUs: cpus.possible, nrCPUIDs: cpus.nrCPUIDs,
                            cpuToNode: Array(repeating: 0, count: cpus.nrCPUIDs),
                            nodes: [0], nodeMemory: nodeMemory(memblock, nodes: [0], allOnNodeZero: true), nodeData: [:],
                            distances: DistanceTable(count: 0))
        }
        var numa = ArchNUMA(profile: profile, numaOff: cmdline.numaOff)
        let acpiDisabled: Bool = {
            if case .acpi = platform.firmware { return cmdline.acpiOff }
            return true
        }()
        let method = try numa.archNumaInit(firmware: platform.firmware, acpiDisabled: acpiDisabled,
                                           memblock: &memblock, log: &log)
        let possibleNodes = Set(numa.possibleNodes)
        let cpus = enumerateCPUs(platform, profile: profile, numaOff: numa.numaOff, numaEnabled: true,
                                 possibleNodes: possibleNodes, pxmToNode: numa.acpiPXMToNode,
                                 sratDisabled: numa.sratDisabled, nrCPUsLimit: nrCPUsLimit, log: &log)
        let nodes = numa.possibleNodes
        return Topology(method: method, numaOff: numa.numaOff, possibleCPUs: cpus.possible, nrCPUIDs: cpus.nrCPUIDs,
                        cpuToNode: Array(cpus.cpuToNode.prefix(cpus.nrCPUIDs)), nodes: nodes,
                        nodeMemory: nodeMemory(memblock, nodes: nodes, allOnNodeZero: false), nodeData: numa.nodeData,
                        distances: numa.distances)
    }

    static func enumerateCPUs(_ platform: Platform, profile: ArchProfile, numaOff: Bool, numaEnabled: Bool,
                              possibleNodes: Set<Int>, pxmToNode: [UInt32: Int], sratDisabled: Bool = false,
                              nrCPUsLimit: Int, log: inout KernelLog) -> CPUEnumeration {
        let config = profile.config
        switch platform.firmware {
        case .deviceTree(let dt):
            return CPUEnumeration.deviceTree(dt, arch: platform.arch, kernel: profile.kernel, nrCPUs: config.nrCpus,
                                             nrCPUIDsLimit: nrCPUsLimit,
                                             numaOff: numaOff, numaEnabled: numaEnabled, possibleNodes: possibleNodes,
                                             maxNumNodes: config.maxNumNodes, log: &log)
        case .acpi(let acpi) where acpi.madt != nil && platform.arch == .arm64:
            return CPUEnumeration.arm64ACPI(acpi, nrCPUs: config.nrCpus, nrCPUIDsLimit: nrCPUsLimit,
                                            numaOff: numaOff || !numaEnabled, sratDisabled: sratDisabled,
                                            pxmToNode: pxmToNode, maxNumNodes: config.maxNumNodes,
                                            takesOnlineCapable: profile.kernel.has(.arm64GICCOnlineCapable), log: &log)
        case .acpi(let acpi):
            return CPUEnumeration.acpi(acpi, nrCPUs: config.nrCpus, nrCPUIDsLimit: nrCPUsLimit, numaOff: numaOff || !numaEnabled,
                                       pxmToNode: pxmToNode, maxNumNodes: config.maxNumNodes)
        }
    }

    static func nodeMemory(_ memblock: Memblock, nodes: [Int], allOnNodeZero: Bool) -> [Int: [PhysRange]] {
        var result: [Int: [PhysRange]] = [:]
        for region in memblock.memory {
            let node = allOnNodeZero ? 0 : region.nid
            guard nodes.contains(node) else { continue }
            result[node, default: []].append(PhysRange(base: region.base, size: region.size))
        }
        return result
    }
}
