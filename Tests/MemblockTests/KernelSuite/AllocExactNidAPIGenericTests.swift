import Testing
import KernelSupport
@testable import Memblock

/// tools/testing/memblock/tests/alloc_exact_nid_api.c (v6.8): the generic NUMA checks of
/// memblock_alloc_exact_nid_raw() (run top-down and bottom-up), on setup_numa_memblock(node_fractions).
/// Where alloc_nid_api.c's try_nid scenarios fall back to another node, these expect no allocation.
@Suite("alloc_exact_nid_api.c: NUMA checks, generic") struct AllocExactNidAPIGenericTests {
    static func exact(_ s: inout SuiteMemblock, _ size: UInt64, _ minAddr: UInt64, _ maxAddr: UInt64, nid: Int,
                      sourceLocation: SourceLocation = #_sourceLocation) throws -> UInt64? {
        try s.allocNid(.exactNidRaw, size, SMP_CACHE_BYTES, minAddr, maxAddr, nid: nid, sourceLocation: sourceLocation)
    }

    /// alloc_exact_nid_numa_small_node_generic_check: the requested node is too small.
    ///
    ///  |   +-----+                            |
    ///  |   | req |                            |
    ///  +---+-----+----------------------------+
    ///
    ///  +---------+
    ///  |   rgn   |
    ///  +---------+
    ///
    /// No allocation.
    @Test(arguments: Direction.allCases)
    func allocExactNidNUMASmallNodeGeneric(direction: Direction) throws {
        var s = try SuiteMemblock.setupNUMA(direction)
        #expect(try Self.exact(&s, SZ_2 * s.memory(1).size, s.startOfDRAM, s.endOfDRAM, nid: 1) == nil)
        #expect(s.mb.reserved.isEmpty)
    }

    /// alloc_exact_nid_numa_node_reserved_generic_check: the requested node is fully reserved.
    ///
    ///  |              +---------+             |
    ///  |              |requested|             |
    ///  +--------------+---------+-------------+
    ///
    ///  |              +---------+             |
    ///  |              | reserved|             |
    ///  +--------------+---------+-------------+
    ///
    /// No allocation.
    @Test(arguments: Direction.allCases)
    func allocExactNidNUMANodeReservedGeneric(direction: Direction) throws {
        var s = try SuiteMemblock.setupNUMA(direction)
        let req = s.memory(2)
        try s.reserve(req.base, req.size)
        #expect(try Self.exact(&s, req.size, s.startOfDRAM, s.endOfDRAM, nid: 2) == nil)
        #expect(s.mb.reserved.map { Span($0.base, $0.size) } == [req])
    }

    /// alloc_exact_nid_numa_part_reserved_fail_generic_check: the requested node is partly
    /// reserved and has no contiguous room.
    ///
    ///  |           +-----------------------+    |
    ///  |           |       requested       |    |
    ///  +-----------+-----------------------+----+
    ///
    ///  |                 +----------+           |
    ///  |                 | reserved |           |
    ///  +-----------------+----------+-----------+
    ///
    /// No allocation.
    @Test(arguments: Direction.allCases)
    func allocExactNidNUMAPartReservedFailGeneric(direction: Direction) throws {
        var s = try SuiteMemblock.setupNUMA(direction)
        let req = s.memory(4)
        #expect(SZ_4 <= req.size)
        let size = req.size / SZ_2, r1 = Span(req.base + size / SZ_2, size)
        try s.reserve(r1.base, r1.size)
        #expect(try Self.exact(&s, size, s.startOfDRAM, s.endOfDRAM, nid: 4) == nil)
        #expect(s.mb.reserved.map { Span($0.base, $0.size) } == [r1])
    }

    /// alloc_exact_nid_numa_split_range_high_generic_check: the range straddles the end of node 2
    /// and the start of the requested node 3.
    ///
    ///                               min_addr
    ///                               |         max_addr
    ///                               |         |
    ///                               v         v
    ///  |      +--------------------------+---------+                |
    ///  |      |        first node        |requested|                |
    ///  +------+--------------------------+---------+----------------+
    ///
    /// No allocation.
    @Test(arguments: Direction.allCases)
    func allocExactNidNUMASplitRangeHighGeneric(direction: Direction) throws {
        var s = try SuiteMemblock.setupNUMA(direction)
        let minAddr = s.memory(3).base - SZ_256
        #expect(try Self.exact(&s, SZ_512, minAddr, minAddr + SZ_512, nid: 3) == nil)
        #expect(s.mb.reserved.isEmpty)
    }

    /// alloc_exact_nid_numa_no_overlap_high_generic_check: the requested node starts after
    /// max_addr; the range covers nodes 2 ... 5.
    ///
    ///        min_addr
    ///        |                                 max_addr
    ///        |                                 |
    ///        v                                 v
    ///  |     +----------+----...----+----------+        +-----------+   |
    ///  |     | min node |    ...    | max node |        | requested |   |
    ///  +-----+----------+----...----+----------+--------+-----------+---+
    ///
    /// No allocation.
    @Test(arguments: Direction.allCases)
    func allocExactNidNUMANoOverlapHighGeneric(direction: Direction) throws {
        var s = try SuiteMemblock.setupNUMA(direction)
        #expect(try Self.exact(&s, SZ_64, s.memory(2).base, s.memory(5).end, nid: 7) == nil)
        #expect(s.mb.reserved.isEmpty)
    }

    /// alloc_exact_nid_numa_large_region_generic_check: no node can hold the block.
    ///
    /// +-----------------------------------+
    /// |                new                |
    /// +-----------------------------------+
    ///     |-------+-------+-------+-------+-------+-------+-------+-------|
    ///     | node0 | node1 | node2 | node3 | node4 | node5 | node6 | node7 |
    ///     +-------+-------+-------+-------+-------+-------+-------+-------+
    ///
    /// No allocation.
    @Test(arguments: Direction.allCases)
    func allocExactNidNUMALargeRegionGeneric(direction: Direction) throws {
        var s = try SuiteMemblock.setupNUMA(direction)
        #expect(try Self.exact(&s, MEM_SIZE / SZ_2, s.startOfDRAM, s.endOfDRAM, nid: 3) == nil)
        #expect(s.mb.reserved.isEmpty)
    }

    /// alloc_exact_nid_numa_reserved_full_merge_generic_check: reserved regions at both borders;
    /// the requested node spans exactly [min_addr, max_addr) and is the size of the block.
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
    @Test(arguments: Direction.allCases)
    func allocExactNidNUMAReservedFullMergeGeneric(direction: Direction) throws {
        var s = try SuiteMemblock.setupNUMA(direction)
        let req = s.memory(6), size = req.size
        let r1 = Span(s.memory(7).base, SZ_128)
        let r2 = Span(r1.base - (size + SZ_128), SZ_128)
        let total = r1.size + r2.size + size
        try s.reserve(r1.base, r1.size)
        try s.reserve(r2.base, r2.size)
        #expect(try Self.exact(&s, size, r2.end, r1.base, nid: 6) == req.base)
        #expect(s.reserved(0) == Span(r2.base, total))
        #expect(s.reserved(0).base <= req.base && req.end <= s.reserved(0).end)
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == total)
    }

    /// alloc_exact_nid_numa_split_all_reserved_generic_check: the range could hold the block but
    /// is split between two nodes, everything else is reserved, and nid is NUMA_NO_NODE.
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
    @Test(arguments: Direction.allCases)
    func allocExactNidNUMASplitAllReservedGeneric(direction: Direction) throws {
        var s = try SuiteMemblock.setupNUMA(direction)
        let next = s.memory(7), size = SZ_256
        let r2 = Span(next.base + SZ_128, s.endOfDRAM - (next.base + SZ_128))
        let r1 = Span(s.startOfDRAM, MEM_SIZE - (r2.size + size))
        try s.reserve(r1.base, r1.size)
        try s.reserve(r2.base, r2.size)
        #expect(try Self.exact(&s, size, r1.end, r2.base, nid: NUMA_NO_NODE) == nil)
        #expect(s.mb.reserved.map { Span($0.base, $0.size) } == [r1, r2])
    }
}
