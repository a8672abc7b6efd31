import Testing
import KernelSupport
@testable import Memblock

/// tools/testing/memblock/tests/alloc_nid_api.c (v6.8): the bottom-up range checks, with
/// memblock_alloc_try_nid, memblock_alloc_try_nid_raw and (memblock_alloc_exact_nid_range_checks)
/// memblock_alloc_exact_nid_raw, always with NUMA_NO_NODE.
@Suite("alloc_nid_api.c: range checks, bottom-up") struct AllocNidAPIBottomUpTests {
    /// alloc_nid_bottom_up_simple_check: within [min_addr, max_addr).
    ///
    ///        +                       +
    ///   |    +-----------+           |      |
    ///   |    |    rgn    |           |      |
    ///   +----+-----------+-----------+------+
    ///        ^                       ^
    ///        |                       |
    ///        min_addr                max_addr
    ///
    /// A region that starts at min_addr and ends before max_addr.
    @Test(arguments: NidVariant.allCases)
    func allocNidBottomUpSimple(variant: NidVariant) throws {
        var s = try SuiteMemblock.setup(.bottomUp)
        let size = SZ_128, minAddr = s.startOfDRAM + SMP_CACHE_BYTES * 2, maxAddr = minAddr + SZ_512
        #expect(try s.allocNid(variant, size, SMP_CACHE_BYTES, minAddr, maxAddr, nid: NUMA_NO_NODE) == minAddr)
        #expect(s.reserved(0) == Span(minAddr, size))
        #expect(s.reserved(0).end < maxAddr)
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == size)
    }

    /// alloc_nid_bottom_up_start_misaligned_check: min_addr misaligned.
    ///
    ///        +                     +
    ///  |     +   +-----------+     +     |
    ///  |     |   |    rgn    |     |     |
    ///  +-----+---+-----------+-----+-----+
    ///        ^   ^----.            ^
    ///        |        |            |
    ///     min_add     |            max_addr
    ///                 |
    ///                 Aligned address
    ///                 boundary
    ///
    /// An aligned region that ends before max_addr.
    @Test(arguments: NidVariant.allCases)
    func allocNidBottomUpStartMisaligned(variant: NidVariant) throws {
        var s = try SuiteMemblock.setup(.bottomUp)
        let size = SZ_128, misalign = SZ_2
        let minAddr = s.startOfDRAM + misalign, maxAddr = minAddr + SZ_512
        let base = minAddr + (SMP_CACHE_BYTES - misalign)
        #expect(try s.allocNid(variant, size, SMP_CACHE_BYTES, minAddr, maxAddr, nid: NUMA_NO_NODE) == base)
        #expect(s.reserved(0) == Span(base, size))
        #expect(s.reserved(0).end < maxAddr)
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == size)
    }

    /// alloc_nid_bottom_up_narrow_range_check: the block does not fit in [min_addr, max_addr).
    ///
    ///                      +    +
    ///  |---------+         +    +      |
    ///  |   rgn   |         |    |      |
    ///  +---------+---------+----+------+
    ///                      ^    ^
    ///                      |    |
    ///                      |    max_addr
    ///                      |
    ///                      min_add
    ///
    /// The lower limit is dropped; the region starts at the beginning of memory.
    @Test(arguments: NidVariant.allCases)
    func allocNidBottomUpNarrowRange(variant: NidVariant) throws {
        var s = try SuiteMemblock.setup(.bottomUp)
        let size = SZ_256, minAddr = s.startOfDRAM + SZ_512, maxAddr = minAddr + SMP_CACHE_BYTES
        #expect(try s.allocNid(variant, size, SMP_CACHE_BYTES, minAddr, maxAddr, nid: NUMA_NO_NODE) == s.startOfDRAM)
        #expect(s.reserved(0) == Span(s.startOfDRAM, size))
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == size)
    }

    /// alloc_nid_bottom_up_reserved_with_space_check: reserved regions at both borders, a gap
    /// big enough for the block.
    ///
    ///                +           +
    ///  |    +--------+-------+   +------+  |
    ///  |    |   r2   |  rgn  |   |  r1  |  |
    ///  +----+--------+-------+---+------+--+
    ///                ^           ^
    ///                |           |
    ///                min_addr    max_addr
    ///
    /// The block merges with r2; r1 is unchanged.
    @Test(arguments: NidVariant.allCases)
    func allocNidBottomUpReservedWithSpace(variant: NidVariant) throws {
        var s = try SuiteMemblock.setup(.bottomUp)
        let r3Size = SZ_64, gapSize = SMP_CACHE_BYTES
        let r1 = Span(s.endOfDRAM - SMP_CACHE_BYTES * 2, SMP_CACHE_BYTES)
        let r2 = Span(r1.base - (r3Size + gapSize + SZ_128), SZ_128)
        let minAddr = r2.end, maxAddr = r1.base
        try s.reserve(r1.base, r1.size)
        try s.reserve(r2.base, r2.size)
        #expect(try s.allocNid(variant, r3Size, SMP_CACHE_BYTES, minAddr, maxAddr, nid: NUMA_NO_NODE) == minAddr)
        #expect(s.reserved(1) == Span(maxAddr, r1.size))
        #expect(s.reserved(0) == Span(r2.base, r2.size + r3Size))
        #expect(s.cnt(.reserved) == 2)
        #expect(s.totalSize(.reserved) == r1.size + r2.size + r3Size)
    }

    /// alloc_nid_bottom_up_reserved_no_space_check: reserved regions at both borders, a gap that
    /// cannot fit the block.
    ///
    ///                         +   +
    ///  |----------+    +------+   +----+  |
    ///  |    r3    |    |  r2  |   | r1 |  |
    ///  +----------+----+------+---+----+--+
    ///                         ^   ^
    ///                         |   |
    ///                         |  max_addr
    ///                         |
    ///                         min_addr
    ///
    /// The lower limit is dropped; the block goes at the beginning of memory; the other regions
    /// are unchanged.
    @Test(arguments: NidVariant.allCases)
    func allocNidBottomUpReservedNoSpace(variant: NidVariant) throws {
        var s = try SuiteMemblock.setup(.bottomUp)
        let r3Size = SZ_256, gapSize = SMP_CACHE_BYTES
        let r1 = Span(s.endOfDRAM - SMP_CACHE_BYTES * 2, SMP_CACHE_BYTES)
        let r2 = Span(r1.base - (SZ_128 + gapSize), SZ_128)
        try s.reserve(r1.base, r1.size)
        try s.reserve(r2.base, r2.size)
        #expect(try s.allocNid(variant, r3Size, SMP_CACHE_BYTES, r2.end, r1.base, nid: NUMA_NO_NODE) == s.startOfDRAM)
        #expect(s.reserved(0) == Span(s.startOfDRAM, r3Size))
        #expect(s.reserved(1) == r2)
        #expect(s.reserved(2) == r1)
        #expect(s.cnt(.reserved) == 3)
        #expect(s.totalSize(.reserved) == r1.size + r2.size + r3Size)
    }

    /// alloc_nid_bottom_up_cap_max_check: max_addr beyond the end of memory; the region starts at
    /// min_addr.
    @Test(arguments: NidVariant.allCases)
    func allocNidBottomUpCapMax(variant: NidVariant) throws {
        var s = try SuiteMemblock.setup(.bottomUp)
        let size = SZ_256, minAddr = s.startOfDRAM + SZ_1K, maxAddr = s.endOfDRAM + SZ_256
        #expect(try s.allocNid(variant, size, SMP_CACHE_BYTES, minAddr, maxAddr, nid: NUMA_NO_NODE) == minAddr)
        #expect(s.reserved(0) == Span(minAddr, size))
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == size)
    }

    /// alloc_nid_bottom_up_cap_min_check: min_addr at the start of memory (the kernel's comment
    /// says "smaller than the start address"); the region is at the beginning of memory.
    @Test(arguments: NidVariant.allCases)
    func allocNidBottomUpCapMin(variant: NidVariant) throws {
        var s = try SuiteMemblock.setup(.bottomUp)
        let size = SZ_1K, minAddr = s.startOfDRAM, maxAddr = s.endOfDRAM - SZ_256
        #expect(try s.allocNid(variant, size, SMP_CACHE_BYTES, minAddr, maxAddr, nid: NUMA_NO_NODE) == s.startOfDRAM)
        #expect(s.reserved(0) == Span(s.startOfDRAM, size))
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == size)
    }
}
