import Testing
import KernelSupport
@testable import Memblock

/// tools/testing/memblock/tests/basic_api.c (v6.8): the memblock_*bottom_up and
/// memblock_trim_memory checks.
@Suite("basic_api.c: bottom_up, memblock_trim_memory") struct BasicAPIBottomUpTrimTests {
    /// Where memblock_find_in_range_node() puts 64 bytes in the MEM_SIZE block: the observable
    /// meaning of memblock.bottom_up.
    static func firstFit(_ s: SuiteMemblock) -> UInt64? {
        s.mb.findInRangeNode(size: SZ_64, align: SMP_CACHE_BYTES, start: 0, end: MEMBLOCK_ALLOC_ACCESSIBLE,
                             nid: NUMA_NO_NODE, flags: [])
    }

    /// memblock_set_bottom_up_check: memblock_set_bottom_up(false / true) sets memblock.bottom_up;
    /// reset_memblock_attributes() puts it back. The emulator keeps the flag as one stored
    /// property, so the scenario also checks what the flag does: the allocation direction.
    @Test func memblockSetBottomUp() throws {
        var s = try SuiteMemblock.setup()
        s.mb.bottomUp = false
        #expect(s.mb.bottomUp == false)
        #expect(Self.firstFit(s) == s.endOfDRAM - SZ_64)
        s.mb.bottomUp = true
        #expect(s.mb.bottomUp == true)
        #expect(Self.firstFit(s) == s.startOfDRAM)
        #expect(SuiteMemblock().mb.bottomUp == false)
    }

    /// memblock_bottom_up_check: memblock_bottom_up() reports memblock.bottom_up as set by
    /// memblock_set_bottom_up(), in both states (here: the direction a search takes follows it).
    @Test(arguments: [false, true])
    func memblockBottomUp(bottomUp: Bool) throws {
        var s = try SuiteMemblock.setup()
        s.mb.bottomUp = bottomUp
        #expect(s.mb.bottomUp == bottomUp)
        #expect(Self.firstFit(s) == (bottomUp ? s.startOfDRAM : s.endOfDRAM - SZ_64))
    }

    /// memblock_trim_memory_aligned_check: both ends aligned — nothing is trimmed, the counter
    /// stays.
    @Test func memblockTrimMemoryAligned() throws {
        let alignment = SMP_CACHE_BYTES
        var s = SuiteMemblock()
        try s.add(alignment, alignment * 4)
        s.mb.trimMemory(align: alignment)
        #expect(s.memory(0) == Span(alignment, alignment * 4))
        #expect(s.cnt(.memory) == 1)
    }

    /// memblock_trim_memory_too_small_check: r1 aligned on both ends, r2 unaligned at one end and
    /// smaller than the alignment.
    ///
    ///                                     alignment
    ///                                     |--------|
    /// |        +-----------------+        +------+   |
    /// |        |        r1       |        |  r2  |   |
    /// +--------+-----------------+--------+------+---+
    ///          ^        ^        ^        ^      ^
    ///          |________|________|________|      |
    ///                            |               Unaligned address
    ///                Aligned addresses
    ///
    /// r1 is not trimmed, r2 is removed; the counter is updated.
    @Test func memblockTrimMemoryTooSmall() throws {
        let alignment = SMP_CACHE_BYTES
        var s = SuiteMemblock()
        try s.add(alignment, alignment * 2)
        try s.add(alignment * 4, alignment - SZ_2)
        s.mb.trimMemory(align: alignment)
        #expect(s.memory(0) == Span(alignment, alignment * 2))
        #expect(s.cnt(.memory) == 1)
    }

    /// memblock_trim_memory_unaligned_base_check: r2 unaligned at the base, aligned at the end.
    ///
    ///                               Unaligned address
    ///                                       |
    ///                                       v
    /// |        +-----------------+          +---------------+   |
    /// |        |        r1       |          |      r2       |   |
    /// +--------+-----------------+----------+---------------+---+
    ///          ^        ^        ^        ^        ^        ^
    ///          |________|________|________|________|________|
    ///                            |
    ///                    Aligned addresses
    ///
    /// r1 is not trimmed, r2 is trimmed at the base; the counter is not updated.
    @Test func memblockTrimMemoryUnalignedBase() throws {
        let alignment = SMP_CACHE_BYTES, offset = SZ_2
        let r1 = Span(alignment, alignment * 2), r2 = Span(alignment * 4 + offset, alignment * 2 - offset)
        var s = SuiteMemblock()
        try s.add(r1.base, r1.size)
        try s.add(r2.base, r2.size)
        s.mb.trimMemory(align: alignment)
        #expect(s.memory(0) == r1)
        #expect(s.memory(1) == Span(r2.base + (alignment - offset), r2.size - (alignment - offset)))
        #expect(s.cnt(.memory) == 2)
    }

    /// memblock_trim_memory_unaligned_end_check: r2 aligned at the base, unaligned at the end.
    ///
    ///                                             Unaligned address
    ///                                                     |
    ///                                                     v
    /// |        +-----------------+        +---------------+   |
    /// |        |        r1       |        |      r2       |   |
    /// +--------+-----------------+--------+---------------+---+
    ///          ^        ^        ^        ^        ^        ^
    ///          |________|________|________|________|________|
    ///                            |
    ///                    Aligned addresses
    ///
    /// r1 is not trimmed, r2 is trimmed at the end; the counter is not updated.
    @Test func memblockTrimMemoryUnalignedEnd() throws {
        let alignment = SMP_CACHE_BYTES, offset = SZ_2
        let r1 = Span(alignment, alignment * 2), r2 = Span(alignment * 4, alignment * 2 - offset)
        var s = SuiteMemblock()
        try s.add(r1.base, r1.size)
        try s.add(r2.base, r2.size)
        s.mb.trimMemory(align: alignment)
        #expect(s.memory(0) == r1)
        #expect(s.memory(1) == Span(r2.base, r2.size - (alignment - offset)))
        #expect(s.cnt(.memory) == 2)
    }
}
