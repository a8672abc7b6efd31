/// What NUMA init and CPU enumeration concluded: the possible CPUs, the node of
/// each (`early_cpu_to_node`), the nodes and the distance table. The per-CPU
/// stage reads only this.
public struct Topology: Equatable, Sendable, Codable {
    /// How the node information was obtained.
    public enum Method: String, Sendable, Codable {
        /// `of_numa_init` (device tree).
        case deviceTree = "device-tree"
        /// `arch_acpi_numa_init` / x86 `x86_acpi_numa_init` (SRAT/SLIT).
        case acpi
        /// `dummy_numa_init`: one fake node covering all memory.
        case dummy
        /// CONFIG_NUMA=n: no NUMA init at all.
        case none
    }

    public var method: Method
    /// `numa_off` at the end (set by `numa=off` and by the dummy init).
    public var numaOff: Bool
    /// cpu_possible_mask, ascending.
    public var possibleCPUs: [Int]
    /// nr_cpu_ids.
    public var nrCPUIDs: Int
    /// early_cpu_to_node(cpu) for every cpu < nrCPUIDs (NUMA_NO_NODE = -1 where unmapped).
    public var cpuToNode: [Int]
    /// node_possible_map, ascending.
    public var nodes: [Int]
    /// The memory of each node (memblock.memory regions tagged with it), by node id.
    public var nodeMemory: [Int: [PhysRange]]
    /// Where NODE_DATA of each node was placed (physical), by node id.
    public var nodeData: [Int: UInt64]
    /// The distance table as `__node_distance` reads it.
    public var distances: DistanceTable

    /// `early_cpu_to_node(cpu)`.
    public func node(ofCPU cpu: Int) -> Int {
        cpu >= 0 && cpu < cpuToNode.count ? cpuToNode[cpu] : -1
    }

    /// `node_online(node)`: `nodes` is ascending, so a binary search.
    public func isOnline(_ node: Int) -> Bool {
        var low = 0, high = nodes.count
        while low < high {
            let mid = (low + high) / 2
            if nodes[mid] < node { low = mid + 1 } else { high = mid }
        }
        return low < nodes.count && nodes[low] == node
    }

    /// nr_node_ids: highest possible node + 1 (`setup_nr_node_ids`).
    public var nrNodeIDs: Int { (nodes.max() ?? 0) + 1 }
}

/// `numa_distance[]` of `drivers/base/arch_numa.c` (v6.8): a cnt × cnt byte table.
public struct DistanceTable: Equatable, Sendable, Codable {
    /// numa_distance_cnt (0 when no table exists).
    public var count: Int
    public var entries: [UInt8]

    public static let localDistance = 10
    public static let remoteDistance = 20

    /// `numa_alloc_distance`: LOCAL_DISTANCE on the diagonal, REMOTE_DISTANCE elsewhere.
    public init(count: Int) {
        self.count = count
        var entries = [UInt8](repeating: UInt8(DistanceTable.remoteDistance), count: count * count)
        for i in 0..<count { entries[i * count + i] = UInt8(DistanceTable.localDistance) }
        self.entries = entries
    }

    /// `__node_distance(from, to)`: ids outside the table get 10 if equal, else 20.
    public func distance(_ from: Int, _ to: Int) -> Int {
        if from < 0 || to < 0 || from >= count || to >= count {
            return from == to ? DistanceTable.localDistance : DistanceTable.remoteDistance
        }
        return Int(entries[from * count + to])
    }
}
