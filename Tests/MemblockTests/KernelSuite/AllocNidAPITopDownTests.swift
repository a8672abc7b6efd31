import Testing
import KernelSupport
@testable import Memblock

/// tools/testing/memblock/tests/alloc_nid_api.c (v6.8): the range checks (`memblock_alloc_nid_range_checks`)
/// that are top-down only, and the generic ones (run top-down and bottom-up). They run with
/// memblock_alloc_try_nid and memblock_alloc_try_nid_raw (memblock_alloc_nid_checks) and with
/// memblock_alloc_exact_nid_raw (memblock_alloc_exact_nid_range_checks, called from
/// alloc_exact_nid_api.c), always with NUMA_NO_NODE. Bottom-up range checks: AllocNidAPIBottomUpTests.
@Suite("alloc_nid_api.c: range checks, top-down and generic") struct AllocNidAPITopDownTests {
    /// alloc_nid_top_down_simple_check: within [min_addr, max_addr).
    ///
    ///        +                   +
    ///   |    +       +-----------+      |
    ///   |    |       |    rgn    |      |
    ///   +----+-------+-----------+------+
    ///        ^                   ^
    ///        |                   |
    ///        min_addr           max_addr
    ///
    /// A region that ends at max_addr.
    @Test(arguments: NidVariant.allCases)
    func allocNidTopDownSimple(variant: NidVariant) throws {
        var s = try SuiteMemblock.setup(.topDown)
        let size = SZ_128, minAddr = s.startOfDRAM + SMP_CACHE_BYTES * 2, maxAddr = minAddr + SZ_512
        #expect(try s.allocNid(variant, size, SMP_CACHE_BYTES, minAddr, maxAddr, nid: NUMA_NO_NODE) == maxAddr - size)
        #expect(s.reserved(0) == Span(maxAddr - size, size))
        #expect(s.reserved(0).end == maxAddr)
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == size)
    }

    /// alloc_nid_top_down_end_misaligned_check: max_addr misaligned.
    ///
    ///         +       +            +
    ///  |      +       +---------+  +    |
    ///  |      |       |   rgn   |  |    |
    ///  +------+-------+---------+--+----+
    ///         ^       ^            ^
    ///         |       |            |
    ///       min_add   |            max_addr
    ///                 |
    ///                 Aligned address
    ///                 boundary
    ///
    /// An aligned region that ends before max_addr.
    @Test(arguments: NidVariant.allCases)
    func allocNidTopDownEndMisaligned(variant: NidVariant) throws {
        var s = try SuiteMemblock.setup(.topDown)
        let size = SZ_128, misalign = SZ_2
        let minAddr = s.startOfDRAM + SMP_CACHE_BYTES * 2, maxAddr = minAddr + SZ_512 + misalign
        let base = maxAddr - size - misalign
        #expect(try s.allocNid(variant, size, SMP_CACHE_BYTES, minAddr, maxAddr, nid: NUMA_NO_NODE) == base)
        #expect(s.reserved(0) == Span(base, size))
        #expect(s.reserved(0).end < maxAddr)
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == size)
    }

    /// alloc_nid_top_down_narrow_range_check: the block does not fit in [min_addr, max_addr).
    ///
    ///           +          +     +
    ///  |        +----------+-----+    |
    ///  |        |   rgn    +     |    |
    ///  +--------+----------+-----+----+
    ///           ^          ^     ^
    ///           |          |     |
    ///           Aligned    |    max_addr
    ///           address    |
    ///           boundary   min_add
    ///
    /// The lower limit is dropped; the region ends at max_addr.
    @Test(arguments: NidVariant.allCases)
    func allocNidTopDownNarrowRange(variant: NidVariant) throws {
        var s = try SuiteMemblock.setup(.topDown)
        let size = SZ_256, minAddr = s.startOfDRAM + SZ_512, maxAddr = minAddr + SMP_CACHE_BYTES
        #expect(try s.allocNid(variant, size, SMP_CACHE_BYTES, minAddr, maxAddr, nid: NUMA_NO_NODE) == maxAddr - size)
        #expect(s.reserved(0) == Span(maxAddr - size, size))
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == size)
    }

    /// alloc_nid_top_down_reserved_with_space_check: reserved regions at both borders, a gap
    /// big enough for the block.
    ///
    ///                +           +
    ///  |    +--------+   +-------+------+  |
    ///  |    |   r2   |   |  rgn  |  r1  |  |
    ///  +----+--------+---+-------+------+--+
    ///                ^           ^
    ///                |           |
    ///                min_addr    max_addr
    ///
    /// The block merges with r1; r2 is unchanged.
    @Test(arguments: NidVariant.allCases)
    func allocNidTopDownReservedWithSpace(variant: NidVariant) throws {
        var s = try SuiteMemblock.setup(.topDown)
        let r3Size = SZ_64, gapSize = SMP_CACHE_BYTES
        let r1 = Span(s.endOfDRAM - SMP_CACHE_BYTES * 2, SMP_CACHE_BYTES)
        let r2 = Span(r1.base - (r3Size + gapSize + SZ_128), SZ_128)
        let minAddr = r2.end, maxAddr = r1.base
        try s.reserve(r1.base, r1.size)
        try s.reserve(r2.base, r2.size)
        #expect(try s.allocNid(variant, r3Size, SMP_CACHE_BYTES, minAddr, maxAddr, nid: NUMA_NO_NODE) == maxAddr - r3Size)
        #expect(s.reserved(1) == Span(maxAddr - r3Size, r1.size + r3Size))
        #expect(s.reserved(0) == r2)
        #expect(s.cnt(.reserved) == 2)
        #expect(s.totalSize(.reserved) == r1.size + r2.size + r3Size)
    }

    /// alloc_nid_top_down_reserved_no_space_check: reserved regions at both borders, a gap that
    /// cannot fit the block.
    ///
    ///                       +    +
    ///  |  +----------+------+    +------+   |
    ///  |  |    r3    |  r2  |    |  r1  |   |
    ///  +--+----------+------+----+------+---+
    ///                       ^    ^
    ///                       |    |
    ///                       |    max_addr
    ///                       |
    ///                       min_addr
    ///
    /// The lower limit is dropped; the block merges with r2; r1 is unchanged.
    @Test(arguments: NidVariant.allCases)
    func allocNidTopDownReservedNoSpace(variant: NidVariant) throws {
        var s = try SuiteMemblock.setup(.topDown)
        let r3Size = SZ_256, gapSize = SMP_CACHE_BYTES
        let r1 = Span(s.endOfDRAM - SMP_CACHE_BYTES * 2, SMP_CACHE_BYTES)
        let r2 = Span(r1.base - (SZ_128 + gapSize), SZ_128)
        try s.reserve(r1.base, r1.size)
        try s.reserve(r2.base, r2.size)
        #expect(try s.allocNid(variant, r3Size, SMP_CACHE_BYTES, r2.end, r1.base, nid: NUMA_NO_NODE) == r2.base - r3Size)
        #expect(s.reserved(1) == r1)
        #expect(s.reserved(0) == Span(r2.base - r3Size, r2.size + r3Size))
        #expect(s.cnt(.reserved) == 2)
        #expect(s.totalSize(.reserved) == r1.size + r2.size + r3Size)
    }

    /// alloc_nid_top_down_cap_max_check: max_addr beyond the end of memory; the region ends at
    /// the end of memory.
    @Test(arguments: NidVariant.allCases)
    func allocNidTopDownCapMax(variant: NidVariant) throws {
        var s = try SuiteMemblock.setup(.topDown)
        let size = SZ_256, minAddr = s.endOfDRAM - SZ_1K, maxAddr = s.endOfDRAM + SZ_256
        #expect(try s.allocNid(variant, size, SMP_CACHE_BYTES, minAddr, maxAddr, nid: NUMA_NO_NODE) == s.endOfDRAM - size)
        #expect(s.reserved(0) == Span(s.endOfDRAM - size, size))
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == size)
    }

    /// alloc_nid_top_down_cap_min_check: min_addr below the start of memory; the region ends at
    /// the end of memory.
    @Test(arguments: NidVariant.allCases)
    func allocNidTopDownCapMin(variant: NidVariant) throws {
        var s = try SuiteMemblock.setup(.topDown)
        let size = SZ_1K, minAddr = s.startOfDRAM - SZ_256, maxAddr = s.endOfDRAM
        #expect(try s.allocNid(variant, size, SMP_CACHE_BYTES, minAddr, maxAddr, nid: NUMA_NO_NODE) == s.endOfDRAM - size)
        #expect(s.reserved(0) == Span(s.endOfDRAM - size, size))
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == size)
    }

    /// alloc_nid_exact_address_generic_check: the block spans exactly [min_addr, max_addr).
    ///
    ///         +               +
    ///  |      +---------------+       |
    ///  |      |      rgn      |       |
    ///  +------+---------------+-------+
    ///         ^               ^
    ///         |               |
    ///         min_addr        max_addr
    ///
    /// The region starts at min_addr and ends at max_addr (min_addr being aligned).
    @Test(arguments: Direction.allCases, NidVariant.allCases)
    func allocNidExactAddressGeneric(direction: Direction, variant: NidVariant) throws {
        var s = try SuiteMemblock.setup(direction)
        let size = SZ_1K, minAddr = s.startOfDRAM + SMP_CACHE_BYTES, maxAddr = minAddr + size
        #expect(try s.allocNid(variant, size, SMP_CACHE_BYTES, minAddr, maxAddr, nid: NUMA_NO_NODE) == minAddr)
        #expect(s.reserved(0) == Span(minAddr, size))
        #expect(s.reserved(0).end == maxAddr)
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == size)
    }

    /// alloc_nid_low_max_generic_check: max_addr too close to the beginning of memory.
    ///
    ///   +-------------+
    ///   |     new     |
    ///   +-------------+
    ///         +       +
    ///         |       +              |
    ///         |       |              |
    ///         +-------+--------------+
    ///         ^       ^
    ///         |       |
    ///         |       max_addr
    ///         |
    ///         min_addr
    ///
    /// No allocation.
    @Test(arguments: Direction.allCases, NidVariant.allCases)
    func allocNidLowMaxGeneric(direction: Direction, variant: NidVariant) throws {
        var s = try SuiteMemblock.setup(direction)
        let minAddr = s.startOfDRAM, maxAddr = minAddr + SMP_CACHE_BYTES
        #expect(try s.allocNid(variant, SZ_1K, SMP_CACHE_BYTES, minAddr, maxAddr, nid: NUMA_NO_NODE) == nil)
        #expect(s.mb.reserved.isEmpty)
    }

    /// alloc_nid_min_reserved_generic_check: min_addr right next to a reserved region.
    ///
    ///          +                        +
    ///  |       +--------+---------------|
    ///  |       |   r1   |      rgn      |
    ///  +-------+--------+---------------+
    ///          ^                        ^
    ///          |                        |
    ///          min_addr                 max_addr
    ///
    /// Both merge; only the size changes.
    @Test(arguments: Direction.allCases, NidVariant.allCases)
    func allocNidMinReservedGeneric(direction: Direction, variant: NidVariant) throws {
        var s = try SuiteMemblock.setup(direction)
        let r1Size = SZ_128, r2Size = SZ_64
        let maxAddr = s.endOfDRAM, minAddr = maxAddr - r2Size, reservedBase = minAddr - r1Size
        try s.reserve(reservedBase, r1Size)
        #expect(try s.allocNid(variant, r2Size, SMP_CACHE_BYTES, minAddr, maxAddr, nid: NUMA_NO_NODE) == minAddr)
        #expect(s.reserved(0) == Span(reservedBase, r1Size + r2Size))
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == r1Size + r2Size)
    }

    /// alloc_nid_max_reserved_generic_check: max_addr right next to a reserved region.
    ///
    ///             +             +
    ///  |          +-------------+--------|
    ///  |          |     rgn     |   r1   |
    ///  +----------+-------------+--------+
    ///             ^             ^
    ///             |             |
    ///             min_addr      max_addr
    ///
    /// Both merge; only the size changes.
    @Test(arguments: Direction.allCases, NidVariant.allCases)
    func allocNidMaxReservedGeneric(direction: Direction, variant: NidVariant) throws {
        var s = try SuiteMemblock.setup(direction)
        let r1Size = SZ_64, r2Size = SZ_128
        let maxAddr = s.endOfDRAM - r1Size, minAddr = maxAddr - r2Size
        try s.reserve(maxAddr, r1Size)
        #expect(try s.allocNid(variant, r2Size, SMP_CACHE_BYTES, minAddr, maxAddr, nid: NUMA_NO_NODE) == minAddr)
        #expect(s.reserved(0) == Span(minAddr, r1Size + r2Size))
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == r1Size + r2Size)
    }

    /// alloc_nid_reserved_full_merge_generic_check: reserved regions at both borders, a gap of
    /// exactly the block's size.
    ///
    ///                 +        +
    ///  |     +--------+--------+--------+     |
    ///  |     |   r2   |   r3   |   r1   |     |
    ///  +-----+--------+--------+--------+-----+
    ///                 ^        ^
    ///                 |        |
    ///                 min_addr max_addr
    ///
    /// All merge into one; counter and total size updated.
    @Test(arguments: Direction.allCases, NidVariant.allCases)
    func allocNidReservedFullMergeGeneric(direction: Direction, variant: NidVariant) throws {
        var s = try SuiteMemblock.setup(direction)
        let r3Size = SZ_64
        let r1 = Span(s.endOfDRAM - SMP_CACHE_BYTES * 2, SMP_CACHE_BYTES)
        let r2 = Span(r1.base - (r3Size + SZ_128), SZ_128)
        try s.reserve(r1.base, r1.size)
        try s.reserve(r2.base, r2.size)
        #expect(try s.allocNid(variant, r3Size, SMP_CACHE_BYTES, r2.end, r1.base, nid: NUMA_NO_NODE) == r2.end)
        #expect(s.reserved(0) == Span(r2.base, r1.size + r2.size + r3Size))
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == r1.size + r2.size + r3Size)
    }

    /// alloc_nid_reserved_all_generic_check: the range is too narrow and everything else is reserved.
    ///
    ///            +-----------+
    ///            |    new    |
    ///            +-----------+
    ///                 +      +
    ///  |--------------+      +----------|
    ///  |      r2      |      |    r1    |
    ///  +--------------+------+----------+
    ///                 ^      ^
    ///                 |      |
    ///                 |      max_addr
    ///                 |
    ///                 min_addr
    ///
    /// No allocation.
    @Test(arguments: Direction.allCases, NidVariant.allCases)
    func allocNidReservedAllGeneric(direction: Direction, variant: NidVariant) throws {
        var s = try SuiteMemblock.setup(direction)
        let gapSize = SMP_CACHE_BYTES
        let r1 = Span(s.endOfDRAM - SMP_CACHE_BYTES, SMP_CACHE_BYTES)
        let r2 = Span(s.startOfDRAM, MEM_SIZE - (r1.size + gapSize))
        try s.reserve(r1.base, r1.size)
        try s.reserve(r2.base, r2.size)
        #expect(try s.allocNid(variant, SZ_256, SMP_CACHE_BYTES, r2.end, r1.base, nid: NUMA_NO_NODE) == nil)
        #expect(s.mb.reserved.map { Span($0.base, $0.size) } == [r2, r1])
    }
}
