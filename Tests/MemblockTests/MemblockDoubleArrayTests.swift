import Testing
import KernelSupport
@testable import Memblock

/// memblock_double_array: growing a full region array out of memblock itself.
/// Arrays here are tiny so that doubling happens; sizeof(struct memblock_region) = 24.
/// Memory: [0x1000_0000, 0x2000_0000).
@Suite struct MemblockDoubleArrayTests {
    /// Reserved holds 4; the fifth region doubles it. The new array (PAGE_ALIGN(8 * 24) = 4096
    /// bytes) is found top-down above the range being reserved, logged with its unaligned end
    /// (8 * 24 − 1 = 0xbf), and reserved itself.
    ///
    ///  | r0 | r1 | r2 | r3 | r4 |                          |new array|
    ///  +----+----+----+----+----+--------------------------+---------+ 0x2000_0000
    @Test func reservedDoublesOnce() throws {
        var mb = try memblock(testProfile(reserved: 4), memory: [region(0x1000_0000, 0x1000_0000)])
        var log = KernelLog()
        for i in 0 ..< 4 { try mb.reserve(0x1000_0000 + UInt64(i) * 0x100_0000, 0x1000, log: &log, caller: "t") }
        #expect(mb.capacity(.reserved) == 4 && mb.reserved.count == 4)
        log = KernelLog()
        try mb.reserve(0x1400_0000, 0x1000, log: &log, caller: "t")
        #expect(traces(log) == [
            "memblock_reserve: [0x0000000014000000-0x0000000014000fff] t",
            "memblock: reserved is doubled to 8 at [0x000000001ffff000-0x000000001ffff0bf]",
            "memblock_reserve: [0x000000001ffff000-0x000000001fffffff] memblock_double_array",
        ])
        #expect(mb.capacity(.reserved) == 8)
        #expect(mb.array(.reserved).address == 0x1fff_f000)
        #expect(mb.reserved == (0 ..< 5).map { region(0x1000_0000 + UInt64($0) * 0x100_0000, 0x1000) } + [region(0x1fff_f000, 0x1000)])
    }

    /// The second doubling frees the first allocated array (the static one never is) and
    /// reserves the new one below it.
    @Test func reservedDoublesTwiceFreeingOldArray() throws {
        var mb = try memblock(testProfile(reserved: 4), memory: [region(0x1000_0000, 0x1000_0000)])
        var log = KernelLog()
        for i in 0 ..< 7 { try mb.reserve(0x1000_0000 + UInt64(i) * 0x100_0000, 0x1000, log: &log, caller: "t") }
        #expect(mb.capacity(.reserved) == 8 && mb.reserved.count == 8)
        log = KernelLog()
        try mb.reserve(0x1700_0000, 0x1000, log: &log, caller: "t")
        #expect(traces(log) == [
            "memblock_reserve: [0x0000000017000000-0x0000000017000fff] t",
            "memblock: reserved is doubled to 16 at [0x000000001fffe000-0x000000001fffe17f]",
            "memblock_phys_free: [0x000000001ffff000-0x000000001fffffff] memblock_double_array",
            "memblock_reserve: [0x000000001fffe000-0x000000001fffefff] memblock_double_array",
        ])
        #expect(mb.capacity(.reserved) == 16 && mb.array(.reserved).address == 0x1fff_e000)
        #expect(mb.reserved.count == 9 && mb.reserved.last == region(0x1fff_e000, 0x1000))
    }

    /// The memory array doubles too; its new array may overlap the range being added, and is
    /// reserved (in the reserved array).
    @Test func memoryDoubles() throws {
        var mb = try memblock(testProfile(memory: 2))
        var log = KernelLog()
        try mb.add(0x1000_0000, 0x100_0000, log: &log, caller: "t")
        try mb.add(0x2000_0000, 0x100_0000, log: &log, caller: "t")
        log = KernelLog()
        try mb.add(0x3000_0000, 0x100_0000, log: &log, caller: "t")
        #expect(traces(log) == [
            "memblock_add: [0x0000000030000000-0x0000000030ffffff] t",
            "memblock: memory is doubled to 4 at [0x0000000020fff000-0x0000000020fff05f]",
            "memblock_reserve: [0x0000000020fff000-0x0000000020ffffff] memblock_double_array",
        ])
        #expect(mb.memory.count == 3 && mb.capacity(.memory) == 4)
        #expect(mb.reserved == [region(0x20ff_f000, 0x1000)])
    }

    /// memblock_isolate_range needs two spare entries: a remove can double too.
    @Test func isolateDoubles() throws {
        var mb = try memblock(testProfile(reserved: 3), memory: [region(0x1000_0000, 0x1000_0000)],
                              reserved: [(0x1000_0000, 0x1000), (0x1100_0000, 0x1000)])
        var log = KernelLog()
        try mb.physFree(0x1000_0400, 0x400, log: &log, caller: "t")
        #expect(mb.capacity(.reserved) == 6)
        #expect(mb.reserved == [region(0x1000_0000, 0x400), region(0x1000_0800, 0x800), region(0x1100_0000, 0x1000),
                                region(0x1fff_f000, 0x1000)])
    }

    /// 6.8: doubling before memblock_allow_resize() panics.
    @Test func cannotResizePanics() throws {
        var mb = try memblock(testProfile(reserved: 1, canResize: false), memory: [region(0x1000_0000, 0x1000_0000)],
                              reserved: [(0x1000_0000, 0x1000)])
        var log = KernelLog()
        #expect(throws: KernelPanic("memblock: cannot resize reserved array")) {
            try mb.reserve(0x1800_0000, 0x1000, log: &log, caller: "t")
        }
        mb.allowResize()
        #expect(try mb.reserve(0x1800_0000, 0x1000, log: &log, caller: "t"))
    }

    /// 6.1: the same returns an error instead; nothing changes.
    @Test func cannotResizeFailsOn61() throws {
        var mb = try memblock(testProfile(.v6_1, reserved: 1, canResize: false), memory: [region(0x1000_0000, 0x1000_0000)],
                              reserved: [(0x1000_0000, 0x1000)])
        var log = KernelLog()
        #expect(try mb.reserve(0x1800_0000, 0x1000, log: &log, caller: "t") == false)
        #expect(mb.reserved == [region(0x1000_0000, 0x1000)])
        // An allocation whose reserve fails returns NULL.
        #expect(try mb.alloc(size: 0x1000, align: 0x1000, log: &log, caller: "t") == nil)
    }

    /// No room for a new array: pr_err and -ENOMEM.
    ///
    ///  |xxxxxxxx|  free  |        memory = [0x1000_0000, 0x1000_2000)
    ///  +--------+--------+        reserving the free page needs a doubled array
    @Test func noRoomToDouble() throws {
        var mb = try memblock(testProfile(reserved: 1), memory: [region(0x1000_0000, 0x2000)],
                              reserved: [(0x1000_0000, 0x1000)])
        var log = KernelLog()
        #expect(try mb.reserve(0x1000_1000, 0x1000, log: &log, caller: "t") == false)
        #expect(log.lines.last == KernelLogLine(level: .err, text: "memblock: Failed to double reserved array from 1 to 2 entries !"))
        #expect(mb.reserved == [region(0x1000_0000, 0x1000)])
    }
}
