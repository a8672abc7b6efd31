import Testing
import KernelSupport
@testable import Memblock

/// tools/testing/memblock/tests/alloc_helpers_api.c (v6.8): memblock_alloc_from(), i.e.
/// memblock_alloc_try_nid(size, align, min_addr, MEMBLOCK_ALLOC_ACCESSIBLE, NUMA_NO_NODE).
/// When nothing fits above min_addr, memblock_alloc_internal() retries from address 0.
@Suite("alloc_helpers_api.c: memblock_alloc_from") struct AllocHelpersAPITests {
    /// alloc_from_simple_generic_check: above an aligned min_addr.
    ///
    ///             +
    ///  |          +-----------+         |
    ///  |          |    rgn    |         |
    ///  +----------+-----------+---------+
    ///             ^
    ///             |
    ///             Aligned min_addr
    ///
    /// A cleared region at the minimal address.
    @Test(arguments: Direction.allCases)
    func allocFromSimpleGeneric(direction: Direction) throws {
        var s = try SuiteMemblock.setup(direction)
        let size = SZ_16, minAddr = s.endOfDRAM - SMP_CACHE_BYTES
        #expect(try s.allocFrom(size, SMP_CACHE_BYTES, minAddr) == minAddr)
        #expect(s.reserved(0) == Span(minAddr, size))
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == size)
    }

    /// alloc_from_misaligned_generic_check: min_addr is not aligned.
    ///
    ///         +      +
    ///  |      +      +---------+            |
    ///  |      |      |   rgn   |            |
    ///  +------+------+---------+------------+
    ///         ^      ^------.
    ///         |             |
    ///       min_addr        Aligned address
    ///                       boundary
    ///
    /// A cleared region at the closest aligned address.
    @Test(arguments: Direction.allCases)
    func allocFromMisalignedGeneric(direction: Direction) throws {
        var s = try SuiteMemblock.setup(direction)
        let size = SZ_32, minAddr = s.endOfDRAM - (SMP_CACHE_BYTES * 2 - 1)
        #expect(try s.allocFrom(size, SMP_CACHE_BYTES, minAddr) == s.endOfDRAM - SMP_CACHE_BYTES)
        #expect(s.reserved(0) == Span(s.endOfDRAM - SMP_CACHE_BYTES, size))
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == size)
    }

    /// alloc_from_top_down_high_addr_check: min_addr too close to the end of memory.
    ///
    ///              +        +
    ///  |           +--------+---+      |
    ///  |           |   rgn  +   |      |
    ///  +-----------+--------+---+------+
    ///              ^        ^
    ///              |        |
    ///              |        min_addr
    ///              |
    ///              Aligned address
    ///              boundary
    ///
    /// Granting memory wins over the minimal address.
    @Test func allocFromTopDownHighAddr() throws {
        var s = try SuiteMemblock.setup(.topDown)
        let size = SZ_32, minAddr = s.endOfDRAM - SZ_16
        #expect(try s.allocFrom(size, SMP_CACHE_BYTES, minAddr) == s.endOfDRAM - SMP_CACHE_BYTES)
        #expect(s.reserved(0) == Span(s.endOfDRAM - SMP_CACHE_BYTES, size))
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == size)
    }

    /// alloc_from_top_down_no_space_above_check: no space left above min_addr.
    ///
    ///                     +
    ///  |        +---------+-------------|
    ///  |        |   rgn   |             |
    ///  +--------+---------+-------------+
    ///                     ^
    ///                     |
    ///                     min_addr
    ///
    /// The block goes right below the region reserved at min_addr, and they merge.
    @Test func allocFromTopDownNoSpaceAbove() throws {
        var s = try SuiteMemblock.setup(.topDown)
        let r1Size = SZ_64, r2Size = SZ_2
        let minAddr = s.endOfDRAM - SMP_CACHE_BYTES * 2
        try s.reserve(minAddr, r2Size)
        #expect(try s.allocFrom(r1Size, SMP_CACHE_BYTES, minAddr) == minAddr - r1Size)
        #expect(s.reserved(0) == Span(minAddr - r1Size, r1Size + r2Size))
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == r1Size + r2Size)
    }

    /// alloc_from_top_down_min_addr_cap_check: min_addr below the start of memory; a reservation
    /// forces the block down to the start, where it merges with it.
    @Test func allocFromTopDownMinAddrCap() throws {
        var s = try SuiteMemblock.setup(.topDown)
        let r1Size = SZ_64, startAddr = s.startOfDRAM
        let minAddr = startAddr - SMP_CACHE_BYTES * 3
        try s.reserve(startAddr + r1Size, MEM_SIZE - r1Size)
        #expect(try s.allocFrom(r1Size, SMP_CACHE_BYTES, minAddr) == startAddr)
        #expect(s.reserved(0) == Span(startAddr, MEM_SIZE))
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == MEM_SIZE)
    }

    /// alloc_from_bottom_up_high_addr_check: min_addr too close to the end of memory.
    ///
    ///                             +
    ///  |-----------+              +     |
    ///  |    rgn    |              |     |
    ///  +-----------+--------------+-----+
    ///  ^                          ^
    ///  |                          |
    ///  Aligned address            min_addr
    ///  boundary
    ///
    /// Granting memory wins; the block goes at the beginning of memory.
    @Test func allocFromBottomUpHighAddr() throws {
        var s = try SuiteMemblock.setup(.bottomUp)
        let size = SZ_32, minAddr = s.endOfDRAM - SZ_8
        #expect(try s.allocFrom(size, SMP_CACHE_BYTES, minAddr) == s.startOfDRAM)
        #expect(s.reserved(0) == Span(s.startOfDRAM, size))
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == size)
    }

    /// alloc_from_bottom_up_no_space_above_check: no space left above min_addr.
    ///
    ///                   +
    ///  |-----------+    +-------------------|
    ///  |    rgn    |    |                   |
    ///  +-----------+----+-------------------+
    ///                   ^
    ///                   |
    ///                   min_addr
    ///
    /// Granting memory wins; the block goes at the beginning of memory.
    @Test func allocFromBottomUpNoSpaceAbove() throws {
        var s = try SuiteMemblock.setup(.bottomUp)
        let r1Size = SZ_64, minAddr = s.startOfDRAM + SZ_128
        let r2Size = s.endOfDRAM - minAddr
        try s.reserve(minAddr - SMP_CACHE_BYTES, r2Size)
        #expect(try s.allocFrom(r1Size, SMP_CACHE_BYTES, minAddr) == s.startOfDRAM)
        #expect(s.reserved(0) == Span(s.startOfDRAM, r1Size))
        #expect(s.cnt(.reserved) == 2)
        #expect(s.totalSize(.reserved) == r1Size + r2Size)
    }

    /// alloc_from_bottom_up_min_addr_cap_check: min_addr below the start of memory; the block
    /// goes at the beginning of memory.
    @Test func allocFromBottomUpMinAddrCap() throws {
        var s = try SuiteMemblock.setup(.bottomUp)
        let r1Size = SZ_64, startAddr = s.startOfDRAM
        #expect(try s.allocFrom(r1Size, SMP_CACHE_BYTES, startAddr - SMP_CACHE_BYTES * 3) == startAddr)
        #expect(s.reserved(0) == Span(startAddr, r1Size))
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == r1Size)
    }
}
