import KernelSupport
import Testing
@testable import PercpuBoot
import PcpuBootTestSupport

/// The page first chunk takes a unit's pages a run at a time when nothing is
/// traced (`Memblock.reserveRunBelow`); with pr_debug recorded it makes the
/// kernel's one `pcpu_fc_alloc` call per page. Both must end in the same state:
/// same pages, same memblock, same kernel lines — through node fallback,
/// holes, reservations and running out of memory.
@Suite struct PcpuPageFirstChunkRunTests {
    static let MiB: UInt64 = 1 << 20

    static let machines: [(String, Platform)] = [
        ("two nodes, units fit", deviceTreePlatform(cpuNodes: [0, 0, 1, 1], memory: [(0x4000_0000, 64 * MiB, 0), (0x8000_0000, 64 * MiB, 1)],
                                                     staticSize: 3 * MiB, cmdline: "percpu_alloc=page")),
        ("node 0 runs out, falls back to node 1", deviceTreePlatform(cpuNodes: [0, 0, 0, 1], memory: [(0x4000_0000, 24 * MiB, 0), (0x8000_0000, 96 * MiB, 1)],
                                                                      staticSize: 10 * MiB, cmdline: "percpu_alloc=page")),
        ("all memory runs out: ENOMEM, pages freed", deviceTreePlatform(cpuNodes: [0, 1, 0, 1], memory: [(0x4000_0000, 32 * MiB, 0), (0x8000_0000, 32 * MiB, 1)],
                                                                         staticSize: 15 * MiB, cmdline: "percpu_alloc=page")),
        ("split banks on one node", deviceTreePlatform(cpuNodes: [0, 0], memory: [(0x4000_0000, 8 * MiB, 0), (0x4100_0000, 8 * MiB, 0), (0x5000_0000, 64 * MiB, 0)],
                                                        staticSize: 20 * MiB, cmdline: "percpu_alloc=page")),
        ("numa=off", deviceTreePlatform(cpuNodes: [0, 1], memory: [(0x4000_0000, 64 * MiB, 0), (0x8000_0000, 64 * MiB, 1)],
                                         staticSize: 20 * MiB, cmdline: "percpu_alloc=page numa=off")),
        ("riscv64", deviceTreePlatform(arch: .riscv64, cpuNodes: [0, 1, 1], memory: [(0x8000_0000, 48 * MiB, 0), (0xc000_0000, 48 * MiB, 1)],
                                        staticSize: 12 * MiB, cmdline: "percpu_alloc=page")),
    ]

    @Test(arguments: machines.indices) func runsEqualPageByPage(_ index: Int) throws {
        let platform = Self.machines[index].1
        let perPage = try Boot.run(platform, dynamicDebug: true)
        let batched = try Boot.run(platform, dynamicDebug: false)
        #expect(perPage.firstChunkKind == .page || perPage.outcome != .booted, "\(Self.machines[index].0)")
        #expect(batched.outcome == perPage.outcome)
        #expect(batched.unitPagesPhys == perPage.unitPagesPhys)
        #expect(batched.memblockReserved == perPage.memblockReserved)
        #expect(batched.memblockMemory == perPage.memblockMemory)
        #expect(batched.log.texts() == perPage.log.texts())
        #expect(batched.log.lines.allSatisfy { $0.source != .dynamicDebug })
        // pr_debug "per cpu data for cpuN 4096 bytes on nodeM at 0x…": one per page asked for.
        let pageLines = perPage.log.texts([.dynamicDebug]).filter { $0.hasPrefix("percpu: per cpu data for cpu") }
        #expect(UInt64(pageLines.count) >= perPage.unitPagesPhys.reduce(0) { $0 + $1.count })
    }

    /// With memblock=debug every call is made and traced (the page tables of
    /// pcpu_populate_pte included); without, runs. Same memblock, pages and printk lines.
    @Test(arguments: machines.indices) func tracedCallsEqualRuns(_ index: Int) throws {
        var traced = Self.machines[index].1
        traced.cmdline += " memblock=debug"
        let perCall = try Boot.run(traced, dynamicDebug: true)
        let batched = try Boot.run(Self.machines[index].1, dynamicDebug: false)
        #expect(batched.outcome == perCall.outcome)
        #expect(batched.unitPagesPhys == perCall.unitPagesPhys)
        #expect(batched.memblockReserved == perCall.memblockReserved)
        #expect(batched.log.texts([.kernel]) == perCall.log.texts([.kernel]))
        #expect(perCall.log.texts([.memblockDebug]).contains { $0.hasSuffix("pcpu_populate_pte") || $0.contains("pcpu_populate_pte+") }
                || perCall.outcome != .booted)
    }

    /// A unit of 256K pages is one run, not 256K addresses.
    @Test func aLargeUnitIsOneRun() throws {
        let platform = deviceTreePlatform(cpuNodes: [0, 0], memory: [(0x4000_0000, 4096 * Self.MiB, 0)],
                                          staticSize: 1000 * Self.MiB, cmdline: "percpu_alloc=page")
        let result = try Boot.run(platform, dynamicDebug: false)
        #expect(result.firstChunkKind == .page)
        #expect(result.unitPagesPhys.count == 2)
        // (1000 MiB static + 8 KiB reserved + 20 KiB dynamic early, page aligned) / 4 KiB.
        #expect(result.unitPagesPhys.allSatisfy { $0.count == 256_007 && $0.runs.count == 1 })
    }

    @Test func unitPagesMergesAdjacentPagesEitherWay() {
        var pages = UnitPages(pageSize: 4096)
        for p: UInt64 in [0x10000, 0xf000, 0xe000, 0x20000, 0x21000] { pages.append(p) }
        #expect(pages.runs.count == 2)
        #expect(Array(pages) == [0x10000, 0xf000, 0xe000, 0x20000, 0x21000])
        pages.append(first: 0x30000, count: 3, descending: true)
        #expect(Array(pages.suffix(3)) == [0x30000, 0x2f000, 0x2e000])
        #expect(pages.count == 8)
    }
}
