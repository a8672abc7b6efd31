import Testing
import KernelSupport
@testable import Memblock

/// Node-aware allocation: memblock_alloc_try_nid(_raw), memblock_alloc_exact_nid_raw,
/// memblock_phys_alloc_try_nid (cf. alloc_nid_api.c). Four nodes of 256 MiB each:
///
///  | node 0       | node 1       | node 2       | node 3       |
///  +--------------+--------------+--------------+--------------+
///  0x1000_0000    0x2000_0000    0x3000_0000    0x4000_0000    0x5000_0000
@Suite struct MemblockAllocNidTests {
    func fourNodes(_ kernel: KernelVersion = .v6_8) throws -> Memblock {
        try memblock(testProfile(kernel), memory: (0 ..< 4).map { region(0x1000_0000 * UInt64($0 + 1), 0x1000_0000, nid: $0) })
    }

    /// The block goes to the top of the requested node.
    @Test func onRequestedNode() throws {
        var mb = try fourNodes()
        var log = KernelLog()
        #expect(try mb.allocTryNid(size: 0x1000, align: 0x1000, minAddr: 0, maxAddr: 0, nid: 1, log: &log, caller: "t") == 0x2fff_f000)
        #expect(try mb.allocTryNid(size: 0x1000, align: 0x1000, minAddr: 0, maxAddr: 0, nid: NUMA_NO_NODE, log: &log, caller: "t") == 0x4fff_f000)
    }

    /// Node 1 is full: silent fallback to any node (top of memory).
    ///
    ///  |              |xxxxxxxxxxxxxx|              |          +--+|
    ///  |              |   reserved   |              |          |  ||
    ///  +--------------+--------------+--------------+----------+--++
    @Test func fallbackToAnyNode() throws {
        var mb = try fourNodes()
        var log = KernelLog()
        try mb.reserve(0x2000_0000, 0x1000_0000, log: &log, caller: "t")
        log = KernelLog()
        #expect(try mb.allocTryNid(size: 0x1000, align: 0x1000, minAddr: 0, maxAddr: 0, nid: 1, log: &log, caller: "t") == 0x4fff_f000)
        #expect(log.lines.count == 2)   // the trace and the reserve: no message for the fallback
    }

    /// exact_nid: no fallback; nil when the node is full.
    @Test func exactNidDoesNotFallBack() throws {
        var mb = try fourNodes()
        var log = KernelLog()
        try mb.reserve(0x2000_0000, 0x1000_0000, log: &log, caller: "t")
        #expect(try mb.allocExactNidRaw(size: 0x1000, align: 0x1000, minAddr: 0, maxAddr: 0, nid: 1, log: &log, caller: "t") == nil)
        #expect(try mb.allocTryNidRaw(size: 0x1000, align: 0x1000, minAddr: 0, maxAddr: 0, nid: 1, log: &log, caller: "t") == 0x4fff_f000)
    }

    /// Order (node, ≥min) → (any, ≥min): min above node 0 puts the block at the top of memory.
    @Test func minAddrAboveNodeFallsBackAboveMin() throws {
        var mb = try fourNodes()
        var log = KernelLog()
        #expect(try mb.allocTryNid(size: 0x1000, align: 0x1000, minAddr: 0x3000_0000, maxAddr: 0, nid: 0, log: &log, caller: "t") == 0x4fff_f000)
        #expect(try mb.allocTryNid(size: 0x1000, align: 0x1000, minAddr: 0x3000_0000, maxAddr: 0x4000_0000, nid: 0,
                                   log: &log, caller: "t") == 0x3fff_f000)
    }

    /// exact nid with min above the node: (node, ≥min) fails, then memblock_alloc_internal retries
    /// (node, ≥0), which fits.
    @Test func exactNidRetriesFromZero() throws {
        var mb = try fourNodes()
        var log = KernelLog()
        #expect(try mb.allocExactNidRaw(size: 0x1000, align: 0x1000, minAddr: 0x3000_0000, maxAddr: 0, nid: 0,
                                        log: &log, caller: "t") == 0x1fff_f000)
    }

    /// The per-CPU pattern: node goal from __pa(MAX_DMA_ADDRESS); node 3 lies above it.
    @Test func pcpuFcAllocPattern() throws {
        var mb = try fourNodes()
        var log = KernelLog()
        for (nid, top) in [(0, 0x2000_0000), (1, 0x3000_0000), (2, 0x4000_0000), (3, 0x5000_0000)] as [(Int, UInt64)] {
            #expect(try mb.allocTryNid(size: 0x3e000, align: 0x1000, minAddr: 0x1000_0000, maxAddr: 0, nid: nid,
                                       log: &log, caller: "pcpu_fc_alloc") == top - 0x3e000)
        }
    }

    /// 6.8: nid == MAX_NUMNODES warns once ("Usage of MAX_NUMNODES is deprecated…") and means any node.
    @Test func maxNumNodesWarnsOnce() throws {
        var mb = try fourNodes()
        var log = KernelLog()
        #expect(try mb.allocTryNid(size: 0x1000, align: 0x1000, minAddr: 0, maxAddr: 0, nid: maxNodes, log: &log, caller: "t") == 0x4fff_f000)
        #expect(try mb.allocTryNid(size: 0x1000, align: 0x1000, minAddr: 0, maxAddr: 0, nid: maxNodes, log: &log, caller: "t") == 0x4fff_e000)
        #expect(warnings(log) == ["------------[ cut here ]------------",
                                  "Usage of MAX_NUMNODES is deprecated. Use NUMA_NO_NODE instead"])
        #expect(log.texts().first == "memblock_alloc_try_nid: 4096 bytes align=0x1000 nid=16 from=0x0000000000000000 max_addr=0x0000000000000000 t")
    }

    /// 6.12: no warning; any nid outside 0 ..< MAX_NUMNODES means any node.
    @Test func v612InvalidNodeMeansAny() throws {
        var mb = try fourNodes(.v6_12)
        var log = KernelLog()
        #expect(try mb.allocTryNid(size: 0x1000, align: 0x1000, minAddr: 0, maxAddr: 0, nid: maxNodes, log: &log, caller: "t") == 0x4fff_f000)
        #expect(try mb.allocExactNidRaw(size: 0x1000, align: 0x1000, minAddr: 0, maxAddr: 0, nid: 99, log: &log, caller: "t") == 0x4fff_e000)
        #expect(warnings(log).isEmpty)
    }

    /// 6.8: an out-of-range nid matches no region; with exact_nid nothing is found.
    @Test func v68UnknownNodeExact() throws {
        var mb = try fourNodes()
        var log = KernelLog()
        #expect(try mb.allocExactNidRaw(size: 0x1000, align: 0x1000, minAddr: 0, maxAddr: 0, nid: 7, log: &log, caller: "t") == nil)
        #expect(try mb.allocTryNid(size: 0x1000, align: 0x1000, minAddr: 0, maxAddr: 0, nid: 7, log: &log, caller: "t") == 0x4fff_f000)
    }

    /// memblock_phys_alloc_try_nid has no trace of its own: only the reserve line.
    @Test func physAllocTryNidUntraced() throws {
        var mb = try fourNodes()
        var log = KernelLog()
        #expect(try mb.physAllocTryNid(size: 0x2b000, align: 0x1000, nid: 0, log: &log) == 0x1ffd_5000)
        #expect(traces(log) == ["memblock_reserve: [0x000000001ffd5000-0x000000001fffffff] memblock_alloc_range_nid"])
    }

    /// memblock_alloc_node(size, align, nid).
    @Test func allocNode() throws {
        var mb = try fourNodes()
        var log = KernelLog()
        #expect(try mb.allocNode(size: 0x40, align: 0x40, nid: 2, log: &log, caller: "t") == 0x3fff_ffc0)
    }
}
