import Testing
import KernelSupport
@testable import Memblock

/// Which memory allocations may use: mirror-first, NOMAP, DRIVER_MANAGED, hotplug under movable_node.
/// Memory: two regions on node 0,
///
///  |  low  [0x1000_0000, 0x2000_0000)  |  high [0x2000_0000, 0x3000_0000)  |
@Suite struct MemblockMirrorNomapTests {
    func twoRegions(highFlags: MemblockFlags = []) throws -> Memblock {
        try memblock(memory: [region(0x1000_0000, 0x1000_0000, nid: 0), region(0x2000_0000, 0x1000_0000, nid: 0, flags: highFlags)])
    }

    /// With some mirrored memory, allocations go there first even though it is lower.
    ///
    ///  |  mirrored          +--+|                               |
    ///  |                    |  ||                               |
    ///  +--------------------+--++-------------------------------+
    @Test func mirrorFirst() throws {
        var mb = try twoRegions()
        try mb.markMirror(0x1000_0000, 0x1000_0000)
        var log = KernelLog()
        #expect(try mb.alloc(size: 0x1000, align: 0x1000, log: &log, caller: "t") == 0x1fff_f000)
        #expect(warnings(log).isEmpty)
    }

    /// Mirrored memory full: the ratelimited warning, then any memory.
    @Test func mirrorExhaustedWarnsAndRetries() throws {
        var mb = try twoRegions()
        var log = KernelLog()
        try mb.markMirror(0x1000_0000, 0x1000_0000)
        try mb.reserve(0x1000_0000, 0x1000_0000, log: &log, caller: "t")
        log = KernelLog()
        #expect(try mb.alloc(size: 0x1000, align: 0x1000, log: &log, caller: "t") == 0x2fff_f000)
        #expect(warnings(log) == ["Could not allocate 0x0000000000001000 bytes of mirrored memory"])
        #expect(log.lines.first { $0.level == .warning }?.source == .kernel)
    }

    /// pr_warn_ratelimited: at most 10 of those messages (boot time does not advance).
    @Test func mirrorWarningIsRatelimited() throws {
        var mb = try twoRegions()
        var log = KernelLog()
        try mb.markMirror(0x1000_0000, 0x1000_0000)
        try mb.reserve(0x1000_0000, 0x1000_0000, log: &log, caller: "t")
        log = KernelLog()
        for _ in 0 ..< 12 { try mb.alloc(size: 0x1000, align: 0x1000, log: &log, caller: "t") }
        #expect(warnings(log).count == 10)
    }

    /// NOMAP memory is skipped: the block goes into the lower region.
    ///
    ///  |                    +--+|          NOMAP                |
    ///  +--------------------+--++-------------------------------+
    @Test func nomapSkipped() throws {
        var mb = try twoRegions()
        try mb.markNomap(0x2000_0000, 0x1000_0000)
        var log = KernelLog()
        #expect(try mb.alloc(size: 0x1000, align: 0x1000, log: &log, caller: "t") == 0x1fff_f000)
        #expect(mb.findInRangeNode(size: 0x1000, align: 0x1000, start: 0, end: 0, nid: NUMA_NO_NODE, flags: .nomap) == 0x2fff_f000)
    }

    /// DRIVER_MANAGED memory is skipped likewise.
    @Test func driverManagedSkipped() throws {
        var mb = try twoRegions(highFlags: .driverManaged)
        var log = KernelLog()
        #expect(try mb.alloc(size: 0x1000, align: 0x1000, log: &log, caller: "t") == 0x1fff_f000)
    }

    /// Hotpluggable memory is skipped only under movable_node.
    @Test func hotplugSkippedUnderMovableNode() throws {
        var mb = try twoRegions(highFlags: .hotplug)
        var log = KernelLog()
        #expect(try mb.alloc(size: 0x1000, align: 0x1000, log: &log, caller: "t") == 0x2fff_f000)
        mb.movableNode = true
        #expect(try mb.alloc(size: 0x1000, align: 0x1000, log: &log, caller: "t") == 0x1fff_f000)
    }
}
