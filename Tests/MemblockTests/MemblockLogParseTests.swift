import Foundation
import Testing
import KernelSupport
@testable import Memblock

/// MemblockLogReplay.parse / replay on hand-written and damaged logs: errors name file:line and
/// what was expected; nothing traps.
@Suite struct MemblockLogParseTests {
    /// A small log: memory 1 GiB on node 0, two reserved regions, reserved array of 2 entries
    /// (profile), one allocation that doubles it, then the first pcpu_ call.
    ///
    ///  | r0 |      | r1 |                          |array|rgn|
    ///  +----+------+----+--------------------------+-----+---+ 0x8000_0000
    static let smallLog = """
    [    0.000000] memblock: memory is doubled to 256 at [0x0000000043000000-0x0000000043001fff]
    [    0.000000] MEMBLOCK configuration:
    [    0.000000]  memory size = 0x0000000040000000 reserved size = 0x0000000000002000
    [    0.000000]  memory.cnt  = 0x1
    [    0.000000]  memory[0x0]\t[0x0000000040000000-0x000000007fffffff], 0x0000000040000000 bytes on node 0 flags: 0x0
    [    0.000000]  reserved.cnt  = 0x2
    [    0.000000]  reserved[0x0]\t[0x0000000040000000-0x0000000040000fff], 0x0000000000001000 bytes flags: 0x0
    [    0.000000]  reserved[0x1]\t[0x0000000050000000-0x0000000050000fff], 0x0000000000001000 bytes flags: 0x0
    [    0.000000] memblock_alloc_try_nid: 4096 bytes align=0x1000 nid=-1 from=0x0000000000000000 max_addr=0x0000000000000000 caller_a+0x10/0x20
    [    0.000000] memblock_reserve: [0x000000007ffff000-0x000000007fffffff] memblock_alloc_range_nid+0xe8/0x17c
    [    0.000000] memblock: reserved is doubled to 4 at [0x000000007fffe000-0x000000007fffe05f]
    [    0.000000] memblock_reserve: [0x000000007fffe000-0x000000007fffefff] memblock_double_array+0x1e0/0x2a8
    [    0.000000] some unrelated line
    [    0.000000] memblock_reserve: [0x0000000050001000-0x0000000050001fff] reserve_thing+0x4/0x8
    [    0.000000] memblock_alloc_try_nid: 4096 bytes align=0x1000 nid=-1 from=0x0000000000000000 max_addr=0x0000000000000000 pcpu_build_alloc_info+0x398/0x50c
    """

    static let profile = MemblockProfile(kernel: .v6_8, maxNumNodes: 16, smpCacheBytes: 64, pageSize: 4096,
                                         memoryCapacity: 128, reservedCapacity: 2)

    @Test func parsesSmallLog() throws {
        let replay = try MemblockLogReplay.parse(Self.smallLog, fileName: "small.log", profile: Self.profile)
        #expect(replay.dumpLine == 2 && replay.firstPcpuLine == 15)
        #expect(replay.initial.memory == [region(0x4000_0000, 0x4000_0000, nid: 0)])
        #expect(replay.initial.capacity(.memory) == 256 && replay.initial.array(.memory).address == 0x4300_0000)
        #expect(replay.initial.capacity(.reserved) == 2)
        #expect(replay.calls.count == 2)
        let first = replay.calls[0]
        #expect(first.line == 9 && first.caller == "caller_a")
        #expect(first.expected == ReplayedCall.Placement(base: 0x7fff_f000, size: 0x1000, line: 10))
        #expect(first.sideEffects.map(\.line) == [11, 12])
        #expect(replay.calls[1].operation == .reserve(base: 0x5000_1000, size: 0x1000) && replay.calls[1].caller == "reserve_thing")
    }

    /// Replay re-runs the allocation and its doubling (found below the block being reserved);
    /// the later reserve fits without doubling (cnt 3 + 1 new ≤ 4).
    @Test func replaysSmallLog() throws {
        let replay = try MemblockLogReplay.parse(Self.smallLog, fileName: "small.log", profile: Self.profile)
        var log = KernelLog()
        let mb = try replay.replay(log: &log)
        #expect(mb.reserved == [region(0x4000_0000, 0x1000), region(0x5000_0000, 0x2000), region(0x7fff_e000, 0x2000)])
        #expect(mb.capacity(.reserved) == 4 && mb.array(.reserved).address == 0x7fff_e000)
        #expect(traces(log).count == 5)
    }

    /// A free there would need a doubling the log does not show (isolate wants cnt + 2 ≤ max):
    /// the replay reports it at the free.
    @Test func missingDoubling() throws {
        let text = Self.smallLog.replacingOccurrences(of: "memblock_reserve: [0x0000000050001000-0x0000000050001fff] reserve_thing",
                                                      with: "memblock_phys_free: [0x0000000050000000-0x0000000050000fff] free_thing")
        let replay = try MemblockLogReplay.parse(text, fileName: "f.log", profile: Self.profile)
        var log = KernelLog()
        let e = #expect(throws: MemblockLogError.self) { _ = try replay.replay(log: &log) }
        #expect(e?.line == 14)
        #expect(e?.message.hasPrefix("memblock_phys_free from free_thing: the log shows no array doubling, the emulator printed memblock: reserved is doubled to 8 at [0x000000007fffd000-0x000000007fffd0bf]") == true)
    }

    /// A different doubling in the log than in the emulator is a mismatch at the doubling line.
    @Test func doublingMismatch() throws {
        let text = Self.smallLog.replacingOccurrences(of: "doubled to 4 at [0x000000007fffe000-", with: "doubled to 4 at [0x000000007fffd000-")
        let replay = try MemblockLogReplay.parse(text, fileName: "d.log", profile: Self.profile)
        var log = KernelLog()
        let e = #expect(throws: MemblockLogError.self) { _ = try replay.replay(log: &log) }
        #expect(e?.line == 11 && e?.description.hasPrefix("d.log:11: ") == true)
        #expect(e?.message.contains("0x000000007fffd000") == true)
    }

    /// A placement that differs from the log names the call's line, the expected and the actual range.
    @Test func placementMismatch() throws {
        let text = Self.smallLog.replacingOccurrences(of: "[0x000000007ffff000-0x000000007fffffff]", with: "[0x000000007fff0000-0x000000007fff0fff]")
        let replay = try MemblockLogReplay.parse(text, fileName: "p.log", profile: Self.profile)
        var log = KernelLog()
        #expect(throws: MemblockLogError(file: "p.log", line: 9, message: "memblock_alloc_try_nid(4096 bytes align=0x1000 nid=-1 from=0x0000000000000000 max_addr=0x0000000000000000) from caller_a: expected [0x000000007fff0000-0x000000007fff0fff] (line 10), got [0x000000007ffff000-0x000000007fffffff]")) {
            _ = try replay.replay(log: &log)
        }
    }

    /// An allocation with no reserve after it is a logged failure; the emulator succeeding is a mismatch.
    @Test func loggedFailure() throws {
        var lines = logLines(Self.smallLog)
        lines.remove(at: 9)   // the memblock_reserve of the allocation
        lines.removeSubrange(9 ... 10)   // and the doubling it caused
        let replay = try MemblockLogReplay.parse(lines.joined(separator: "\n"), fileName: "f.log", profile: Self.profile)
        #expect(replay.calls[0].expected == nil)
        var log = KernelLog()
        #expect(throws: MemblockLogError.self) { _ = try replay.replay(log: &log) }
    }

    /// Malformed dump lines: the error names the line and the expected format.
    @Test(arguments: [
        (5, "flags: 0x0", "flags: zz"),
        (6, "reserved.cnt  = 0x2", "reserved.cnt = 0x2"),
        (7, "0x0000000000001000 bytes", "0x0000000000002000 bytes"),
        (3, "reserved size = ", "reserved = "),
        (8, "[0x0000000050000000-", "[0x0000000040000000-"),
    ])
    func malformedDump(_ line: Int, _ from: String, _ to: String) throws {
        var lines = logLines(Self.smallLog)
        lines[line - 1] = lines[line - 1].replacingOccurrences(of: from, with: to)
        let e = #expect(throws: MemblockLogError.self) {
            try MemblockLogReplay.parse(lines.joined(separator: "\n"), fileName: "m.log", profile: Self.profile)
        }
        #expect(e?.file == "m.log" && e?.line == line)
    }

    /// A dump cut short, no dump, no pcpu_ call, malformed trace lines.
    @Test func structuralErrors() throws {
        let lines = logLines(Self.smallLog)
        let truncated = (Array(lines[0 ..< 7]) + [lines[14]]).joined(separator: "\n")
        #expect(throws: MemblockLogError.self) { try MemblockLogReplay.parse(truncated, fileName: "t", profile: Self.profile) }
        let noDump = lines[8...].joined(separator: "\n")
        #expect(throws: MemblockLogError(file: "n", line: 7, message: "no 'MEMBLOCK configuration:' dump before the first pcpu_ memblock call")) {
            try MemblockLogReplay.parse(noDump, fileName: "n", profile: Self.profile)
        }
        #expect(throws: MemblockLogError.self) { try MemblockLogReplay.parse(lines[0 ..< 14].joined(separator: "\n"), fileName: "p", profile: Self.profile) }
        var bad = lines
        bad[8] = "[    0.000000] memblock_alloc_try_nid: 4096 bytes align=4096 nid=-1 from=0x0 max_addr=0x0 caller_a"
        let e = #expect(throws: MemblockLogError.self) {
            try MemblockLogReplay.parse(bad.joined(separator: "\n"), fileName: "b", profile: Self.profile)
        }
        #expect(e?.line == 9 && e?.message.contains("'%llu bytes align=0x%llx'") == true)
    }

    /// Damaged versions of a real log (truncated anywhere, lines dropped, bytes flipped) either
    /// parse or throw a MemblockLogError — never trap.
    @Test func damagedRealLogNeverTraps() throws {
        let text = try fixtureLog("arm64-1cpu")
        let lines = logLines(text)
        var rng = SplitMix64(seed: 0x5eed)
        for _ in 0 ..< 100 {
            var damaged = lines
            switch rng.next() % 3 {
            case 0: damaged = Array(damaged.prefix(Int(rng.next() % UInt64(damaged.count))))
            case 1: damaged.remove(at: 950 + Int(rng.next() % 60))
            default:
                let i = 950 + Int(rng.next() % 60)
                var bytes = Array(damaged[i].utf8)
                if !bytes.isEmpty { bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next()) }
                damaged[i] = String(decoding: bytes, as: UTF8.self)
            }
            if let replay = try? MemblockLogReplay.parse(damaged.joined(separator: "\n"), fileName: "x", profile: debianArm64Profile) {
                var log = KernelLog()
                _ = try? replay.replay(log: &log)
            }
        }
        #expect(throws: MemblockLogError.self) { try MemblockLogReplay.parse("", fileName: "e", profile: debianArm64Profile) }
        #expect(throws: MemblockLogError.self) { try MemblockLogReplay.parse("\u{0}\r\n[[[]]] memblock_reserve: [", fileName: "e", profile: debianArm64Profile) }
    }
}

/// A tiny deterministic PRNG for randomized tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
