import Memblock

/// `pxm_to_node_map[]` and `nodes_found_map` of drivers/acpi/numa/srat.c (v6.1–v6.12):
/// ACPI proximity domains numbered into node ids, shared by the arch_numa and
/// x86 SRAT parsers.
struct ProximityDomainMap: Equatable, Sendable {
    /// MAX_PXM_DOMAINS.
    static let maxDomains = 256
    let maxNumNodes: Int
    /// Domain → node, for every domain mapped so far.
    private(set) var nodes: [UInt32: Int] = [:]

    init(maxNumNodes: Int) { self.maxNumNodes = maxNumNodes }

    /// `acpi_map_pxm_to_node(pxm)`: an invalid domain (negative or ≥ MAX_PXM_DOMAINS) has
    /// no node; a known one keeps its node; a new one gets the lowest node id not handed
    /// out yet (`first_unset_node(nodes_found_map)`, which is the count so far, as ids
    /// are handed out in order), so nodes are numbered in order of first appearance.
    mutating func map(_ pxm: Int) -> Int {
        guard pxm >= 0 && pxm < Self.maxDomains else { return NUMA_NO_NODE }
        if let node = nodes[UInt32(pxm)] { return node }
        guard nodes.count < maxNumNodes else { return NUMA_NO_NODE }
        let node = nodes.count
        nodes[UInt32(pxm)] = node
        return node
    }

    /// `pxm_to_node(pxm)`: lookup only.
    func node(of pxm: Int) -> Int {
        guard pxm >= 0 && pxm < Self.maxDomains else { return NUMA_NO_NODE }
        return nodes[UInt32(pxm)] ?? NUMA_NO_NODE
    }
}
