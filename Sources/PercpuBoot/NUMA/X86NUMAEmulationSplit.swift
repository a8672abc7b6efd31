import KernelSupport
import Memblock

/// The splitting half of `numa_emulation` (arch/x86/mm/numa_emulation.c v6.1 = mm/numa_emulation.c
/// v6.12+ for these functions): `pi` is a copy of the physical meminfo that the split eats
/// from the front, `ei` the emulated blocks it makes, `emu_nid_to_phys[]` which physical node
/// each fake node came from. Every loop consumes at least one page of a block or removes
/// the block, and `ei` holds at most NR_NODE_MEMBLKS blocks, so the work is bounded by the
/// blocks made.
struct FakeNodeSplit {
    /// `pi`: the physical blocks not yet handed out.
    var physical: [NumaMemblk]
    /// `ei`.
    var emulated: [NumaMemblk] = []
    /// `emu_nid_to_phys[]`, MAX_NUMNODES entries.
    var emuNidToPhys: [Int]
    let nodesParsed: Set<Int>
    let maxNumNodes: Int
    let memblock: Memblock
    let pageShift: UInt64

    init(physical: [NumaMemblk], nodesParsed: Set<Int>, maxNumNodes: Int, memblock: Memblock, pageShift: UInt64) {
        self.physical = physical
        self.nodesParsed = nodesParsed
        self.maxNumNodes = maxNumNodes
        self.memblock = memblock
        self.pageShift = pageShift
        emuNidToPhys = Array(repeating: NUMA_NO_NODE, count: max(maxNumNodes, 1))
    }

    static let minSize = X86NUMA.fakeNodeMinSize
    /// PFN_PHYS(MAX_DMA32_PFN) (`numa_emu_dma_end()` on x86 since v6.12): 4 GiB.
    static let dma32End: UInt64 = 1 << 32

    /// `mem_hole_size(start, end)`: the bytes of whole pages in [start, end) that memblock
    /// has no memory for (`absent_pages_in_range`, any node).
    func memHoleSize(_ start: UInt64, _ end: UInt64) -> UInt64 {
        let startPFN = divRoundUp(start, UInt64(1) << pageShift), endPFN = end >> pageShift
        guard startPFN < endPFN else { return 0 }
        let present = X86NUMA.pagesOfMemory(memblock, nid: nil, from: startPFN, to: endPFN, pageShift: pageShift)
        return ((endPFN - startPFN) &- present) << pageShift
    }

    /// `emu_setup_memblk(ei, pi, nid, phys_blk, size)`: the next `size` bytes of physical block
    /// `index` become a block of fake node `nid`. 0, or -EINVAL past NR_NODE_MEMBLKS.
    mutating func setupMemblk(nid: Int, physicalBlock index: Int, size: UInt64, log: inout KernelLog) -> Int {
        if emulated.count >= 2 * maxNumNodes {
            log.print(.err, "", "NUMA: Too many emulated memblks, failing emulation")
            return -Errno.EINVAL
        }
        let block = physical[index]
        let made = NumaMemblk(start: block.start, end: block.start &+ size, nid: nid)
        emulated.append(made)
        if emuNidToPhys[nid] == NUMA_NO_NODE { emuNidToPhys[nid] = block.nid }
        physical[index].start = block.start &+ size
        if physical[index].start >= physical[index].end { physical.remove(at: index) }
        log.print(.info, "", "Faking node \(nid) at [mem \(Printk.hexAlt(made.start, width: 18))-\(Printk.hexAlt(made.end &- 1, width: 18))] (\((made.end &- made.start) >> 20)MB)")
        return 0
    }

    /// `split_nodes_interleave(ei, pi, addr, max_addr, nr_nodes)` (`numa=fake=N`): N nodes
    /// of equal usable memory, whole multiples of FAKE_NODE_MIN_SIZE (the remainder shared out
    /// 32 MiB at a time to the first "big" ones), dealt round-robin over the physical nodes.
    mutating func interleave(from addr: UInt64, to maxAddr: UInt64, nodes requested: UInt64, log: inout KernelLog) -> Int {
        var nrNodes = Int(Int32(truncatingIfNeeded: requested))       // unsigned long passed as int
        if nrNodes <= 0 { return -1 }
        if nrNodes > maxNumNodes {
            log.print(.info, "", "numa=fake=\(nrNodes) too large, reducing to \(maxNumNodes)")
            nrNodes = maxNumNodes
        }
        var size = maxAddr &- addr &- memHoleSize(addr, maxAddr)
        size = ((size >> pageShift) / UInt64(nrNodes)) << pageShift
        let big = Int(((size & (Self.minSize - 1)) &* UInt64(nrNodes)) / Self.minSize)
        size &= ~(Self.minSize - 1)
        if size == 0 {
            log.print(.err, "", "Not enough memory for each node.  NUMA emulation disabled.")
            return -1
        }
        let ret = deal(size: size, modulus: nrNodes, bigNodes: big, log: &log)
        if ret < 0 { return ret }
        return 0
    }

    /// `split_nodes_size_interleave(ei, pi, addr, max_addr, size)` (`numa=fake=<size>[MG]`):
    /// nodes of at least `size` usable bytes (raised so that at most MAX_NUMNODES are made),
    /// dealt round-robin over the physical nodes. The next node id, or -1.
    mutating func sizeInterleave(from addr: UInt64, to maxAddr: UInt64, size requested: UInt64, log: inout KernelLog) -> Int {
        if requested == 0 { return -1 }
        // uniform_size(max_addr, addr, mem_hole_size(addr, max_addr), MAX_NUMNODES), in pages.
        let pages = (maxAddr >> pageShift) &- (addr >> pageShift) &- (memHoleSize(addr, maxAddr) >> pageShift)
        var minSize = (pages / UInt64(max(maxNumNodes, 1))) << pageShift
        minSize = max(minSize, Self.minSize)
        minSize = (minSize &+ Self.minSize &- 1) & ~(Self.minSize - 1)
        var size = requested
        if size < minSize {
            log.print(.err, "", "Fake node size \(size >> 20)MB too small, increasing to \(minSize >> 20)MB")
            size = minSize
        }
        size &= ~(Self.minSize - 1)
        return deal(size: size, modulus: max(maxNumNodes, 1), bigNodes: 0, log: &log)
    }

    /// The loop both splits share: round after round, each physical node (in `numa_nodes_parsed`,
    /// ascending) gives its first remaining block's front to the next fake node (`nid % modulus`):
    /// `size` usable bytes (32 MiB more for the first `bigNodes`, split_nodes_interleave only;
    /// find_end_of_node in the sized split), then the end rules, until no physical memory is
    /// left. The number of fake blocks made, or -errno.
    private mutating func deal(size: UInt64, modulus: Int, bigNodes: Int, log: inout KernelLog) -> Int {
        var mask = nodesParsed
        var nid = 0
        while !mask.isEmpty {
            for i in mask.sorted() {
                guard let index = physical.firstIndex(where: { $0.nid == i }) else { mask.remove(i); continue }
                let start = physical[index].start, limit = physical[index].end
                let first = start &+ size &+ (nid < bigNodes ? Self.minSize : 0)
                let end = extendedEnd(endOfNode(start, first, limit: limit, size: size), limit: limit, size: size)
                let ret = setupMemblk(nid: nid % modulus, physicalBlock: index, size: min(end, limit) &- start, log: &log)
                nid += 1
                if ret < 0 { return ret }
            }
        }
        return nid
    }

    /// `find_end_of_node`'s loop (also inlined in split_nodes_interleave): grow the node 32 MiB
    /// at a time until its usable memory reaches `size`, at most to the block's end. Usable
    /// memory only grows with the end, so the first step that suffices (or passes the limit)
    /// is found by bisection: the same end, without a step per 32 MiB of a hole (a node whose
    /// RAM sits petabytes apart would otherwise take millions of steps).
    func endOfNode(_ start: UInt64, _ first: UInt64, limit: UInt64, size: UInt64) -> UInt64 {
        func usable(_ end: UInt64) -> UInt64 { end &- start &- memHoleSize(start, end) }
        if usable(first) >= size { return first }
        // Step k ends at first + k·32M; step `past` is the first beyond the limit.
        let past = first >= limit ? 1 : (limit - first) / Self.minSize + 1
        func done(_ k: UInt64) -> Bool { k >= past || usable(first &+ k &* Self.minSize) >= size }
        var low: UInt64 = 1, high = past          // done(high) holds; find the least k with done(k)
        while low < high {
            let middle = low + (high - low) / 2
            if done(middle) { high = middle } else { low = middle + 1 }
        }
        return low >= past ? limit : first &+ low &* Self.minSize
    }

    /// The two end rules both splits share: a node reaches the 4 GiB DMA32 boundary when less
    /// than FAKE_NODE_MIN_SIZE of usable memory would be left below it, and the end of the
    /// physical block when less than `size` would be left in it. (u64 arithmetic: `limit −
    /// end` wraps when the node overshot the block, and the rule then does not apply.)
    func extendedEnd(_ end: UInt64, limit: UInt64, size: UInt64) -> UInt64 {
        var end = end
        if end < Self.dma32End && Self.dma32End - end &- memHoleSize(end, Self.dma32End) < Self.minSize {
            end = Self.dma32End
        }
        if limit &- end &- memHoleSize(end, limit) < size { end = limit }
        return end
    }
}

/// What `numa_emulation` reads of its `numa=fake=` string, with lib/cmdline.c's and
/// lib/vsprintf.c's parsers: `simple_strtoull(s, &end, 0)` (0x… hex, 0… octal, digits
/// wrap silently), `memparse` (a K/M/G/T/P/E suffix), `get_option`.
struct CommandLineCursor {
    private let bytes: [UInt8]
    private var at = 0

    init(_ text: String) { bytes = Array(text.utf8) }

    private func byte(_ i: Int) -> UInt8? { i < bytes.count ? bytes[i] : nil }

    /// `skip(":")`: `if (*emu_cmdline == ':') emu_cmdline++`.
    mutating func skip(_ character: Unicode.Scalar) {
        if byte(at) == UInt8(ascii: character) { at += 1 }
    }

    /// `simple_strtoull(cp, &endp, 0)`; no digits leaves the cursor where it was.
    mutating func simpleStrtoul() -> UInt64 {
        var i = at
        var base: UInt64 = 10
        if byte(i) == UInt8(ascii: "0") {
            if let x = byte(i + 1), x | 0x20 == UInt8(ascii: "x"), let d = byte(i + 2), Self.digit(d, base: 16) != nil {
                base = 16
                i += 2
            } else {
                base = 8
            }
        }
        var value: UInt64 = 0
        let first = i
        while let b = byte(i), let d = Self.digit(b, base: base) {
            value = value &* base &+ d
            i += 1
        }
        if i > first { at = i }
        return value
    }

    private static func digit(_ b: UInt8, base: UInt64) -> UInt64? {
        let d: UInt64
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt64(b - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt64(b - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt64(b - UInt8(ascii: "A") + 10)
        default: return nil
        }
        return d < base ? d : nil
    }

    /// `memparse(ptr, &retptr)`: a number and an optional binary suffix.
    mutating func memparse() -> UInt64 {
        var value = simpleStrtoul()
        let shifts: [UInt8: UInt64] = [UInt8(ascii: "k"): 10, UInt8(ascii: "m"): 20, UInt8(ascii: "g"): 30,
                                       UInt8(ascii: "t"): 40, UInt8(ascii: "p"): 50, UInt8(ascii: "e"): 60]
        if let b = byte(at), let shift = shifts[b | 0x20] {
            value = value &<< shift
            at += 1
        }
        return value
    }

    /// `get_option(&str, &int)`: nil when no number is there (0); otherwise the number (as an
    /// int) and whether a comma followed (2, the comma consumed) — 1 at the end, 3 before a '-'.
    mutating func getOption() -> (value: Int, followedByComma: Bool)? {
        guard at < bytes.count else { return nil }
        let start = at
        var negative = false
        if byte(at) == UInt8(ascii: "-") { negative = true; at += 1 }
        let afterSign = at
        let magnitude = simpleStrtoul()
        if at == afterSign {
            at = negative ? afterSign : start    // `cur == *str`: nothing parsed past the sign
            return nil
        }
        let value = Int(Int32(truncatingIfNeeded: negative ? 0 &- magnitude : magnitude))
        if byte(at) == UInt8(ascii: ",") {
            at += 1
            return (value, true)
        }
        return (value, false)
    }
}
