import Testing
import KernelSupport
@testable import Memblock

/// memblock=debug trace lines and the `MEMBLOCK configuration:` dump, character for character.
@Suite struct MemblockTraceDumpTests {
    /// Every range trace: `"%s: [%pa-%pa] %pS"`, and memblock_add_node's `nid=%d flags=%x`.
    @Test func rangeTraces() throws {
        var mb = Memblock(profile: testProfile())
        mb.debug = true
        var log = KernelLog()
        try mb.add(0x4000_0000, 0x1_0000_0000, log: &log, caller: "early_init_dt_add_memory_arch")
        try mb.addNode(0x1_4000_0000, 0x1000, nid: 1, flags: [.nomap, .driverManaged], log: &log, caller: "add_memory_resource")
        try mb.reserve(0x4021_0000, 0x1ffb000, log: &log, caller: "arm64_memblock_init")
        try mb.remove(0x1_4000_0000, 0x1000, log: &log, caller: "t")
        try mb.physFree(0x4021_0000, 0x1000, log: &log, caller: "free_initmem")
        #expect(log.lines.allSatisfy { $0.source == .memblockDebug && $0.level == .info })
        #expect(traces(log) == [
            "memblock_add: [0x0000000040000000-0x000000013fffffff] early_init_dt_add_memory_arch",
            "memblock_add_node: [0x0000000140000000-0x0000000140000fff] nid=1 flags=c add_memory_resource",
            "memblock_reserve: [0x0000000040210000-0x000000004220afff] arm64_memblock_init",
            "memblock_remove: [0x0000000140000000-0x0000000140000fff] t",
            "memblock_phys_free: [0x0000000040210000-0x0000000040210fff] free_initmem",
        ])
    }

    /// The allocator traces, as in the brief and the fixture logs.
    @Test func allocTraces() throws {
        var mb = try memblock(memory: [region(0x4000_0000, 0x1_0000_0000, nid: 0)])
        var log = KernelLog()
        try mb.alloc(size: 4096, align: 0x1000, log: &log, caller: "pcpu_build_alloc_info")
        try mb.allocTryNidRaw(size: 4096, align: 0x1000, minAddr: 0x4000_0000, maxAddr: 0, nid: 0, log: &log,
                              caller: "__earlyonly_bootmem_alloc")
        try mb.allocExactNidRaw(size: 16_777_216, align: 0x20_0000, minAddr: 0x4000_0000, maxAddr: 0, nid: 3, log: &log,
                                caller: "memmap_alloc")
        try mb.physAllocRange(size: 4096, align: 0x1000, start: 0, end: 1, log: &log, caller: "early_pgtable_alloc")
        let t = traces(log).filter { !$0.hasPrefix("memblock_reserve") }
        #expect(t == [
            "memblock_alloc_try_nid: 4096 bytes align=0x1000 nid=-1 from=0x0000000000000000 max_addr=0x0000000000000000 pcpu_build_alloc_info",
            "memblock_alloc_try_nid_raw: 4096 bytes align=0x1000 nid=0 from=0x0000000040000000 max_addr=0x0000000000000000 __earlyonly_bootmem_alloc",
            "memblock_alloc_exact_nid_raw: 16777216 bytes align=0x200000 nid=3 from=0x0000000040000000 max_addr=0x0000000000000000 memmap_alloc",
            "memblock_phys_alloc_range: 4096 bytes align=0x1000 from=0x0000000000000000 max_addr=0x0000000000000001 early_pgtable_alloc",
        ])
    }

    /// Without memblock=debug nothing is traced and memblock_dump_all prints nothing.
    @Test func debugOffIsSilent() throws {
        var mb = Memblock(profile: testProfile())
        var log = KernelLog()
        try mb.add(0x4000_0000, 0x1000_0000, log: &log, caller: "t")
        try mb.alloc(size: 64, align: 64, log: &log, caller: "t")
        mb.dump(log: &log)
        #expect(log.lines.isEmpty)
    }

    /// A dump in the exact format: tab after the index, `%#x` index and flags, node only for real nids.
    @Test func dumpFormat() throws {
        var mb = try memblock(memory: [region(0x4000_0000, 0x4000_0000, nid: 0), region(0x8000_0000, 0x1000, flags: .nomap)],
                              reserved: [(0x4021_0000, 0x1ffb000)])
        var log = KernelLog()
        mb.dump(log: &log)
        #expect(traces(log) == [
            "MEMBLOCK configuration:",
            " memory size = 0x0000000040001000 reserved size = 0x0000000001ffb000",
            " memory.cnt  = 0x2",
            " memory[0x0]\t[0x0000000040000000-0x000000007fffffff], 0x0000000040000000 bytes on node 0 flags: 0x0",
            " memory[0x1]\t[0x0000000080000000-0x0000000080000fff], 0x0000000000001000 bytes flags: 0x4",
            " reserved.cnt  = 0x1",
            " reserved[0x0]\t[0x0000000040210000-0x000000004220afff], 0x0000000001ffb000 bytes flags: 0x0",
        ])
        mb.profile.kernel = .v6_12
        try mb.setNode(0x8000_0000, 0x1000, type: .memory, nid: NUMA_NO_NODE)
        #expect(mb.dumpLines(.memory)[2].hasSuffix("0x0000000000001000 bytes flags: 0x4"))   // 6.12: -1 is no node
    }

    /// The memory part of the arm64-4node-embed dump, rebuilt from the QEMU command
    /// (4 × 1 GiB from 0x4000_0000, one node each), equals the real log's lines.
    @Test func dumpMatchesRealLogMemory() throws {
        let text = try fixtureLog("arm64-4node-embed")
        let lines = logLines(text)
        guard let header = lines.lastIndex(where: { $0.hasSuffix("] MEMBLOCK configuration:") }) else {
            Issue.record("no dump in the fixture")
            return
        }
        let real = lines[header ..< header + 7].map { String($0.drop(while: { $0 != "]" }).dropFirst(2)) }
        var mb = Memblock(profile: debianArm64Profile)
        mb.debug = true
        var log = KernelLog()
        for n in 0 ..< 4 {
            try mb.add(0x4000_0000 * UInt64(n + 1), 0x4000_0000, log: &log, caller: "t")
        }
        for n in 0 ..< 4 { try mb.setNode(0x4000_0000 * UInt64(n + 1), 0x4000_0000, type: .memory, nid: n) }
        let ours = mb.dumpAllLines()
        #expect(ours[0] == real[0])
        #expect(ours[1].hasPrefix(String(real[1].prefix(34))))   // memory size; reserved differs (not rebuilt)
        #expect(Array(ours[2 ..< 7]) == Array(real[2 ..< 7]))
    }

    /// Each fixture's dump, read back by the log parser, prints exactly as logged (6.1 rules).
    @Test(arguments: arm64Fixtures + x86Fixtures)
    func dumpRoundTrip(_ name: String) throws {
        let text = try fixtureLog(name)
        let profile = name.hasPrefix("x86") ? debianX86Profile : debianArm64Profile
        let replay = try MemblockLogReplay.parse(text, fileName: name, profile: profile)
        let lines = logLines(text)
        let ours = replay.initial.dumpAllLines()
        let real = lines[(replay.dumpLine - 1) ..< (replay.dumpLine - 1 + ours.count)].map {
            String($0.drop(while: { $0 != "]" }).dropFirst(2))
        }
        #expect(ours == real)
    }
}
