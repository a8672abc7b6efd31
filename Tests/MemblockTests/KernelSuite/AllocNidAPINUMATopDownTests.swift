import Testing
import KernelSupport
@testable import Memblock

/// tools/testing/memblock/tests/alloc_nid_api.c (v6.8): the NUMA checks (`__memblock_alloc_nid_numa_checks`)
/// that are top-down, the generic ones (both directions) and alloc_node_on_correct_nid. Memory is
/// setup_numa_memblock(node_fractions): eight nodes of 8K, 2K, 4K, 4K, 2K, 2K, 8K, 2K from
/// DUMMY_BASE; memory.regions[i] is node i. They run with memblock_alloc_try_nid and
/// memblock_alloc_try_nid_raw, which fall back to NUMA_NO_NODE when the node cannot serve.
@Suite("alloc_nid_api.c: NUMA checks, top-down and generic") struct AllocNidAPINUMATopDownTests {
    /// setup_numa_memblock() itself (support, not an upstream scenario): the node layout every
    /// NUMA scenario relies on.
    @Test func setupNUMAMemblockLayout() throws {
        let s = try SuiteMemblock.setupNUMA()
        let sizes: [UInt64] = [SZ_8K, SZ_2K, SZ_4K, SZ_4K, SZ_2K, SZ_2K, SZ_8K, SZ_2K]
        #expect(s.mb.memory.map(\.size) == sizes)
        #expect(s.mb.memory.map(\.nid) == Array(0 ..< NUMA_NODES))
        #expect(s.mb.memory.allSatisfy { $0.flags == .hotplug })
        #expect(s.startOfDRAM == DUMMY_BASE && s.endOfDRAM == DUMMY_BASE + MEM_SIZE)
    }

    /// alloc_nid_top_down_numa_simple_check: the requested node has room; the region is aligned
    /// at the end of the requested node.
    @Test(arguments: NidVariant.fallbackVariants)
    func allocNidTopDownNUMASimple(variant: NidVariant) throws {
        var s = try SuiteMemblock.setupNUMA(.topDown)
        let req = s.memory(3)
        #expect(SZ_4 <= req.size)
        let size = req.size / SZ_4
        #expect(try s.allocNid(variant, size, SMP_CACHE_BYTES, s.startOfDRAM, s.endOfDRAM, nid: 3) == req.end - size)
        #expect(s.reserved(0) == Span(req.end - size, size))
        #expect(req.base <= s.reserved(0).base)
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == size)
    }

    /// alloc_nid_top_down_numa_small_node_check: the requested node is too small.
    ///
    ///  |   +-----+          +------------------+     |
    ///  |   | req |          |     expected     |     |
    ///  +---+-----+----------+------------------+-----+
    ///
    ///  |                             +---------+     |
    ///  |                             |   rgn   |     |
    ///  +-----------------------------+---------+-----+
    ///
    /// After falling back to NUMA_NO_NODE: the end of the last node with room (nid 6).
    @Test(arguments: NidVariant.fallbackVariants)
    func allocNidTopDownNUMASmallNode(variant: NidVariant) throws {
        var s = try SuiteMemblock.setupNUMA(.topDown)
        let req = s.memory(1), exp = s.memory(6)
        let size = SZ_2 * req.size
        #expect(try s.allocNid(variant, size, SMP_CACHE_BYTES, s.startOfDRAM, s.endOfDRAM, nid: 1) == exp.end - size)
        #expect(s.reserved(0) == Span(exp.end - size, size))
        #expect(exp.base <= s.reserved(0).base)
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == size)
    }

    /// alloc_nid_top_down_numa_node_reserved_check: the requested node is fully reserved.
    ///
    ///  |              +---------+            +------------------+     |
    ///  |              |requested|            |     expected     |     |
    ///  +--------------+---------+------------+------------------+-----+
    ///
    ///  |              +---------+                     +---------+     |
    ///  |              | reserved|                     |   new   |     |
    ///  +--------------+---------+---------------------+---------+-----+
    ///
    /// After falling back: the end of the last node with enough unreserved memory (nid 6).
    @Test(arguments: NidVariant.fallbackVariants)
    func allocNidTopDownNUMANodeReserved(variant: NidVariant) throws {
        var s = try SuiteMemblock.setupNUMA(.topDown)
        let req = s.memory(2), exp = s.memory(6)
        let size = req.size
        try s.reserve(req.base, req.size)
        #expect(try s.allocNid(variant, size, SMP_CACHE_BYTES, s.startOfDRAM, s.endOfDRAM, nid: 2) == exp.end - size)
        #expect(s.reserved(1) == Span(exp.end - size, size))
        #expect(exp.base <= s.reserved(1).base)
        #expect(s.cnt(.reserved) == 2)
        #expect(s.totalSize(.reserved) == size + req.size)
    }

    /// alloc_nid_top_down_numa_part_reserved_check: the requested node is partly reserved but has
    /// room.
    ///
    ///  |           +---------------------------------------+          |
    ///  |           |               requested               |          |
    ///  +-----------+---------------------------------------+----------+
    ///
    ///  |           +------------------+              +-----+          |
    ///  |           |     reserved     |              | new |          |
    ///  +-----------+------------------+--------------+-----+----------+
    ///
    /// An aligned region at the end of the requested node.
    @Test(arguments: NidVariant.fallbackVariants)
    func allocNidTopDownNUMAPartReserved(variant: NidVariant) throws {
        var s = try SuiteMemblock.setupNUMA(.topDown)
        let req = s.memory(4)
        #expect(SZ_8 <= req.size)
        let r1 = Span(req.base, req.size / SZ_2), size = r1.size / SZ_4
        try s.reserve(r1.base, r1.size)
        #expect(try s.allocNid(variant, size, SMP_CACHE_BYTES, s.startOfDRAM, s.endOfDRAM, nid: 4) == req.end - size)
        #expect(s.reserved(1) == Span(req.end - size, size))
        #expect(req.base <= s.reserved(1).base)
        #expect(s.cnt(.reserved) == 2)
        #expect(s.totalSize(.reserved) == size + r1.size)
    }

    /// alloc_nid_top_down_numa_part_reserved_fallback_check: the requested node is partly
    /// reserved and has no contiguous room.
    ///
    ///  |           +-----------------------+         +----------------------|
    ///  |           |       requested       |         |       expected       |
    ///  +-----------+-----------------------+---------+----------------------+
    ///
    ///  |                 +----------+                           +-----------|
    ///  |                 | reserved |                           |    new    |
    ///  +-----------------+----------+---------------------------+-----------+
    ///
    /// After falling back: the end of the last node with room (nid NUMA_NODES - 1).
    @Test(arguments: NidVariant.fallbackVariants)
    func allocNidTopDownNUMAPartReservedFallback(variant: NidVariant) throws {
        var s = try SuiteMemblock.setupNUMA(.topDown)
        let req = s.memory(4), exp = s.memory(NUMA_NODES - 1)
        #expect(SZ_4 <= req.size)
        let size = req.size / SZ_2, r1 = Span(req.base + size / SZ_2, size)
        try s.reserve(r1.base, r1.size)
        #expect(try s.allocNid(variant, size, SMP_CACHE_BYTES, s.startOfDRAM, s.endOfDRAM, nid: 4) == exp.end - size)
        #expect(s.reserved(1) == Span(exp.end - size, size))
        #expect(exp.base <= s.reserved(1).base)
        #expect(s.cnt(.reserved) == 2)
        #expect(s.totalSize(.reserved) == size + r1.size)
    }

    /// alloc_nid_top_down_numa_split_range_low_check: [min_addr, max_addr) straddles the end of
    /// the requested node and node 3.
    ///
    ///                                min_addr
    ///                                |           max_addr
    ///                                |           |
    ///                                v           v
    ///  |           +-----------------------+-----------+              |
    ///  |           |       requested       |   node3   |              |
    ///  +-----------+-----------------------+-----------+--------------+
    ///                                +           +
    ///  |                       +-----------+                          |
    ///  |                       |    rgn    |                          |
    ///  +-----------------------+-----------+--------------------------+
    ///
    /// The lower limit is dropped; the region ends at the end of the requested node.
    @Test(arguments: NidVariant.fallbackVariants)
    func allocNidTopDownNUMASplitRangeLow(variant: NidVariant) throws {
        var s = try SuiteMemblock.setupNUMA(.topDown)
        let req = s.memory(2), size = SZ_512
        let minAddr = req.end - SZ_256, maxAddr = minAddr + size
        #expect(try s.allocNid(variant, size, SMP_CACHE_BYTES, minAddr, maxAddr, nid: 2) == req.end - size)
        #expect(s.reserved(0) == Span(req.end - size, size))
        #expect(req.base <= s.reserved(0).base)
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == size)
    }

    /// alloc_nid_top_down_numa_split_range_high_check: the range straddles the end of node 2 and
    /// the start of the requested node 3.
    ///
    ///                               min_addr
    ///                               |         max_addr
    ///                               |         |
    ///                               v         v
    ///  |      +--------------------------+---------+                |
    ///  |      |         expected         |requested|                |
    ///  +------+--------------------------+---------+----------------+
    ///                               +         +
    ///  |                       +---------+                          |
    ///  |                       |   rgn   |                          |
    ///  +-----------------------+---------+--------------------------+
    ///
    /// The lower limit is dropped; the region ends at the end of the first node of the range.
    @Test(arguments: NidVariant.fallbackVariants)
    func allocNidTopDownNUMASplitRangeHigh(variant: NidVariant) throws {
        var s = try SuiteMemblock.setupNUMA(.topDown)
        let exp = s.memory(2), size = SZ_512
        let minAddr = exp.end - SZ_256, maxAddr = minAddr + size
        #expect(try s.allocNid(variant, size, SMP_CACHE_BYTES, minAddr, maxAddr, nid: 3) == exp.end - size)
        #expect(s.reserved(0) == Span(exp.end - size, size))
        #expect(exp.base <= s.reserved(0).base)
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == size)
    }

    /// alloc_nid_top_down_numa_no_overlap_split_check: the range straddles nodes 5 and 6; the
    /// requested node ends before min_addr.
    ///
    ///                                         min_addr
    ///                                         |         max_addr
    ///                                         |         |
    ///                                         v         v
    ///  |    +---------------+        +-------------+---------+          |
    ///  |    |   requested   |        |    node1    |  node2  |          |
    ///  +----+---------------+--------+-------------+---------+----------+
    ///                                         +         +
    ///  |          +---------+                                           |
    ///  |          |   rgn   |                                           |
    ///  +----------+---------+-------------------------------------------+
    ///
    /// The lower limit is dropped; the region ends at the end of the requested node.
    @Test(arguments: NidVariant.fallbackVariants)
    func allocNidTopDownNUMANoOverlapSplit(variant: NidVariant) throws {
        var s = try SuiteMemblock.setupNUMA(.topDown)
        let req = s.memory(2), node2 = s.memory(6), size = SZ_512
        let minAddr = node2.base - SZ_256, maxAddr = minAddr + size
        #expect(try s.allocNid(variant, size, SMP_CACHE_BYTES, minAddr, maxAddr, nid: 2) == req.end - size)
        #expect(s.reserved(0) == Span(req.end - size, size))
        #expect(req.base <= s.reserved(0).base)
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == size)
    }

    /// alloc_nid_top_down_numa_no_overlap_low_check: the requested node ends before min_addr; the
    /// range covers nodes 2 ... 5 along node boundaries.
    ///
    ///                          min_addr
    ///                          |                                 max_addr
    ///                          |                                 |
    ///                          v                                 v
    ///  |-----------+           +----------+----...----+----------+      |
    ///  | requested |           | min node |    ...    | max node |      |
    ///  +-----------+-----------+----------+----...----+----------+------+
    ///                          +                                 +
    ///  |                                                   +-----+      |
    ///  |                                                   | rgn |      |
    ///  +---------------------------------------------------+-----+------+
    ///
    /// After falling back to NUMA_NO_NODE: the end of the last node in the range.
    @Test(arguments: NidVariant.fallbackVariants)
    func allocNidTopDownNUMANoOverlapLow(variant: NidVariant) throws {
        try Self.noOverlap(variant, nid: 0)
    }

    /// alloc_nid_top_down_numa_no_overlap_high_check: the requested node starts after max_addr;
    /// the range covers nodes 2 ... 5 along node boundaries.
    ///
    ///        min_addr
    ///        |                                 max_addr
    ///        |                                 |
    ///        v                                 v
    ///  |     +----------+----...----+----------+        +-----------+   |
    ///  |     | min node |    ...    | max node |        | requested |   |
    ///  +-----+----------+----...----+----------+--------+-----------+---+
    ///        +                                 +
    ///  |                                 +-----+                        |
    ///  |                                 | rgn |                        |
    ///  +---------------------------------+-----+------------------------+
    ///
    /// After falling back to NUMA_NO_NODE: the end of the last node in the range.
    @Test(arguments: NidVariant.fallbackVariants)
    func allocNidTopDownNUMANoOverlapHigh(variant: NidVariant) throws {
        try Self.noOverlap(variant, nid: 7)
    }

    /// The two no_overlap scenarios: nodes 2 ... 5 as the range, 64 bytes, the node outside it.
    static func noOverlap(_ variant: NidVariant, nid: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
        var s = try SuiteMemblock.setupNUMA(.topDown)
        let minNode = s.memory(2), maxNode = s.memory(5), size = SZ_64
        let got = try s.allocNid(variant, size, SMP_CACHE_BYTES, minNode.base, maxNode.end, nid: nid)
        #expect(got == maxNode.end - size, sourceLocation: sourceLocation)
        #expect(s.reserved(0) == Span(maxNode.end - size, size), sourceLocation: sourceLocation)
        #expect(maxNode.base <= s.reserved(0).base, sourceLocation: sourceLocation)
        #expect(s.cnt(.reserved) == 1 && s.totalSize(.reserved) == size, sourceLocation: sourceLocation)
    }
}
