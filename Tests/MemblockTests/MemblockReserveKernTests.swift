import Testing
import KernelSupport
@testable import Memblock

/// `memblockReserveKern` (6.16, "memblock: add MEMBLOCK_RSRV_KERN flag"; 7.2.13 mm/memblock.c):
/// allocations reserve with `__memblock_reserve(found, size, nid, MEMBLOCK_RSRV_KERN)`,
/// `memblock_reserve()` is `__memblock_reserve(base, size, NUMA_NO_NODE, 0)`, and
/// memblock_merge_regions() joins only neighbours with equal nid and flags. Expected lines
/// are the 7.2 format string `"%s: [%pa-%pa] nid=%d flags=%x %pS"` worked by hand.
@Suite struct MemblockReserveKernTests {
    static let v72 = KernelVersion(7, 2)

    @Test func allocationReservesWithItsNodeAndTheKernFlag() throws {
        var mb = try memblock(testProfile(Self.v72), memory: [region(0x4000_0000, 0x4000_0000, nid: 0)])
        var log = KernelLog()
        // Top-down: the last 4 KiB page below 0x80000000.
        let a = try mb.allocTryNid(size: 0x1000, align: 0x1000, minAddr: 0, maxAddr: 0, nid: 0, log: &log, caller: "t")
        #expect(a == 0x7fff_f000)
        #expect(traces(log).last == "__memblock_reserve: [0x000000007ffff000-0x000000007fffffff] nid=0 flags=20 memblock_alloc_range_nid")
        #expect(mb.reserved == [region(0x7fff_f000, 0x1000, nid: 0, flags: .reservedKern)])
    }

    @Test func neighboursWithOtherNodeOrFlagsStayApart() throws {
        var mb = try memblock(testProfile(Self.v72), memory: [region(0x4000_0000, 0x4000_0000, nid: 0)])
        var log = KernelLog()
        _ = try mb.allocTryNid(size: 0x1000, align: 0x1000, minAddr: 0, maxAddr: 0, nid: 0, log: &log, caller: "t")
        // Any node: nid -1, flags 0x20 — right below the node-0 page, not merged with it.
        _ = try mb.allocTryNid(size: 0x1000, align: 0x1000, minAddr: 0, maxAddr: 0, nid: NUMA_NO_NODE, log: &log, caller: "t")
        // A plain memblock_reserve below that: nid -1, flags 0 — a third region.
        try mb.reserve(0x7fff_d000, 0x1000, log: &log, caller: "setup_arch")
        #expect(traces(log).last == "__memblock_reserve: [0x000000007fffd000-0x000000007fffdfff] nid=-1 flags=0 setup_arch")
        #expect(mb.reserved == [region(0x7fff_d000, 0x1000, nid: NUMA_NO_NODE),
                                region(0x7fff_e000, 0x1000, nid: NUMA_NO_NODE, flags: .reservedKern),
                                region(0x7fff_f000, 0x1000, nid: 0, flags: .reservedKern)])
        // The next any-node allocation lands at 0x7fffc000, next to the flags-0 region: a fourth.
        _ = try mb.allocTryNid(size: 0x1000, align: 0x1000, minAddr: 0, maxAddr: 0, nid: NUMA_NO_NODE, log: &log, caller: "t")
        #expect(mb.reserved.count == 4)
    }

    @Test func before6_16TheOldTraceAndNoNode() throws {
        var mb = try memblock(testProfile(.v6_12), memory: [region(0x4000_0000, 0x4000_0000, nid: 0)])
        var log = KernelLog()
        _ = try mb.allocTryNid(size: 0x1000, align: 0x1000, minAddr: 0, maxAddr: 0, nid: 0, log: &log, caller: "t")
        #expect(traces(log).last == "memblock_reserve: [0x000000007ffff000-0x000000007fffffff] memblock_alloc_range_nid")
        #expect(mb.reserved == [region(0x7fff_f000, 0x1000, nid: maxNodes)])
    }

    /// A 7.2 log's `__memblock_reserve … memblock_alloc_range_nid` after an allocation is its
    /// placement; one without an allocation before it is replayed with the logged nid and flags.
    @Test func replayReadsTheNewReserveLines() throws {
        let log = """
        MEMBLOCK configuration:
         memory size = 0x0000000040000000 reserved size = 0x0000000000001000
         memory.cnt  = 0x1
         memory[0x0]\t[0x0000000040000000-0x000000007fffffff], 0x0000000040000000 bytes on node 0 flags: 0x0
         reserved.cnt  = 0x1
         reserved[0x0]\t[0x000000007ffff000-0x000000007fffffff], 0x0000000000001000 bytes flags: 0x20
        __memblock_reserve: [0x000000007fffe000-0x000000007fffefff] nid=0 flags=20 memblock_alloc_range_nid+0x108/0x1b0
        memblock_alloc_try_nid: 4096 bytes align=0x40 nid=-1 from=0x0000000000000000 max_addr=0x0000000000000000 pcpu_build_alloc_info+0x10/0x20
        """
        let replay = try MemblockLogReplay.parse(log, fileName: "t.log", profile: testProfile(Self.v72))
        // The dump's unnamed reserved region is NUMA_NO_NODE in 7.2 (nothing reserves with MAX_NUMNODES).
        #expect(replay.initial.reserved == [region(0x7fff_f000, 0x1000, nid: NUMA_NO_NODE, flags: .reservedKern)])
        #expect(replay.calls.map(\.operation) == [.reserveNid(base: 0x7fff_e000, size: 0x1000, nid: 0, flags: .reservedKern)])
        var out = KernelLog()
        let mb = try replay.replay(log: &out)
        #expect(mb.reserved == [region(0x7fff_e000, 0x1000, nid: 0, flags: .reservedKern),
                                region(0x7fff_f000, 0x1000, nid: NUMA_NO_NODE, flags: .reservedKern)])
    }
}
