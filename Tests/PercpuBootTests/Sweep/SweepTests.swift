import Testing
@testable import PercpuBoot
import PcpuBootTestSupport

/// `Sweep`: every expected threshold below is worked by hand from the kernel's
/// arithmetic (v6.8 sources: mm/percpu.c, mm/memblock.c, drivers/base/arch_numa.c,
/// arch/arm64/include/asm/memory.h + pgtable.h), never taken from the emulator.
@Suite struct SweepTests {
    /// arm64, 2 nodes × 2 CPUs, 1 GiB each: node 0 at 0x40000000, node 1 at
    /// 0x80000000 (moved by the sweep), distance 20, no reservations near the tops.
    static func twoNodes(vaBits: Int = 48) -> Platform {
        deviceTreePlatform(name: "arm64-2node", cpuNodes: [0, 0, 1, 1],
                           memory: [(0x4000_0000, 1 << 30, 0), (0x8000_0000, 1 << 30, 1)],
                           distances: [(0, 0, 10), (0, 1, 20), (1, 1, 10)]) { $0.vaBits = vaBits }
    }

    /// max_distance as a function of the node spacing S (node 1 = [0x40000000 + S, +1G)):
    ///
    /// Unit: size_sum = PFN_ALIGN(static 87272 + reserved 8192 + dyn 28672) = 126976
    /// (31 pages, upa 1 with PAGE_SIZE atoms); each group = 2 units = 0x3e000.
    /// Allocations, in the kernel's order, top-down:
    /// - numa_alloc_distance: 1 page (PAGE_ALIGN(2*2)) at the top of memory = node 1's
    ///   last page [E1-0x1000, E1), E1 = node 1's end;
    /// - NODE_DATA(0): 0x2c80 bytes, 64-aligned, at the top of node 0: [0x7fffd380, 0x80000000)
    ///   (the same sizes as the recorded arm64-4node boot's `NUMA: NODE_DATA` lines);
    ///   NODE_DATA(1): [E1-0x3c80, E1-0x1000);
    /// - pcpu_build_alloc_info's ai (1 page) at align_down(E1-0x3c80-0x1000, 4K) = E1-0x5000,
    ///   pcpu_embed_first_chunk's areas[] (1 page) at E1-0x6000;
    /// - group 0 (nid 0): align_down(0x7fffd380-0x3e000, 4K) = 0x7ffbf000;
    ///   group 1 (nid 1): E1-0x6000-0x3e000 = E1-0x44000.
    /// max_distance = (area1 - area0) + 0x3e000 = (0x80000000 + S - 0x44000 - 0x7ffbf000) + 0x3e000
    ///              = S + 0x3b000.
    /// Embed fails when max_distance > VMALLOC_TOTAL * 3/4, i.e. S > limit - 0x3b000.
    static let maxDistanceOverSpacing: UInt64 = 0x3b000

    /// 4K pages, VA_BITS=48, v6.8: VMALLOC_START = _PAGE_END(48) + MODULES_VSIZE(2G)
    /// = 0xffff800000000000 + 0x80000000 = 0xffff800080000000; VMEMMAP_SHIFT = 12 - 6,
    /// VMEMMAP_START = -(1 << (48 - 6)) = 0xfffffc0000000000, VMALLOC_END = VMEMMAP_START - 256M
    /// = 0xfffffbfff0000000; VMALLOC_TOTAL = 0x7bff70000000 (the `vmalloc space` the real
    /// kernel prints), 3/4 of it = 0x5cff94000000.
    /// Last spacing that embeds: 0x5cff94000000 - 0x3b000 = 0x5cff93fc5000 (max_distance equal
    /// to the limit still passes: the test is `>`); the next page fails.
    @Test func nodeSpacingWhereEmbedFailsOn4K48() throws {
        let result = try Sweep.run(Self.twoNodes(), parameter: .nodeSpacing, from: "0x5cff00000000",
                                   to: "0x5d0000000000", steps: 2)
        let t = try #require(result.transitions.first)
        #expect(result.transitions.count == 1)
        #expect(t.exact)
        #expect(t.before.value == .number(0x5cff_93fc_5000))
        #expect(t.after.value == .number(0x5cff_93fc_6000))
        #expect(t.before.outcome.firstChunk == "embed")
        #expect(t.after.outcome.firstChunk == "page")
        #expect(t.before.outcome.maxDistance == 0x5cff_9400_0000)
        #expect(t.before.outcome.limit == 0x5cff_9400_0000)
        #expect(t.after.outcome.maxDistance == 0x5cff_9400_1000)
        #expect(t.after.outcome.embedFailure == -22)
        #expect(t.changes.contains("first chunk embed -> page"))
    }

    /// 4K pages, VA_BITS=39, v6.8: VMALLOC_START = -(2^38) + 2G = 0xffffffc080000000,
    /// VMEMMAP_START = -(1 << 33) = 0xfffffffe00000000, VMALLOC_END = 0xfffffffdf0000000,
    /// VMALLOC_TOTAL = 0x3d70000000, 3/4 = 0x2e14000000. Last embedding spacing:
    /// 0x2e14000000 - 0x3b000 = 0x2e13fc5000 (about 184 GiB).
    @Test func nodeSpacingWhereEmbedFailsOn4K39() throws {
        let result = try Sweep.run(Self.twoNodes(vaBits: 39), parameter: .nodeSpacing, from: "1G", to: "256G", steps: 5)
        #expect(result.transitions.count == 1)
        let t = try #require(result.transitions.first)
        #expect(t.before.value == .number(0x2e_13fc_5000))
        #expect(t.after.value == .number(0x2e_13fc_6000))
        #expect(t.after.outcome.firstChunk == "page")
    }

    /// arm64-4node's 8 CPUs (2 per node) replicated to n CPUs: CPU i takes the node of
    /// original CPU ⌊8i/n⌋, i.e. node ⌊4i/n⌋. pcpu_build_alloc_info makes one group per
    /// node that has CPUs (distinct nodes are never at LOCAL_DISTANCE): 1 CPU → 1 group,
    /// 2 → nodes {0, 2}, 3 → {0, 1, 2}, 4 and more → all 4.
    @Test func cpuCountChangesTheGroups() throws {
        let platform = deviceTreePlatform(cpuNodes: [0, 0, 1, 1, 2, 2, 3, 3],
                                          memory: (0..<4).map { (0x4000_0000 + UInt64($0) << 30, 1 << 30, $0) },
                                          distances: [(0, 1, 20), (0, 2, 30), (0, 3, 40), (1, 2, 20), (1, 3, 30), (2, 3, 20)])
        let result = try Sweep.run(platform, parameter: .cpus, from: "1", to: "64", steps: 4)
        #expect(result.transitions.map { [$0.before.value, $0.after.value] }
                == [[.number(1), .number(2)], [.number(2), .number(3)], [.number(3), .number(4)]])
        #expect(result.transitions.map(\.changes) == [["groups 1 -> 2"], ["groups 2 -> 3"], ["groups 3 -> 4"]])
    }

    /// pages/cpu = PFN_ALIGN(s + 8192 + 28672) / 4096 (reserved 8K, PERCPU_DYNAMIC_RESERVE
    /// 28K on 64-bit): 31 pages up to s = 31*4096 - 36864 = 90112, 32 from 90113 (and the
    /// next change at 94209, past this range; 88000 + 36864 = 124864 is already 31 pages).
    @Test func staticSizeChangesPagesPerCPU() throws {
        let result = try Sweep.run(Self.twoNodes(), parameter: .staticSize, from: "88000", to: "92000", steps: 3)
        #expect(result.transitions.count == 1)
        let t = try #require(result.transitions.first)
        #expect(t.before.value == .number(90112))
        #expect(t.after.value == .number(90113))
        #expect(t.changes == ["pages/cpu 31 -> 32"])
    }

    /// NR_CPUS caps the possible CPUs (nr_cpu_ids ≤ NR_CPUS): with 1, only the boot CPU,
    /// one group; with 3, CPUs 0-2 on nodes 0, 0, 1: two groups.
    @Test func nrCpusCapsTheGroups() throws {
        let result = try Sweep.run(Self.twoNodes(), parameter: .nrCpus, from: "1", to: "8", steps: 8)
        #expect(result.transitions.map(\.changes) == [["groups 1 -> 2"]])
        #expect(result.transitions.first?.after.value == .number(3))
    }

    /// Discrete values: VA_BITS 42/47/52 cannot be built with 4K pages (arch/arm64/Kconfig)
    /// and are listed as invalid without counting as changes; 39 and 48 both embed.
    @Test func vaBitsSkipsUnbuildableValues() throws {
        let result = try Sweep.run(Self.twoNodes(), parameter: .vaBits, from: "39", to: "52")
        #expect(result.points.map(\.value.description) == ["39", "42", "47", "48", "52"])
        #expect(result.points.map(\.outcome.status) == ["booted", "invalid", "invalid", "booted", "invalid"])
        #expect(result.transitions.isEmpty)
        #expect(result.points[0].outcome.limit == 0x2e_1400_0000)
    }

    @Test func badRangesAreErrors() {
        #expect(throws: SweepError.self) { try Sweep.run(Self.twoNodes(), parameter: .cpus, from: "9", to: "2") }
        #expect(throws: SweepError.self) { try Sweep.run(Self.twoNodes(), parameter: .kernel, from: "6.8", to: "4.0") }
        #expect(throws: SweepError.self) { try Sweep.run(Self.twoNodes(), parameter: .cpus, from: "x", to: "2") }
        // Spacing smaller than a node's 1 GiB would overlap the nodes: every point is invalid.
        let overlap = try? Sweep.run(Self.twoNodes(), parameter: .nodeSpacing, from: "4K", to: "16K", steps: 2)
        #expect(overlap?.points.allSatisfy { $0.outcome.status == "invalid" } == true)
    }

    @Test func reportsNameTheChange() throws {
        let result = try Sweep.run(Self.twoNodes(), parameter: .staticSize, from: "88000", to: "92000", steps: 3)
        let text = SweepReport.text(result)
        #expect(text.contains("between 90112 and 90113: pages/cpu 31 -> 32"))
        let csv = SweepReport.csv(result).split(separator: "\n")
        #expect(csv.first?.hasPrefix("static-size,bisection,status,first_chunk,pages_per_cpu") == true)
        #expect(csv.count == result.points.count + 1)
        let svg = SweepReport.svg(result)
        #expect(svg.hasPrefix("<?xml") && svg.hasSuffix("</svg>\n"))
        #expect(svg.contains("pages/cpu 31 -&gt; 32"))
    }
}
