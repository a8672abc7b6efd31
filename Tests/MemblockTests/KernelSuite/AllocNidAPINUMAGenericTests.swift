import Testing
import KernelSupport
@testable import Memblock

/// tools/testing/memblock/tests/alloc_nid_api.c (v6.8): the generic NUMA checks (run top-down and
/// bottom-up) and alloc_node_on_correct_nid, on setup_numa_memblock(node_fractions), with
/// memblock_alloc_try_nid and memblock_alloc_try_nid_raw.
@Suite("alloc_nid_api.c: NUMA checks, generic") struct AllocNidAPINUMAGenericTests {
    /// alloc_nid_numa_large_region_generic_check: no node, not even all of them apart, can hold
    /// the block.
    ///
    /// +-----------------------------------+
    /// |                new                |
    /// +-----------------------------------+
    ///     |-------+-------+-------+-------+-------+-------+-------+-------|
    ///     | node0 | node1 | node2 | node3 | node4 | node5 | node6 | node7 |
    ///     +-------+-------+-------+-------+-------+-------+-------+-------+
    ///
    /// No allocation.
    @Test(arguments: Direction.allCases, NidVariant.fallbackVariants)
    func allocNidNUMALargeRegionGeneric(direction: Direction, variant: NidVariant) throws {
        var s = try SuiteMemblock.setupNUMA(direction)
        #expect(try s.allocNid(variant, MEM_SIZE / SZ_2, SMP_CACHE_BYTES, s.startOfDRAM, s.endOfDRAM, nid: 3) == nil)
        #expect(s.mb.reserved.isEmpty)
    }

    /// alloc_nid_numa_reserved_full_merge_generic_check: reserved regions at both borders; the
    /// requested node spans exactly [min_addr, max_addr) and is the size of the block.
    ///
    ///                     min_addr
    ///                     |                       max_addr
    ///                     |                       |
    ///                     v                       v
    ///  |      +-----------+-----------------------+-----------------------|
    ///  |      |   node5   |       requested       |         node7         |
    ///  +------+-----------+-----------------------+-----------------------+
    ///                     +                       +
    ///  |             +----+-----------------------+----+                  |
    ///  |             | r2 |          new          | r1 |                  |
    ///  +-------------+----+-----------------------+----+------------------+
    ///
    /// All merge into one; counter and total size updated.
    @Test(arguments: Direction.allCases, NidVariant.fallbackVariants)
    func allocNidNUMAReservedFullMergeGeneric(direction: Direction, variant: NidVariant) throws {
        var s = try SuiteMemblock.setupNUMA(direction)
        let req = s.memory(6), next = s.memory(7), size = req.size
        let r1 = Span(next.base, SZ_128)
        let r2 = Span(r1.base - (size + SZ_128), SZ_128)
        let total = r1.size + r2.size + size
        try s.reserve(r1.base, r1.size)
        try s.reserve(r2.base, r2.size)
        #expect(try s.allocNid(variant, size, SMP_CACHE_BYTES, r2.end, r1.base, nid: 6) == req.base)
        #expect(s.reserved(0) == Span(r2.base, total))
        #expect(s.reserved(0).base <= req.base && req.end <= s.reserved(0).end)
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == total)
    }

    /// alloc_nid_numa_split_all_reserved_generic_check: the range could hold the block but is
    /// split between two nodes, everything else is reserved, and nid is NUMA_NO_NODE.
    ///
    ///                         +-----------+
    ///                         |    new    |
    ///                         +-----------+
    ///  |      +---------------------+-----------|
    ///  |      |      prev node      | next node |
    ///  +------+---------------------+-----------+
    ///                         +           +
    ///  |----------------------+           +-----|
    ///  |          r1          |           |  r2 |
    ///  +----------------------+-----------+-----+
    ///                         ^           ^
    ///                         |           |
    ///                         |           max_addr
    ///                         |
    ///                         min_addr
    ///
    /// No allocation.
    @Test(arguments: Direction.allCases, NidVariant.fallbackVariants)
    func allocNidNUMASplitAllReservedGeneric(direction: Direction, variant: NidVariant) throws {
        var s = try SuiteMemblock.setupNUMA(direction)
        let next = s.memory(7), size = SZ_256
        let r2 = Span(next.base + SZ_128, s.endOfDRAM - (next.base + SZ_128))
        let r1 = Span(s.startOfDRAM, MEM_SIZE - (r2.size + size))
        try s.reserve(r1.base, r1.size)
        try s.reserve(r2.base, r2.size)
        #expect(try s.allocNid(variant, size, SMP_CACHE_BYTES, r1.end, r2.base, nid: NUMA_NO_NODE) == nil)
        #expect(s.mb.reserved.map { Span($0.base, $0.size) } == [r1, r2])
    }

    /// alloc_node_on_correct_nid: memblock_alloc_node() on node 2 succeeds, and node 2 is the node
    /// set for it (the kernel checks the nid of memory.regions[2]; here the block is also checked
    /// to lie within that region).
    @Test(arguments: Direction.allCases)
    func allocNodeOnCorrectNid(direction: Direction) throws {
        var s = try SuiteMemblock.setupNUMA(direction)
        let req = s.memory(2)
        let got = try s.allocNode(SZ_512, SMP_CACHE_BYTES, nid: 2)
        #expect(got != nil)
        #expect(s.mb.memory[2].nid == 2)
        if let got { #expect(req.base <= got && got + SZ_512 <= req.end) }
    }
}
