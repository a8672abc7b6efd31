import Testing
import KernelSupport
@testable import Memblock

/// memblock_set_node and the memblock_mark_* / clear_* flag setters.
@Suite struct MemblockNodeFlagTests {
    /// set_node on the middle of a region isolates it and gives it the node.
    ///
    ///  |  +--------+--------+----------------+  |
    ///  |  | nid 16 | nid 1  |     nid 16     |  |
    ///  +--+--------+--------+----------------+--+
    @Test func setNodeSplits() throws {
        var mb = try memblock(memory: [region(0, 0x40000)])
        try mb.setNode(0x10000, 0x10000, type: .memory, nid: 1)
        #expect(mb.memory == [region(0, 0x10000), region(0x10000, 0x10000, nid: 1), region(0x20000, 0x20000)])
    }

    /// set_node over two adjacent regions of different nodes merges them into one.
    @Test func setNodeMerges() throws {
        var mb = try memblock(memory: [region(0x4000_0000, 0x4000_0000, nid: 0), region(0x8000_0000, 0x4000_0000, nid: 1)])
        try mb.setNode(0x4000_0000, 0x8000_0000, type: .memory, nid: 3)
        #expect(mb.memory == [region(0x4000_0000, 0x8000_0000, nid: 3)])
    }

    /// set_node on reserved (x86 tags reserved regions with nodes too); NUMA_NO_NODE is a real value here.
    @Test func setNodeOnReserved() throws {
        var mb = try memblock(reserved: [(0x1000, 0x1000), (0x3000, 0x1000)])
        try mb.setNode(0, 0x3800, type: .reserved, nid: 0)
        #expect(mb.reserved == [region(0x1000, 0x1000, nid: 0), region(0x3000, 0x800, nid: 0), region(0x3800, 0x800)])
        try mb.setNode(0x3800, 0x800, type: .reserved, nid: NUMA_NO_NODE)
        #expect(mb.reserved.last == region(0x3800, 0x800, nid: -1))
        #expect(mb.dumpLines(.reserved).last?.hasSuffix("bytes on node -1 flags: 0x0") == true)
    }

    /// Without CONFIG_NUMA regions have no node: nid reads 0, set_node does nothing, the dump
    /// shows no node, and a node-0 allocation (early_cpu_to_node) finds the memory.
    @Test func withoutNuma() throws {
        var profile = testProfile()
        profile.numa = false
        profile.maxNumNodes = 1
        var mb = try memblock(profile, memory: [region(0x4000_0000, 0x1000_0000)])
        #expect(mb.memory == [region(0x4000_0000, 0x1000_0000, nid: 0)])
        try mb.setNode(0x4000_0000, 0x1000, type: .memory, nid: 3)
        #expect(mb.memory.count == 1)
        #expect(mb.dumpLines(.memory)[1].hasSuffix("0x0000000010000000 bytes flags: 0x0"))
        var log = KernelLog()
        #expect(try mb.allocTryNid(size: 0x1000, align: 0x1000, minAddr: 0x4000_0000, maxAddr: 0, nid: 0, log: &log,
                                   caller: "pcpu_fc_alloc") == 0x4fff_f000)
    }

    /// mark_nomap splits off the range with NOMAP; clear_nomap merges it back.
    ///
    ///  |  +------+-------+------+  |       |  +---------------------+  |
    ///  |  | mem  | NOMAP | mem  |  |  -->  |  |         mem         |  |
    ///  +--+------+-------+------+--+       +--+---------------------+--+
    @Test func markAndClearNomap() throws {
        var mb = try memblock(memory: [region(0x4000_0000, 0x10_0000, nid: 0)])
        try mb.markNomap(0x4004_0000, 0x4_0000)
        #expect(mb.memory == [region(0x4000_0000, 0x4_0000, nid: 0), region(0x4004_0000, 0x4_0000, nid: 0, flags: .nomap),
                              region(0x4008_0000, 0x8_0000, nid: 0)])
        try mb.clearNomap(0x4004_0000, 0x4_0000)
        #expect(mb.memory == [region(0x4000_0000, 0x10_0000, nid: 0)])
    }

    /// mark_hotplug on a whole region; clear_hotplug(0, ~0) as memblock_free_all does.
    @Test func markAndClearHotplug() throws {
        var mb = try memblock(memory: [region(0x4000_0000, 0x1000, nid: 0), region(0x8000_0000, 0x1000, nid: 1)])
        try mb.markHotplug(0x8000_0000, 0x1000)
        #expect(mb.memory[1].flags == .hotplug && mb.memory[0].flags == [])
        try mb.clearHotplug(0, UInt64.max)
        #expect(mb.memory.allSatisfy { $0.flags == [] })
    }

    /// mark_mirror turns on mirror-first allocation; since 6.5 only with kernelcore=mirror.
    @Test func markMirrorNeedsKernelcoreMirror() throws {
        var mb = try memblock(memory: [region(0x4000_0000, 0x1000, nid: 0)])
        mb.mirroredKernelcore = false
        try mb.markMirror(0x4000_0000, 0x1000)
        #expect(!mb.hasMirror && mb.memory[0].flags == [])
        mb.mirroredKernelcore = true
        try mb.markMirror(0x4000_0000, 0x1000)
        #expect(mb.hasMirror && mb.memory[0].flags == .mirror)

        var old = try memblock(testProfile(.v6_1), memory: [region(0x4000_0000, 0x1000, nid: 0)])
        old.mirroredKernelcore = false
        try old.markMirror(0x4000_0000, 0x1000)
        #expect(old.hasMirror && old.memory[0].flags == .mirror)
    }

    /// memblock_reserved_mark_noinit flags reserved memory.
    @Test func reservedNoInit() throws {
        var mb = try memblock(reserved: [(0x10000, 0x3000)])
        var log = KernelLog()
        try mb.reservedMarkNoInit(0x11000, 0x1000, log: &log)
        #expect(mb.reserved == [region(0x10000, 0x1000), region(0x11000, 0x1000, flags: .reservedNoInit), region(0x12000, 0x1000)])
    }

    /// for_each_free_mem_range(_reverse): memory minus reserved, per node, both directions.
    ///
    ///  node 0                         node 1
    ///  |  +----+xxxx+---------+   |   +-----------+xxxx+  |
    ///  |  |free|rsv |  free   |   |   |   free    |rsv |  |
    ///  +--+----+----+---------+---+---+-----------+----+--+
    @Test func freeRanges() throws {
        let mb = try memblock(memory: [region(0x1000, 0x9000, nid: 0), region(0x20000, 0x10000, nid: 1)],
                              reserved: [(0x3000, 0x1000), (0x2e000, 0x2000)])
        let all = mb.freeRanges(nid: NUMA_NO_NODE, flags: [], reverse: false)
        #expect(all.map { [$0.start, $0.end, UInt64($0.nid)] } == [[0x1000, 0x3000, 0], [0x4000, 0xa000, 0], [0x20000, 0x2e000, 1]])
        let rev = mb.freeRanges(nid: NUMA_NO_NODE, flags: [], reverse: true)
        #expect(rev.map(\.start) == [0x20000, 0x4000, 0x1000])
        #expect(mb.freeRanges(nid: 1, flags: [], reverse: false).map(\.start) == [0x20000])
        // MAX_NUMNODES means any node in 6.8 (after a WARN_ONCE in the kernel).
        #expect(mb.freeRanges(nid: maxNodes, flags: [], reverse: false).count == 3)
    }
}
