import Testing
import KernelSupport
@testable import Memblock

/// tools/testing/memblock/tests/alloc_exact_nid_api.c (v6.8): the direction-specific NUMA checks
/// of memblock_alloc_exact_nid_raw(), on setup_numa_memblock(node_fractions). Unlike the try_nid
/// variants it never falls back to other nodes; it only drops min_addr. The file's other half,
/// memblock_alloc_exact_nid_range_checks(), reruns the alloc_nid_api.c range checks with this
/// function: those are the `.exactNidRaw` cases of AllocNidAPITopDownTests/BottomUpTests. The
/// generic NUMA checks are in AllocExactNidAPIGenericTests.
@Suite("alloc_exact_nid_api.c: NUMA checks, top-down and bottom-up") struct AllocExactNidAPITests {
    /// memblock_alloc_exact_nid_raw(size, SMP_CACHE_BYTES, min, max, nid).
    static func exact(_ s: inout SuiteMemblock, _ size: UInt64, _ minAddr: UInt64, _ maxAddr: UInt64, nid: Int,
                      sourceLocation: SourceLocation = #_sourceLocation) throws -> UInt64? {
        try s.allocNid(.exactNidRaw, size, SMP_CACHE_BYTES, minAddr, maxAddr, nid: nid, sourceLocation: sourceLocation)
    }

    /// alloc_exact_nid_top_down_numa_simple_check: the requested node has room; the region is
    /// aligned at its end.
    @Test func allocExactNidTopDownNUMASimple() throws {
        var s = try SuiteMemblock.setupNUMA(.topDown)
        let req = s.memory(3)
        #expect(SZ_4 <= req.size)
        let size = req.size / SZ_4
        #expect(try Self.exact(&s, size, s.startOfDRAM, s.endOfDRAM, nid: 3) == req.end - size)
        #expect(s.reserved(0) == Span(req.end - size, size))
        #expect(req.base <= s.reserved(0).base)
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == size)
    }

    /// alloc_exact_nid_top_down_numa_part_reserved_check: the requested node is partly reserved
    /// but has room.
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
    @Test func allocExactNidTopDownNUMAPartReserved() throws {
        var s = try SuiteMemblock.setupNUMA(.topDown)
        let req = s.memory(4)
        #expect(SZ_8 <= req.size)
        let r1 = Span(req.base, req.size / SZ_2), size = r1.size / SZ_4
        try s.reserve(r1.base, r1.size)
        #expect(try Self.exact(&s, size, s.startOfDRAM, s.endOfDRAM, nid: 4) == req.end - size)
        #expect(s.reserved(1) == Span(req.end - size, size))
        #expect(req.base <= s.reserved(1).base)
        #expect(s.cnt(.reserved) == 2)
        #expect(s.totalSize(.reserved) == size + r1.size)
    }

    /// alloc_exact_nid_top_down_numa_split_range_low_check: the range straddles the end of the
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
    ///  |                       +-----------+                          |
    ///  |                       |    rgn    |                          |
    ///  +-----------------------+-----------+--------------------------+
    ///
    /// The lower limit is dropped; the region ends at the end of the requested node.
    @Test func allocExactNidTopDownNUMASplitRangeLow() throws {
        var s = try SuiteMemblock.setupNUMA(.topDown)
        let req = s.memory(2), size = SZ_512, minAddr = req.end - SZ_256
        #expect(try Self.exact(&s, size, minAddr, minAddr + size, nid: 2) == req.end - size)
        #expect(s.reserved(0) == Span(req.end - size, size))
        #expect(req.base <= s.reserved(0).base)
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == size)
    }

    /// alloc_exact_nid_top_down_numa_no_overlap_split_check: the range straddles nodes 5 and 6;
    /// the requested node ends before min_addr.
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
    @Test func allocExactNidTopDownNUMANoOverlapSplit() throws {
        var s = try SuiteMemblock.setupNUMA(.topDown)
        let req = s.memory(2), size = SZ_512, minAddr = s.memory(6).base - SZ_256
        #expect(try Self.exact(&s, size, minAddr, minAddr + size, nid: 2) == req.end - size)
        #expect(s.reserved(0) == Span(req.end - size, size))
        #expect(req.base <= s.reserved(0).base)
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == size)
    }

    /// alloc_exact_nid_top_down_numa_no_overlap_low_check: the requested node ends before
    /// min_addr; the range covers nodes 2 ... 5.
    ///
    ///                          min_addr
    ///                          |                                 max_addr
    ///                          |                                 |
    ///                          v                                 v
    ///  |-----------+           +----------+----...----+----------+      |
    ///  | requested |           | min node |    ...    | max node |      |
    ///  +-----------+-----------+----------+----...----+----------+------+
    ///                          +                                 +
    ///  |     +-----+                                                    |
    ///  |     | rgn |                                                    |
    ///  +-----+-----+----------------------------------------------------+
    ///
    /// The lower limit is dropped; the region ends at the end of the requested node.
    @Test func allocExactNidTopDownNUMANoOverlapLow() throws {
        var s = try SuiteMemblock.setupNUMA(.topDown)
        let req = s.memory(0), size = SZ_64
        #expect(try Self.exact(&s, size, s.memory(2).base, s.memory(5).end, nid: 0) == req.end - size)
        #expect(s.reserved(0) == Span(req.end - size, size))
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == size)
    }

    /// alloc_exact_nid_bottom_up_numa_simple_check: the requested node has room; the region is
    /// aligned at its beginning.
    @Test func allocExactNidBottomUpNUMASimple() throws {
        var s = try SuiteMemblock.setupNUMA(.bottomUp)
        let req = s.memory(3)
        #expect(SZ_4 <= req.size)
        let size = req.size / SZ_4
        #expect(try Self.exact(&s, size, s.startOfDRAM, s.endOfDRAM, nid: 3) == req.base)
        #expect(s.reserved(0) == Span(req.base, size))
        #expect(s.reserved(0).end <= req.end)
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == size)
    }

    /// alloc_exact_nid_bottom_up_numa_part_reserved_check: the requested node is partly reserved
    /// but has room.
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
    @Test func allocExactNidBottomUpNUMAPartReserved() throws {
        var s = try SuiteMemblock.setupNUMA(.bottomUp)
        let req = s.memory(4)
        #expect(SZ_8 <= req.size)
        let r1 = Span(req.base, req.size / SZ_2), size = r1.size / SZ_4
        try s.reserve(r1.base, r1.size)
        #expect(try Self.exact(&s, size, s.startOfDRAM, s.endOfDRAM, nid: 4) == r1.end)
        #expect(s.reserved(0) == Span(req.base, size + r1.size))
        #expect(s.reserved(0).end <= req.end)
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == size + r1.size)
    }

    /// alloc_exact_nid_bottom_up_numa_split_range_low_check: the range straddles the end of the
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
    @Test func allocExactNidBottomUpNUMASplitRangeLow() throws {
        var s = try SuiteMemblock.setupNUMA(.bottomUp)
        let req = s.memory(2), size = SZ_512, minAddr = req.end - SZ_256
        #expect(try Self.exact(&s, size, minAddr, minAddr + size, nid: 2) == req.base)
        #expect(s.reserved(0) == Span(req.base, size))
        #expect(s.reserved(0).end <= req.end)
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == size)
    }

    /// alloc_exact_nid_bottom_up_numa_no_overlap_split_check: the range straddles nodes 5 and 6;
    /// the requested node ends before min_addr.
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
    @Test func allocExactNidBottomUpNUMANoOverlapSplit() throws {
        var s = try SuiteMemblock.setupNUMA(.bottomUp)
        let req = s.memory(2), size = SZ_512, minAddr = s.memory(6).base - SZ_256
        #expect(try Self.exact(&s, size, minAddr, minAddr + size, nid: 2) == req.base)
        #expect(s.reserved(0) == Span(req.base, size))
        #expect(s.reserved(0).end <= req.end)
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == size)
    }

    /// alloc_exact_nid_bottom_up_numa_no_overlap_low_check: the requested node ends before
    /// min_addr; the range covers nodes 2 ... 5.
    ///
    ///                          min_addr
    ///                          |                                 max_addr
    ///                          |                                 |
    ///                          v                                 v
    ///  |-----------+           +----------+----...----+----------+      |
    ///  | requested |           | min node |    ...    | max node |      |
    ///  +-----------+-----------+----------+----...----+----------+------+
    ///                          +                                 +
    ///  |-----+                                                          |
    ///  | rgn |                                                          |
    ///  +-----+----------------------------------------------------------+
    ///
    /// The lower limit is dropped; the region starts at the beginning of the requested node.
    @Test func allocExactNidBottomUpNUMANoOverlapLow() throws {
        var s = try SuiteMemblock.setupNUMA(.bottomUp)
        let req = s.memory(0), size = SZ_64
        #expect(try Self.exact(&s, size, s.memory(2).base, s.memory(5).end, nid: 0) == req.base)
        #expect(s.reserved(0) == Span(req.base, size))
        #expect(s.reserved(0).end <= req.end)
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == size)
    }
}
