import Testing
import KernelSupport
@testable import Memblock

/// tools/testing/memblock/tests/alloc_nid_api.c (v6.8): the bottom-up NUMA checks, on
/// setup_numa_memblock(node_fractions), with memblock_alloc_try_nid and memblock_alloc_try_nid_raw.
@Suite("alloc_nid_api.c: NUMA checks, bottom-up") struct AllocNidAPINUMABottomUpTests {
    /// alloc_nid_bottom_up_numa_simple_check: the requested node has room; the region is aligned
    /// at the beginning of the requested node.
    @Test(arguments: NidVariant.fallbackVariants)
    func allocNidBottomUpNUMASimple(variant: NidVariant) throws {
        var s = try SuiteMemblock.setupNUMA(.bottomUp)
        let req = s.memory(3)
        #expect(SZ_4 <= req.size)
        let size = req.size / SZ_4
        #expect(try s.allocNid(variant, size, SMP_CACHE_BYTES, s.startOfDRAM, s.endOfDRAM, nid: 3) == req.base)
        #expect(s.reserved(0) == Span(req.base, size))
        #expect(s.reserved(0).end <= req.end)
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == size)
    }

    /// alloc_nid_bottom_up_numa_small_node_check: the requested node is too small.
    ///
    ///  |----------------------+-----+                |
    ///  |       expected       | req |                |
    ///  +----------------------+-----+----------------+
    ///
    ///  |---------+                                   |
    ///  |   rgn   |                                   |
    ///  +---------+-----------------------------------+
    ///
    /// After falling back to NUMA_NO_NODE: the beginning of the first node with room (nid 0).
    @Test(arguments: NidVariant.fallbackVariants)
    func allocNidBottomUpNUMASmallNode(variant: NidVariant) throws {
        var s = try SuiteMemblock.setupNUMA(.bottomUp)
        let req = s.memory(1), exp = s.memory(0)
        let size = SZ_2 * req.size
        #expect(try s.allocNid(variant, size, SMP_CACHE_BYTES, s.startOfDRAM, s.endOfDRAM, nid: 1) == exp.base)
        #expect(s.reserved(0) == Span(exp.base, size))
        #expect(s.reserved(0).end <= exp.end)
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == size)
    }

    /// alloc_nid_bottom_up_numa_node_reserved_check: the requested node is fully reserved.
    ///
    ///  |----------------------+     +-----------+                    |
    ///  |       expected       |     | requested |                    |
    ///  +----------------------+-----+-----------+--------------------+
    ///
    ///  |-----------+                +-----------+                    |
    ///  |    new    |                |  reserved |                    |
    ///  +-----------+----------------+-----------+--------------------+
    ///
    /// After falling back: the beginning of the first node with enough unreserved memory (nid 0).
    @Test(arguments: NidVariant.fallbackVariants)
    func allocNidBottomUpNUMANodeReserved(variant: NidVariant) throws {
        var s = try SuiteMemblock.setupNUMA(.bottomUp)
        let req = s.memory(2), exp = s.memory(0)
        let size = req.size
        try s.reserve(req.base, req.size)
        #expect(try s.allocNid(variant, size, SMP_CACHE_BYTES, s.startOfDRAM, s.endOfDRAM, nid: 2) == exp.base)
        #expect(s.reserved(0) == Span(exp.base, size))
        #expect(s.reserved(0).end <= exp.end)
        #expect(s.cnt(.reserved) == 2)
        #expect(s.totalSize(.reserved) == size + req.size)
    }

    /// alloc_nid_bottom_up_numa_part_reserved_check: the requested node is partly reserved but
    /// has room.
    ///
    ///  |           +---------------------------------------+         |
    ///  |           |               requested               |         |
    ///  +-----------+---------------------------------------+---------+
    ///
    ///  |           +------------------+-----+                        |
    ///  |           |     reserved     | new |                        |
    ///  +-----------+------------------+-----+------------------------+
    ///
    /// The region is in the requested node and merges with the reserved one.
    @Test(arguments: NidVariant.fallbackVariants)
    func allocNidBottomUpNUMAPartReserved(variant: NidVariant) throws {
        var s = try SuiteMemblock.setupNUMA(.bottomUp)
        let req = s.memory(4)
        #expect(SZ_8 <= req.size)
        let r1 = Span(req.base, req.size / SZ_2), size = r1.size / SZ_4
        try s.reserve(r1.base, r1.size)
        #expect(try s.allocNid(variant, size, SMP_CACHE_BYTES, s.startOfDRAM, s.endOfDRAM, nid: 4) == r1.end)
        #expect(s.reserved(0) == Span(req.base, size + r1.size))
        #expect(s.reserved(0).end <= req.end)
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == size + r1.size)
    }

    /// alloc_nid_bottom_up_numa_part_reserved_fallback_check: the requested node is partly
    /// reserved and has no contiguous room.
    ///
    ///  |----------------------+       +-----------------------+         |
    ///  |       expected       |       |       requested       |         |
    ///  +----------------------+-------+-----------------------+---------+
    ///
    ///  |-----------+                        +----------+                |
    ///  |    new    |                        | reserved |                |
    ///  +-----------+------------------------+----------+----------------+
    ///
    /// After falling back: the beginning of the first node with room (nid 0).
    @Test(arguments: NidVariant.fallbackVariants)
    func allocNidBottomUpNUMAPartReservedFallback(variant: NidVariant) throws {
        var s = try SuiteMemblock.setupNUMA(.bottomUp)
        let req = s.memory(4), exp = s.memory(0)
        #expect(SZ_4 <= req.size)
        let size = req.size / SZ_2, r1 = Span(req.base + size / SZ_2, size)
        try s.reserve(r1.base, r1.size)
        #expect(try s.allocNid(variant, size, SMP_CACHE_BYTES, s.startOfDRAM, s.endOfDRAM, nid: 4) == exp.base)
        #expect(s.reserved(0) == Span(exp.base, size))
        #expect(s.reserved(0).end <= exp.end)
        #expect(s.cnt(.reserved) == 2)
        #expect(s.totalSize(.reserved) == size + r1.size)
    }

    /// alloc_nid_bottom_up_numa_split_range_low_check: the range straddles the end of the
    /// requested node and node 3.
    ///
    ///                                min_addr
    ///                                |           max_addr
    ///                                |           |
    ///                                v           v
    ///  |           +-----------------------+-----------+              |
    ///  |           |       requested       |   node3   |              |
    ///  +-----------+-----------------------+-----------+--------------+
    ///                                +           +
    ///  |           +-----------+                                      |
    ///  |           |    rgn    |                                      |
    ///  +-----------+-----------+--------------------------------------+
    ///
    /// The lower limit is dropped; the region is at the beginning of the requested node.
    @Test(arguments: NidVariant.fallbackVariants)
    func allocNidBottomUpNUMASplitRangeLow(variant: NidVariant) throws {
        var s = try SuiteMemblock.setupNUMA(.bottomUp)
        let req = s.memory(2), size = SZ_512
        let minAddr = req.end - SZ_256, maxAddr = minAddr + size
        #expect(try s.allocNid(variant, size, SMP_CACHE_BYTES, minAddr, maxAddr, nid: 2) == req.base)
        #expect(s.reserved(0) == Span(req.base, size))
        #expect(s.reserved(0).end <= req.end)
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == size)
    }

    /// alloc_nid_bottom_up_numa_split_range_high_check: the range straddles the end of node 2 and
    /// the start of the requested node 3.
    ///
    ///                                                min_addr
    ///                                                |         max_addr
    ///                                                |         |
    ///                                                v         v
    ///  |------------------+        +----------------------+---------+      |
    ///  |     expected     |        |       previous       |requested|      |
    ///  +------------------+--------+----------------------+---------+------+
    ///                                                +         +
    ///  |---------+                                                         |
    ///  |   rgn   |                                                         |
    ///  +---------+---------------------------------------------------------+
    ///
    /// The lower limit is dropped; the region is at the beginning of the first node with room.
    @Test(arguments: NidVariant.fallbackVariants)
    func allocNidBottomUpNUMASplitRangeHigh(variant: NidVariant) throws {
        var s = try SuiteMemblock.setupNUMA(.bottomUp)
        let req = s.memory(3), exp = s.memory(0), size = SZ_512
        let minAddr = req.base - SZ_256, maxAddr = minAddr + size
        #expect(try s.allocNid(variant, size, SMP_CACHE_BYTES, minAddr, maxAddr, nid: 3) == exp.base)
        #expect(s.reserved(0) == Span(exp.base, size))
        // The kernel compares with region_end(req_node) here (its exp_node_end).
        #expect(s.reserved(0).end <= req.end)
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == size)
    }

    /// alloc_nid_bottom_up_numa_no_overlap_split_check: the range straddles nodes 5 and 6; the
    /// requested node ends before min_addr.
    ///
    ///                                          min_addr
    ///                                         |         max_addr
    ///                                         |         |
    ///                                         v         v
    ///  |    +---------------+        +-------------+---------+         |
    ///  |    |   requested   |        |    node1    |  node2  |         |
    ///  +----+---------------+--------+-------------+---------+---------+
    ///                                         +         +
    ///  |    +---------+                                                |
    ///  |    |   rgn   |                                                |
    ///  +----+---------+------------------------------------------------+
    ///
    /// The lower limit is dropped; the region starts at the beginning of the requested node.
    @Test(arguments: NidVariant.fallbackVariants)
    func allocNidBottomUpNUMANoOverlapSplit(variant: NidVariant) throws {
        var s = try SuiteMemblock.setupNUMA(.bottomUp)
        let req = s.memory(2), node2 = s.memory(6), size = SZ_512
        let minAddr = node2.base - SZ_256, maxAddr = minAddr + size
        #expect(try s.allocNid(variant, size, SMP_CACHE_BYTES, minAddr, maxAddr, nid: 2) == req.base)
        #expect(s.reserved(0) == Span(req.base, size))
        #expect(s.reserved(0).end <= req.end)
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == size)
    }

    /// alloc_nid_bottom_up_numa_no_overlap_low_check: the requested node ends before min_addr;
    /// the range covers nodes 2 ... 5 along node boundaries.
    ///
    ///                          min_addr
    ///                          |                                 max_addr
    ///                          |                                 |
    ///                          v                                 v
    ///  |-----------+           +----------+----...----+----------+      |
    ///  | requested |           | min node |    ...    | max node |      |
    ///  +-----------+-----------+----------+----...----+----------+------+
    ///                          +                                 +
    ///  |                       +-----+                                  |
    ///  |                       | rgn |                                  |
    ///  +-----------------------+-----+----------------------------------+
    ///
    /// After falling back to NUMA_NO_NODE: the beginning of the first node in the range.
    @Test(arguments: NidVariant.fallbackVariants)
    func allocNidBottomUpNUMANoOverlapLow(variant: NidVariant) throws {
        try Self.noOverlap(variant, nid: 0)
    }

    /// alloc_nid_bottom_up_numa_no_overlap_high_check: the requested node starts after max_addr;
    /// the range covers nodes 2 ... 5 along node boundaries.
    ///
    ///        min_addr
    ///        |                                 max_addr
    ///        |                                 |
    ///        v                                 v
    ///  |     +----------+----...----+----------+         +---------+   |
    ///  |     | min node |    ...    | max node |         |requested|   |
    ///  +-----+----------+----...----+----------+---------+---------+---+
    ///        +                                 +
    ///  |     +-----+                                                   |
    ///  |     | rgn |                                                   |
    ///  +-----+-----+---------------------------------------------------+
    ///
    /// After falling back to NUMA_NO_NODE: the beginning of the first node in the range.
    @Test(arguments: NidVariant.fallbackVariants)
    func allocNidBottomUpNUMANoOverlapHigh(variant: NidVariant) throws {
        try Self.noOverlap(variant, nid: 7)
    }

    /// The two no_overlap scenarios: nodes 2 ... 5 as the range, 64 bytes, the node outside it.
    static func noOverlap(_ variant: NidVariant, nid: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
        var s = try SuiteMemblock.setupNUMA(.bottomUp)
        let minNode = s.memory(2), maxNode = s.memory(5), size = SZ_64
        let got = try s.allocNid(variant, size, SMP_CACHE_BYTES, minNode.base, maxNode.end, nid: nid)
        #expect(got == minNode.base, sourceLocation: sourceLocation)
        #expect(s.reserved(0) == Span(minNode.base, size), sourceLocation: sourceLocation)
        #expect(s.reserved(0).end <= minNode.end, sourceLocation: sourceLocation)
        #expect(s.cnt(.reserved) == 1 && s.totalSize(.reserved) == size, sourceLocation: sourceLocation)
    }
}
