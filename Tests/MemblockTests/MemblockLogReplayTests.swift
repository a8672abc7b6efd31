import Testing
import KernelSupport
@testable import Memblock

/// Replaying the fixture boots: dump → calls up to the first pcpu_ call, then the per-CPU
/// allocations themselves, checked against the log's memblock_reserve lines with a parser of
/// its own (regexes), independent of MemblockLogReplay.
@Suite struct MemblockLogReplayTests {
    /// Parse + replay each arm64 boot; every allocation must land where the log says.
    @Test(arguments: arm64Fixtures)
    func replayArm64(_ name: String) throws {
        let replay = try MemblockLogReplay.parse(try fixtureLog(name), fileName: name, profile: debianArm64Profile)
        #expect(replay.initial.count(.memory) >= 1 && replay.initial.count(.reserved) >= 1)
        #expect(replay.calls.count >= 3)   // setup_arch and two start_kernel allocations
        #expect(replay.calls.allSatisfy { if case .allocation = $0.operation { $0.expected != nil } else { true } })
        var log = KernelLog()
        let after = try replay.replay(log: &log)
        #expect(after.reserved.count >= replay.initial.reserved.count)
        #expect(log.lines.contains { $0.text.hasPrefix("memblock_reserve:") })
    }

    /// After the replay, run what the log shows from the first pcpu_ call until the `percpu:` banner
    /// (page mode: until the first chunk is set up) and compare every placement with the log.
    @Test(arguments: arm64Fixtures + x86Fixtures)
    func perCpuAllocationsLandWhereLogged(_ name: String) throws {
        let text = try fixtureLog(name)
        var replay = try MemblockLogReplay.parse(text, fileName: name, profile: profile(name))
        if name.hasPrefix("x86") { replay.initial.currentLimit = replay.initial.endOfDRAM }
        var log = KernelLog()
        var mb = try replay.replay(log: &log)
        let lines = logLines(text)

        let alloc = /\] (memblock_alloc_try_nid|memblock_alloc_try_nid_raw|memblock_alloc_exact_nid_raw): (\d+) bytes align=0x([0-9a-f]+) nid=(-?\d+) from=0x([0-9a-f]{16}) max_addr=0x([0-9a-f]{16}) ([^+ ]+)/
        let range = /\] (memblock_reserve|memblock_phys_free): \[0x([0-9a-f]{16})-0x([0-9a-f]{16})\] ([^+ ]+)/
        func hex(_ s: Substring) -> UInt64 { UInt64(s, radix: 16) ?? 0 }

        var checked = 0
        var i = replay.firstPcpuLine - 1
        while i < lines.count, !lines[i].contains("] percpu: ") {
            defer { i += 1 }
            if let m = lines[i].firstMatch(of: alloc) {
                let fn = MemblockAllocFunction(rawValue: String(m.1))!
                let got = try mb.allocate(fn, size: UInt64(m.2)!, align: hex(m.3), nid: Int(m.4)!, minAddr: hex(m.5),
                                          maxAddr: hex(m.6), log: &log, caller: String(m.7))
                // The logged placement: the next line must be its memblock_reserve.
                let r = try #require(lines[i + 1].firstMatch(of: range), "\(name):\(i + 2) has no reserve line")
                #expect(r.1 == "memblock_reserve" && r.4 == "memblock_alloc_range_nid")
                #expect(got == hex(r.2), "\(name):\(i + 1): \(lines[i])")
                #expect(hex(r.3) &- hex(r.2) &+ 1 == UInt64(m.2)!)
                checked += 1
                i += 1
            } else if let m = lines[i].firstMatch(of: range) {
                let base = hex(m.2), size = hex(m.3) &- hex(m.2) &+ 1
                if m.1 == "memblock_reserve" {
                    try mb.reserve(base, size, log: &log, caller: String(m.4))
                } else {
                    try mb.physFree(base, size, log: &log, caller: String(m.4))
                }
            }
        }
        #expect(checked >= 3)
    }

    /// The brief's worked example: arm64-4node-embed, pcpu_build_alloc_info's page then node 0's
    /// 253952-byte group from 0x4000_0000.
    @Test func fourNodeEmbedFirstAllocations() throws {
        let replay = try MemblockLogReplay.parse(try fixtureLog("arm64-4node-embed"), fileName: "embed",
                                                 profile: debianArm64Profile)
        #expect(replay.initial.memory.map(\.nid) == [0, 1, 2, 3])
        #expect(replay.initial.reserved.count == 14 && replay.initial.reservedSize == 0xa93c40c)
        #expect(replay.calls.map(\.caller) == ["setup_arch", "start_kernel", "start_kernel"])
        var log = KernelLog()
        var mb = try replay.replay(log: &log)
        #expect(try mb.alloc(size: 4096, align: 0x1000, log: &log, caller: "pcpu_build_alloc_info") == 0x1_3f7c_9000)
        #expect(try mb.alloc(size: 4096, align: 0x40, log: &log, caller: "pcpu_embed_first_chunk") == 0x1_3f7c_8000)
        #expect(try mb.allocTryNid(size: 253_952, align: 0x1000, minAddr: 0x4000_0000, maxAddr: 0, nid: 0, log: &log,
                                   caller: "pcpu_fc_alloc") == 0x7ffb_c000)
        #expect(try mb.allocTryNid(size: 253_952, align: 0x1000, minAddr: 0x4000_0000, maxAddr: 0, nid: 3, log: &log,
                                   caller: "pcpu_fc_alloc") == 0x1_3f78_a000)
    }

    /// The x86 boots parse. Their current_limit is not logged; x86 sets it to the end of the
    /// direct mapping, which on these small guests is the end of RAM, and with that every
    /// placement (sparse_init's exact-nid and raw allocations included) matches.
    @Test(arguments: x86Fixtures)
    func replayX86(_ name: String) throws {
        var replay = try MemblockLogReplay.parse(try fixtureLog(name), fileName: name, profile: debianX86Profile)
        #expect(replay.initial.memory.count >= 1)
        #expect(replay.calls.contains { $0.function == "memblock_alloc_exact_nid_raw" })
        #expect(replay.initial.reserved.contains { $0.nid == 0 })   // x86 tags reserved memory with nodes
        #expect(replay.initial.memorySize != replay.initial.memory.reduce(0) { $0 + $1.size })   // stale total_size
        replay.initial.currentLimit = replay.initial.endOfDRAM
        var log = KernelLog()
        _ = try replay.replay(log: &log)
    }

    func profile(_ name: String) -> MemblockProfile { name.hasPrefix("x86") ? debianX86Profile : debianArm64Profile }
}
