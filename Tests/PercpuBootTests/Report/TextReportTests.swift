import Testing
@testable import PercpuBoot

/// The text report of 4 CPUs on 2 nodes (1 GiB each at 0x40000000 and
/// 0x80000000, distance 20), static 87272, kernel 6.1, arm64 4K pages.
///
/// Hand derivation (mm/percpu.c, include/linux/percpu.h of 6.1):
/// - reserved = PERCPU_MODULE_RESERVE = 8192, dyn = PERCPU_DYNAMIC_RESERVE = 28 << 10 = 28672;
///   size_sum = PFN_ALIGN(87272 + 8192 + 28672 = 124136) = 126976 = 0x1f000 = 31 pages,
///   so the dynamic size becomes 126976 - 87272 - 8192 = 31512; atom = PAGE_SIZE, upa = 1.
/// - the nodes are 20 apart, so 2 groups of 2 units; group 0 is node 0's, at the top of
///   node 0 below NODE_DATA (0x80000000 - 0x2c80 = 0x7fffd380, page 0x7fffd000):
///   0x7fffd000 - 2 * 0x1f000 = 0x7ffbf000 .. 0x7fffcfff. It is the lowest area, so
///   its base offset is 0 and CPU 1's unit offset is 0x1f000.
/// - static at 0, reserved at ALIGN(87272, 4) = 87272 = 0x154e8 up to 0x174e8, dynamic
///   from 0x174e8 up to 0x1f000.
/// - reserved chunk: page 0x15000, start_offset 0x4e8 = 1256, region end 0x174e8 rounded
///   up to 0x18000 so end_offset 0xb18 = 2840, 3 pages; contig hint 8192/4 = 2048 bits at
///   bit 1256/4 = 314.
/// - dynamic chunk: page 0x17000, start_offset 1256, end 0x1f000 (end_offset 0), 8 pages,
///   7878 bits free at bit 314; block 0 has 1024 - 314 = 710 free bits at 314, blocks 1-7
///   are whole (1024@0), so nr_empty_pop_pages = 7.
/// - slots: fls(126976) = 17, 17 - 5 + 2 = 14, sidelined 15, free 16, to_depopulate 17,
///   nr_slots 18; the dynamic chunk's slot: fls(31512) = 15 → 15 - 5 + 2 = 12.
/// - VMALLOC (6.1, VA_BITS 48): start 0xffff800000000000 + 128M = 0xffff800008000000, end
///   -(1 << 42) - 256M = 0xfffffbfff0000000, total 0x7bffe8000000, 3/4 = 0x5cffee000000.
@Suite("Text report")
struct TextReportTests {
    let report: String
    init() throws { report = TextReport.render(try ReportFixtures.twoNode()) }

    @Test("header names platform, arch, profile, page size, NR_CPUS, outcome and first chunk")
    func header() {
        let header = report.split(separator: "\n").prefix(16).map(String.init)
        #expect(header.contains("arch            arm64 (VA_BITS 48)"))
        #expect(header.contains("kernel profile  6.1"))
        #expect(header.contains("page size       4 KiB (PAGE_SHIFT 12)"))
        #expect(header.contains("NR_CPUS         256 (MAX_NUMNODES 16)"))
        #expect(header.contains("command line    (empty)"))
        #expect(header.contains("outcome         booted"))
        #expect(header.contains("first chunk     embed"))
    }

    @Test("topology lists each node's CPUs and memory, then the distances of the nodes that exist")
    func topology() {
        let lines = ReportFixtures.section("Topology", in: report)
        #expect(lines.contains("  method: device-tree"))
        #expect(lines.contains("  available: 2 nodes (0-1)"))
        #expect(lines.contains("  node 0 cpus: 0 1"))
        #expect(lines.contains("  node 1 cpus: 2 3"))
        #expect(lines.contains("  node 1 size: 1 GiB"))
        #expect(lines.contains("  node 1 memory: [mem 0x80000000-0xbfffffff] 1 GiB"))
        #expect(lines.contains("  node  0  1"))
        #expect(lines.contains("    0: 10 20"))
        #expect(lines.contains("    1: 20 10"))
        // The table is 2x2 although the distance table the kernel allocated may be larger.
        #expect(!lines.contains { $0.hasPrefix("    2:") })
    }

    @Test("kernel log shows the summary lines, pr_debug only on request")
    func kernelLog() throws {
        let result = try ReportFixtures.twoNode()
        let lines = ReportFixtures.section("Kernel log", in: report)
        #expect(lines.contains("    percpu: Embedded 31 pages/cpu s87272 r8192 d31512 u126976"))
        #expect(lines.contains("    pcpu-alloc: s87272 r8192 d31512 u126976 alloc=31*4096"))
        let debugLine = try #require(result.log.lines.first { $0.source == .dynamicDebug })
        #expect(!lines.contains("    " + debugLine.text))
        let withDebug = ReportFixtures.section("Kernel log", in: TextReport.render(result, dynamicDebug: true))
        #expect(withDebug.contains("    " + debugLine.text))
        #expect(withDebug.count > lines.count)
    }

    @Test("__per_cpu_offset[] has one row per CPU with unit offsets from the group bases")
    func offsetTable() throws {
        let rows = ReportFixtures.numberedRows(ReportFixtures.section("__per_cpu_offset[]", in: report))
        #expect(rows.count == 4)
        // CPU node group unit offset address __per_cpu_offset physical
        #expect(rows[0][0...4] == ["0", "0", "0", "0", "0x0"])
        #expect(rows[0][7] == "0x7ffbf000")
        #expect(rows[1][0...4] == ["1", "0", "0", "1", "0x1f000"])
        #expect(rows[1][6] == "-")                    // arm64: __per_cpu_start not modelled
        #expect(rows[1][7] == "0x7ffde000")           // 0x7ffbf000 + 0x1f000
        #expect(rows[2][0...3] == ["2", "1", "1", "2"])

        // CPU 2's unit offset is group 1's base offset; CPU 3 is one unit further.
        let groups = ReportFixtures.section("First chunk", in: report)
        let group1 = try #require(groups.map(ReportFixtures.cells).first { $0.first == "1" && $0.count == 7 })
        #expect(rows[2][4] == group1[1])
        let base1 = try #require(UInt64(group1[1].dropFirst(2), radix: 16))
        #expect(rows[3][4] == ReportFormat.hex(base1 + 0x1f000))
        // The virtual addresses keep the same distance as the unit offsets.
        let address0 = try #require(UInt64(rows[0][5].dropFirst(2), radix: 16))
        #expect(rows[2][5] == ReportFormat.hex(address0 + base1))
    }

    @Test("first chunk: sizes, unit layout, groups, max_distance, chunks, blocks and slots")
    func firstChunk() throws {
        let lines = ReportFixtures.section("First chunk", in: report)
        #expect(lines.contains("  <static | reserved | dynamic> = <87272 | 8192 | 31512>"))
        #expect(lines.contains("    static         0x0      0x154e8  87272 (85.2 KiB)"))
        #expect(lines.contains("    reserved   0x154e8      0x174e8      8192 (8 KiB)"))
        #expect(lines.contains("    dynamic    0x174e8      0x1f000  31512 (30.8 KiB)"))
        #expect(lines.contains("  unit size        126976 (124 KiB), 31 pages"))
        #expect(lines.contains("  units per alloc  1"))
        #expect(lines.contains("  nr_units         4 in 2 groups"))
        #expect(lines.contains("        0          0x0  0      0-1       2       0  0x7ffbf000-0x7fffcfff"))

        // max_distance = group 1's base offset + its 2 units.
        let group1 = try #require(lines.map(ReportFixtures.cells).first { $0.first == "1" && $0.count == 7 })
        let base1 = try #require(UInt64(group1[1].dropFirst(2), radix: 16))
        #expect(lines.contains("    max_distance       \(ReportFormat.hex(base1 + 2 * 0x1f000))"))
        #expect(lines.contains("    VMALLOC_TOTAL*3/4  0x5cffee000000 (VMALLOC_TOTAL 0x7bffe8000000)"))
        #expect(lines.contains { $0.hasPrefix("    verdict            ok:") })

        #expect(lines.contains { $0.hasPrefix("    base ") && $0.hasSuffix("(unit offset 0x15000)") })
        #expect(lines.contains("    start/end offset    1256 / 2840 (hidden, allocated)"))
        #expect(lines.contains("    contig hint         2048 bits = 8192 bytes @ bit 314 (byte 1256)"))
        #expect(lines.contains("    contig hint         7878 bits = 31512 bytes @ bit 314 (byte 1256)"))
        #expect(lines.contains("    pages               8 (populated 8)"))
        #expect(lines.contains("    nr_empty_pop_pages  7"))
        #expect(lines.contains("    slot                12"))
        #expect(lines.contains("          0      0x17000       710@314         0@0     0    710         314"))
        #expect(lines.contains("          7      0x1e000        1024@0         0@0  1024   1024           0"))
        #expect(lines.contains("  slots: sidelined 15, free 16, to_depopulate 17, nr_slots 18"))
    }

    /// percpu_alloc=page (6.1): the page chunk asks for the early dynamic size only,
    /// PFN_ALIGN(87272 + 8192 + 12288 = 107752) = 110592 = 27 pages; one group of 4 units.
    @Test("page first chunk: one group, page by page, max_distance not checked")
    func pageFirstChunk() throws {
        let report = TextReport.render(try ReportFixtures.twoNode(cmdline: "percpu_alloc=page"))
        #expect(report.contains("first chunk     page (percpu_alloc=page)"))
        let lines = ReportFixtures.section("First chunk", in: report)
        #expect(lines.contains("  unit size        110592 (108 KiB), 27 pages"))
        #expect(lines.contains("        0          0x0  0-1    0-3       4       0  page by page"))
        #expect(lines.contains { $0.contains("not checked (page first chunk") })
    }

    /// Node 1's RAM at 96 TiB: the group areas are further apart than 3/4 of the
    /// 124 TiB vmalloc space, so embed fails with -EINVAL and 6.1 falls back to page.
    @Test("embed failure: the rejected max_distance and the fallback are reported")
    func embedFailure() throws {
        let platform = ReportFixtures.arm64(nodes: 2, cpusPerNode: 2, memoryBases: [0x4000_0000, 0x6000_0000_0000])
        let report = TextReport.render(try Boot.run(platform))
        #expect(report.contains("first chunk     page (embed failed with -22)"))
        #expect(report.contains("(the failed embed attempt)"))
        #expect(report.contains("TOO LARGE"))
    }

    /// 8 MiB of static per-CPU data on 1 MiB nodes: neither allocator finds memory.
    @Test("panic: the outcome and the missing sections say so")
    func panic() throws {
        let platform = ReportFixtures.arm64(nodes: 2, cpusPerNode: 2, staticSize: 8 << 20, nodeMemory: 1 << 20)
        let result = try Boot.run(platform)
        let report = TextReport.render(result)
        guard case .panicked(let message) = result.outcome else {
            Issue.record("expected a panic")
            return
        }
        #expect(report.contains("outcome         PANIC: \(message)"))
        #expect(ReportFixtures.section("__per_cpu_offset[]", in: report) == ["  none: no first chunk was set up"])
        #expect(report.contains("Kernel panic - not syncing: \(message)"))
    }
}

/// x86_64 (kernel 6.1, static 200000, 3 CPUs on each of 2 nodes, distance 21):
/// size_sum = PFN_ALIGN(200000 + 8192 + 28672 = 236864) = 237568 (58 pages); the atom is
/// PMD_SIZE = 2 MiB, so pcpu_build_alloc_info tries upa 8 (2 MiB / 8 = 256 KiB >= 237568):
/// 2 groups of 3 CPUs need 2 allocations = 16 units, 10 wasted > 6/3, rejected; upa 7, 6, 5
/// do not divide 2 MiB into pages; upa 4 needs 8 units, 2 wasted <= 2: unit 512 KiB
/// (0x80000), each group 4 units of which 1 is empty.
@Suite("Text report, x86_64")
struct X86TextReportTests {
    @Test("units per alloc, wasted units, and __per_cpu_offset equal to the address")
    func x86() throws {
        let report = TextReport.render(try Boot.run(ReportFixtures.x86()))
        let chunk = ReportFixtures.section("First chunk", in: report)
        #expect(chunk.contains("  unit size        524288 (512 KiB), 128 pages"))
        #expect(chunk.contains("  atom size        2097152 (2 MiB)"))
        #expect(chunk.contains("  units per alloc  4"))
        #expect(chunk.contains("  nr_units         8 in 2 groups"))
        #expect(chunk.contains("  wasted units     2 (units with no CPU)"))
        #expect(chunk.contains { ReportFixtures.cells($0).prefix(6) == ["1", "0x40000000", "1", "3-5", "4", "1"] })
        // dyn_size absorbs the page rounding (237568 - 200000 - 8192 = 29376), so the free
        // tail starts at 237568 = 0x3a000: 524288 - 237568 = 286720 bytes embed hands back to memblock.
        #expect(chunk.map(ReportFixtures.cells).contains(["free", "tail", "0x3a000", "0x80000", "286720", "(280", "KiB)",
                                                          "returned", "to", "memblock"]))

        let rows = ReportFixtures.numberedRows(ReportFixtures.section("__per_cpu_offset[]", in: report))
        #expect(rows.map { $0[0] } == ["0", "1", "2", "3", "4", "5"])
        // Units: CPU 3 is unit 4 (unit 3 is group 0's empty one); offset 0x80000 per unit.
        #expect(rows[1][3...4] == ["1", "0x80000"])
        #expect(rows[3][3] == "4")
        // x86_64's per-CPU section is zero-based: __per_cpu_offset is the unit's address.
        #expect(rows.allSatisfy { $0[6] == $0[5] })
    }
}
