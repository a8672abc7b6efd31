import Testing
import KernelSupport
@testable import Memblock

/// memblock_alloc / alloc_from / alloc_try_nid ranges, top-down and bottom-up (cf. alloc_api.c).
/// Memory for every scenario: one region [0x1000_0000, 0x2000_0000).
@Suite struct MemblockAllocTests {
    let mem = [region(0x1000_0000, 0x1000_0000)]

    /// Top-down: the block goes to the very top of memory and is reserved.
    ///
    ///  |                                      +----+  |
    ///  |                                      |rgn |  |
    ///  +--------------------------------------+----+--+ 0x2000_0000
    @Test func topDownSimple() throws {
        var mb = try memblock(memory: mem)
        var log = KernelLog()
        let a = try mb.alloc(size: 0x1000, align: 0x1000, log: &log, caller: "t")
        #expect(a == 0x1fff_f000)
        #expect(mb.reserved == [region(0x1fff_f000, 0x1000)])
        #expect(traces(log) == [
            "memblock_alloc_try_nid: 4096 bytes align=0x1000 nid=-1 from=0x0000000000000000 max_addr=0x0000000000000000 t",
            "memblock_reserve: [0x000000001ffff000-0x000000001fffffff] memblock_alloc_range_nid",
        ])
    }

    /// Top-down with an alignment larger than the block, below a small reserved tail.
    ///
    ///  |                           +----+.......+--+  |
    ///  |                           |rgn |       |r1|  |
    ///  +---------------------------+----+-------+--+--+
    ///   round_down(0x1fff_ff00 - 0x1000, 0x1_0000) = 0x1fff_0000 ^     r1 = [0x1fff_ff00, 0x2000_0000)
    @Test func topDownAligned() throws {
        var mb = try memblock(memory: mem, reserved: [(0x1fff_ff00, 0x100)])
        var log = KernelLog()
        #expect(try mb.alloc(size: 0x1000, align: 0x1_0000, log: &log, caller: "t") == 0x1fff_0000)
        #expect(mb.reserved == [region(0x1fff_0000, 0x1000), region(0x1fff_ff00, 0x100)])
    }

    /// The block lands right below a reserved region and merges with it.
    @Test func topDownBelowReserved() throws {
        var mb = try memblock(memory: mem, reserved: [(0x1ff0_0000, 0x10_0000)])
        var log = KernelLog()
        #expect(try mb.alloc(size: 0x2000, align: 0x1000, log: &log, caller: "t") == 0x1fef_e000)
        #expect(mb.reserved == [region(0x1fef_e000, 0x10_2000)])
    }

    /// A gap of exactly the block size between r2 and r1 is used, and everything merges.
    ///
    ///  |          +--------+-----+------+  |
    ///  |          |   r2   | rgn |  r1  |  |
    ///  +----------+--------+-----+------+--+
    @Test func topDownExactGap() throws {
        var mb = try memblock(memory: mem, reserved: [(0x1fff_e000, 0x2000), (0x1fff_0000, 0xc000)])
        var log = KernelLog()
        #expect(try mb.alloc(size: 0x2000, align: 0x1000, log: &log, caller: "t") == 0x1fff_c000)
        #expect(mb.reserved == [region(0x1fff_0000, 0x1_0000)])
    }

    /// The gap is one page too small: the block goes below r2.
    ///
    ///  |      +-----+--------+..+------+  |
    ///  |      | rgn |   r2   |  |  r1  |  |
    ///  +------+-----+--------+--+------+--+
    @Test func topDownGapTooSmall() throws {
        var mb = try memblock(memory: mem, reserved: [(0x1fff_e000, 0x2000), (0x1fff_0000, 0xc000)])
        var log = KernelLog()
        #expect(try mb.alloc(size: 0x3000, align: 0x1000, log: &log, caller: "t") == 0x1ffe_d000)
        #expect(mb.reserved == [region(0x1ffe_d000, 0xf000), region(0x1fff_e000, 0x2000)])
    }

    /// No free memory: NULL, no reserve line.
    @Test func noSpace() throws {
        var mb = try memblock(memory: mem, reserved: [(0x1000_0000, 0x1000_0000)])
        var log = KernelLog()
        #expect(try mb.alloc(size: 0x1000, align: 0x1000, log: &log, caller: "t") == nil)
        #expect(traces(log).count == 1)
        #expect(mb.reserved == [region(0x1000_0000, 0x1000_0000)])
    }

    /// align 0 means SMP_CACHE_BYTES (64); the trace prints the align as passed.
    @Test func alignZero() throws {
        var mb = try memblock(memory: mem)
        var log = KernelLog()
        #expect(try mb.alloc(size: 0x30, align: 0, log: &log, caller: "t") == 0x1fff_ffc0)
        #expect(traces(log).first?.contains(" align=0x0 ") == true)
    }

    /// memblock_alloc_from: nothing free above min_addr, so memblock_alloc_internal retries from 0.
    ///
    ///  |            +----+  |xxxxxxxxxxxxxxxxxxxxxxxxx|
    ///  |            |rgn |  |     reserved            |
    ///  +------------+----+--+-------------------------+
    ///                  min_addr = 0x1800_0000 ^
    @Test func minAddrRetriesFromZero() throws {
        var mb = try memblock(memory: mem, reserved: [(0x1800_0000, 0x800_0000)])
        var log = KernelLog()
        #expect(try mb.allocFrom(size: 0x1000, align: 0x1000, minAddr: 0x1800_0000, log: &log, caller: "t") == 0x17ff_f000)
    }

    /// max_addr bounds the search; a max_addr above current_limit is clipped to it.
    @Test func maxAddrAndCurrentLimit() throws {
        var mb = try memblock(memory: mem)
        var log = KernelLog()
        #expect(try mb.allocTryNid(size: 0x1000, align: 0x1000, minAddr: 0, maxAddr: 0x1800_0000, nid: NUMA_NO_NODE,
                                   log: &log, caller: "t") == 0x17ff_f000)
        mb.currentLimit = 0x1400_0000
        #expect(try mb.alloc(size: 0x1000, align: 0x1000, log: &log, caller: "t") == 0x13ff_f000)
        #expect(try mb.allocTryNid(size: 0x1000, align: 0x1000, minAddr: 0, maxAddr: 0x1c00_0000, nid: NUMA_NO_NODE,
                                   log: &log, caller: "t") == 0x13ff_e000)
    }

    /// memblock_phys_alloc_range: end ACCESSIBLE (0) and NOLEAKTRACE (1) both mean current_limit;
    /// min and max bound the search with no retry.
    @Test func physAllocRange() throws {
        var mb = try memblock(memory: mem)
        mb.currentLimit = 0x1800_0000
        var log = KernelLog()
        #expect(try mb.physAllocRange(size: 0x1000, align: 0x1000, start: 0, end: MEMBLOCK_ALLOC_NOLEAKTRACE, log: &log,
                                      caller: "early_pgtable_alloc") == 0x17ff_f000)
        #expect(traces(log)[0] == "memblock_phys_alloc_range: 4096 bytes align=0x1000 from=0x0000000000000000 max_addr=0x0000000000000001 early_pgtable_alloc")
        #expect(try mb.physAlloc(size: 0x1000, align: 0x1000, log: &log, caller: "t") == 0x17ff_e000)
        #expect(try mb.physAllocRange(size: 0x1000, align: 0x1000, start: 0x1c00_0000, end: 0x1d00_0000, log: &log,
                                      caller: "t") == 0x1cff_f000)
        #expect(try mb.physAllocRange(size: 0x1000, align: 0x1000, start: 0x2000_0000, end: 0, log: &log, caller: "t") == nil)
    }

    /// Page 0 is never handed out: start is raised to PAGE_SIZE.
    @Test func firstPageIsAvoided() throws {
        var mb = try memblock(memory: [region(0, 0x3000)])
        var log = KernelLog()
        #expect(try mb.alloc(size: 0x3000, align: 0x1000, log: &log, caller: "t") == nil)
        mb.bottomUp = true
        #expect(try mb.alloc(size: 0x1000, align: 0x1000, log: &log, caller: "t") == 0x1000)
    }

    /// Bottom-up: the lowest fit.
    ///
    ///  |  +----+                                 |
    ///  |  |rgn |                                 |
    ///  +--+----+---------------------------------+
    ///     0x1000_0000
    @Test func bottomUpSimple() throws {
        var mb = try memblock(memory: mem)
        mb.bottomUp = true
        var log = KernelLog()
        #expect(try mb.alloc(size: 0x1000, align: 0x1000, log: &log, caller: "t") == 0x1000_0000)
    }

    /// Bottom-up above a small reserved head, aligned up.
    ///
    ///  |  +--+.......+----+                      |
    ///  |  |r1|       |rgn |                      |
    ///  +--+--+-------+----+----------------------+
    @Test func bottomUpAligned() throws {
        var mb = try memblock(memory: mem, reserved: [(0x1000_0000, 0x100)])
        mb.bottomUp = true
        var log = KernelLog()
        #expect(try mb.alloc(size: 0x1000, align: 0x1000, log: &log, caller: "t") == 0x1000_1000)
        #expect(try mb.allocFrom(size: 0x1000, align: 0x1000, minAddr: 0x1800_0100, log: &log, caller: "t") == 0x1800_1000)
    }

    /// Bottom-up: a range whose start aligns past its end is skipped.
    @Test func bottomUpSkipsShortRange() throws {
        var mb = try memblock(memory: [region(0x1000_0800, 0x1000), region(0x2000_0000, 0x1000)])
        mb.bottomUp = true
        var log = KernelLog()
        #expect(try mb.alloc(size: 0x800, align: 0x1000, log: &log, caller: "t") == 0x1000_1000)
        #expect(try mb.alloc(size: 0x1000, align: 0x1000, log: &log, caller: "t") == 0x2000_0000)
    }

    /// find_in_range_node never reserves.
    @Test func findDoesNotReserve() throws {
        let mb = try memblock(memory: mem)
        #expect(mb.findInRangeNode(size: 0x1000, align: 0x1000, start: 0, end: MEMBLOCK_ALLOC_ACCESSIBLE,
                                   nid: NUMA_NO_NODE, flags: []) == 0x1fff_f000)
        #expect(mb.reserved.isEmpty)
        #expect(mb.findInRangeNode(size: 0x2000_0000, align: 0x1000, start: 0, end: MEMBLOCK_ALLOC_ANYWHERE,
                                   nid: NUMA_NO_NODE, flags: []) == nil)
    }

    /// Absurd inputs never trap: huge sizes and alignments just fail or follow C's arithmetic.
    @Test func hostileInputs() throws {
        var mb = try memblock(memory: mem)
        var log = KernelLog()
        #expect(try mb.alloc(size: UInt64.max, align: 0x1000, log: &log, caller: "t") == nil)
        #expect(try mb.alloc(size: 0x1000, align: UInt64.max, log: &log, caller: "t") == nil)
        #expect(try mb.allocTryNid(size: 1, align: 3, minAddr: UInt64.max, maxAddr: UInt64.max, nid: Int.min,
                                   log: &log, caller: "t") != nil)
        mb.bottomUp = true
        #expect(try mb.allocFrom(size: UInt64.max - 5, align: 1 << 63, minAddr: UInt64.max, log: &log, caller: "t") == nil)
    }
}
