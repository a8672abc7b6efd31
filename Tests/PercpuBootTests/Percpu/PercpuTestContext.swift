import KernelSupport
import Memblock
@testable import PercpuBoot

/// A per-CPU context over one RAM range, with CPUs placed on nodes as given
/// and a distance table (10 on the diagonal, `remote` elsewhere).
func percpuContext(arch: Architecture = .arm64, kernel: KernelVersion = .v6_8, cpuNodes: [Int],
                   staticSize: UInt64 = 87272, ram: (UInt64, UInt64) = (0x4000_0000, 0x4000_0000),
                   remote: Int = 20, configure: (inout KernelConfig) -> Void = { _ in }) throws -> PercpuContext {
    var config = KernelConfig.defaults(for: arch)
    configure(&config)
    let profile = ArchProfile(arch: arch, kernel: kernel, config: config, cmdline: KernelCommandLine())
    var memblock = Memblock(profile: profile.memblockProfile)
    var log = KernelLog()
    try memblock.add(ram.0, ram.1, log: &log, caller: "test")
    let nodes = Array(Set(cpuNodes.filter { $0 >= 0 })).sorted()
    var distances = DistanceTable(count: (nodes.max() ?? 0) + 1)
    for i in 0..<distances.count {
        for j in 0..<distances.count where i != j { distances.entries[i * distances.count + j] = UInt8(remote) }
    }
    var nodeData: [Int: UInt64] = [:]
    for node in nodes { nodeData[node] = ram.0 }
    let topology = Topology(method: .deviceTree, numaOff: false, possibleCPUs: Array(cpuNodes.indices),
                            nrCPUIDs: cpuNodes.count, cpuToNode: cpuNodes, nodes: nodes, nodeMemory: [:],
                            nodeData: nodeData, distances: distances)
    return PercpuContext(memblock: memblock, log: KernelLog(), profile: profile, topology: topology,
                         staticSize: staticSize, dramStart: ram.0)
}

extension PercpuContext {
    /// pcpu_build_alloc_info with the arch_numa distance function, for tests.
    mutating func buildWithNodeDistances(reserved: UInt64 = 8192, dyn: UInt64 = 28672, atom: UInt64) throws -> PcpuAllocInfo? {
        let topology = self.topology
        return try pcpuBuildAllocInfo(reservedSize: reserved, dynSize: dyn, atomSize: atom,
                                      distance: .nodes { topology.distances.distance($0, $1) })
    }
}
