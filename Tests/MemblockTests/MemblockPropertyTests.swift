import Testing
import KernelSupport
@testable import Memblock

/// Randomized checks against a page-set model: with one node and no flags, memory and reserved
/// must always be the maximal runs of the pages added/reserved, and a top-down page allocation
/// must take the highest fitting run of memory minus reserved above page 0.
@Suite struct MemblockPropertyTests {
    static let page: UInt64 = 0x1000
    static let pages = 96

    /// Maximal runs of a page set as regions (nid MAX_NUMNODES, no flags).
    func runs(_ set: Set<Int>) -> [MemblockRegion] {
        var out: [MemblockRegion] = []
        for p in set.sorted() {
            let base = UInt64(p) * Self.page
            if let last = out.last, last.end == base {
                out[out.count - 1].size += Self.page
            } else {
                out.append(region(base, Self.page))
            }
        }
        return out
    }

    /// The model's top-down choice: highest p ≥ 1 with pages p ..< p+n all free.
    func modelAlloc(_ memory: Set<Int>, _ reserved: Set<Int>, _ n: Int) -> Int? {
        var p = (memory.max() ?? 0) + 1 - n
        while p >= 1 {
            if (p ..< p + n).allSatisfy({ memory.contains($0) && !reserved.contains($0) }) { return p }
            p -= 1
        }
        return nil
    }

    @Test(arguments: [UInt64(1), 2, 3, 4, 5, 6, 7, 8])
    func randomOperationsMatchPageModel(_ seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        var mb = Memblock(profile: testProfile(memory: 1024, reserved: 1024))
        var log = KernelLog()
        var memory = Set<Int>(), reserved = Set<Int>()
        for _ in 0 ..< 400 {
            let start = Int(rng.next() % UInt64(Self.pages))
            let count = Int(rng.next() % 12)
            let base = UInt64(start) * Self.page, size = UInt64(count) * Self.page
            let range = Set(start ..< start + count)
            switch rng.next() % 5 {
            case 0: try mb.add(base, size, log: &log, caller: "t"); memory.formUnion(range)
            case 1: try mb.remove(base, size, log: &log, caller: "t"); memory.subtract(range)
            case 2: try mb.reserve(base, size, log: &log, caller: "t"); reserved.formUnion(range)
            case 3: try mb.physFree(base, size, log: &log, caller: "t"); reserved.subtract(range)
            default:
                let n = Swift.max(count, 1)
                let got = try mb.alloc(size: UInt64(n) * Self.page, align: Self.page, log: &log, caller: "t")
                let want = modelAlloc(memory, reserved, n)
                #expect(got == want.map { UInt64($0) * Self.page })
                if let p = want { reserved.formUnion(p ..< p + n) }
            }
            #expect(mb.memory == runs(memory))
            #expect(mb.reserved == runs(reserved))
            #expect(mb.memorySize == UInt64(memory.count) * Self.page)
            #expect(mb.reservedSize == UInt64(reserved.count) * Self.page)
        }
    }

    /// Mixed nodes and flags, tiny arrays, both directions: the arrays stay sorted,
    /// non-overlapping and merged, total_size stays the sum, and nothing traps.
    @Test(arguments: [UInt64(11), 12, 13, 14])
    func randomOperationsKeepInvariants(_ seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        var mb = Memblock(profile: testProfile(memory: 2, reserved: 2))
        var log = KernelLog()
        try mb.addNode(0x100_0000, 0x100_0000, nid: 0, flags: [], log: &log, caller: "t")
        for _ in 0 ..< 300 {
            let base = (rng.next() % 0x300) * 0x1_0000, size = (rng.next() % 0x40) * 0x4000
            let nid = Int(rng.next() % 3)
            switch rng.next() % 9 {
            case 0: try mb.addNode(base, size, nid: nid, flags: rng.next() % 4 == 0 ? .hotplug : [], log: &log, caller: "t")
            case 1: try mb.remove(base, size, log: &log, caller: "t")
            case 2: try mb.reserve(base, size, log: &log, caller: "t")
            case 3: try mb.physFree(base, size, log: &log, caller: "t")
            case 4: try mb.setNode(base, size, type: rng.next() % 2 == 0 ? .memory : .reserved, nid: nid)
            case 5: try mb.markNomap(base, size)
            case 6: mb.bottomUp.toggle()
            case 7: try mb.allocTryNid(size: size, align: 1 << (rng.next() % 20), minAddr: base, maxAddr: rng.next() % 2 == 0 ? 0 : base &* 2,
                                       nid: nid - 1, log: &log, caller: "t")
            default: try mb.clearNomap(base, size)
            }
            for type in MemblockTypeName.allCases {
                let rs = mb.regions(type)
                #expect(rs.allSatisfy { $0.size > 0 })
                #expect(zip(rs, rs.dropFirst()).allSatisfy { a, b in
                    a.end < b.base || (a.end == b.base && (a.nid != b.nid || a.flags != b.flags))
                })
                #expect(mb.array(type).totalSize == rs.reduce(0) { $0 + $1.size })
                #expect(rs.count <= mb.capacity(type))
            }
        }
    }
}
