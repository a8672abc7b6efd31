import Foundation
import KernelSupport
@testable import Memblock

/// MAX_NUMNODES of the test profile (NODES_SHIFT 4, as Debian arm64).
let maxNodes = 16

/// A 64-bit NUMA profile with 4K pages and 64-byte cache lines.
func testProfile(_ kernel: KernelVersion = .v6_8, memory: Int = 128, reserved: Int = 128,
                 canResize: Bool = true) -> MemblockProfile {
    MemblockProfile(kernel: kernel, maxNumNodes: maxNodes, smpCacheBytes: 64, pageSize: 4096,
                    memoryCapacity: memory, reservedCapacity: reserved, canResize: canResize)
}

/// The Debian 6.1 arm64 build of the fixtures: NODES_SHIFT 4, EFI (memory 128*8) and
/// GICv3 ITS (reserved 128 + NR_CPUS 256 + 1).
let debianArm64Profile = MemblockProfile(kernel: .v6_1, maxNumNodes: 16, smpCacheBytes: 64, pageSize: 4096,
                                         memoryCapacity: 1024, reservedCapacity: 385)

/// The Debian 6.1 x86_64 build: NODES_SHIFT 10, 128-entry arrays.
let debianX86Profile = MemblockProfile(kernel: .v6_1, maxNumNodes: 1024, smpCacheBytes: 64, pageSize: 4096)

/// A region as the tests write them.
func region(_ base: UInt64, _ size: UInt64, nid: Int = maxNodes, flags: MemblockFlags = []) -> MemblockRegion {
    MemblockRegion(base: base, size: size, flags: flags, nid: nid)
}

/// A memblock with debug tracing on and the given memory (nid MAX_NUMNODES unless given).
func memblock(_ profile: MemblockProfile = testProfile(), memory: [MemblockRegion] = [],
              reserved: [(UInt64, UInt64)] = []) throws -> Memblock {
    var mb = Memblock(profile: profile)
    mb.debug = true
    var log = KernelLog()
    for r in memory {
        try mb.addNode(r.base, r.size, nid: r.nid, flags: r.flags, log: &log, caller: "setup")
    }
    for (b, s) in reserved { try mb.reserve(b, s, log: &log, caller: "setup") }
    return mb
}

/// The memblock=debug texts of a log.
func traces(_ log: KernelLog) -> [String] { log.lines.filter { $0.source == .memblockDebug }.map(\.text) }

/// The warning texts of a log.
func warnings(_ log: KernelLog) -> [String] { log.lines.filter { $0.level == .warning }.map(\.text) }

/// `Tests/Fixtures/kernel-boots`, found from this file whether the test folder is reached
/// directly or through a symlinked workspace.
func fixturesDirectory(_ filePath: String = #filePath) -> URL? {
    let fm = FileManager.default
    let start = URL(fileURLWithPath: filePath)
    for candidate in [start, start.resolvingSymlinksInPath()] {
        var dir = candidate.deletingLastPathComponent()
        while dir.path != "/" {
            let fixtures = dir.appendingPathComponent("Fixtures/kernel-boots")
            if dir.lastPathComponent == "Tests", fm.fileExists(atPath: fixtures.path) { return fixtures }
            dir = dir.deletingLastPathComponent()
        }
    }
    return nil
}

/// The console log of one fixture boot.
func fixtureLog(_ name: String) throws -> String {
    guard let dir = fixturesDirectory() else { throw FixtureMissing(name: name) }
    return try String(contentsOf: dir.appendingPathComponent("\(name)/console.log"), encoding: .utf8)
}

/// The lines of a log without their line terminators (the fixtures use CRLF).
func logLines(_ text: String) -> [String] {
    text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map {
        var s = String($0)
        if s.hasSuffix("\r") { s.removeLast() }
        return s
    }
}

struct FixtureMissing: Error, CustomStringConvertible {
    var name: String
    var description: String { "fixture \(name) not found from \(#filePath)" }
}

let arm64Fixtures = ["arm64-1cpu", "arm64-2node-dt", "arm64-4node-embed", "arm64-4node-numaoff",
                     "arm64-4node-page", "arm64-nonuma-8cpu"]
let x86Fixtures = ["x86-1cpu", "x86-2node-embed"]
