import KernelSupport
import Memblock

/// One `struct numa_memblk`: `[start, end)` on node `nid`.
struct NumaMemblk: Equatable, Sendable {
    var start: UInt64
    var end: UInt64
    var nid: Int
}

/// The NUMA memory-block bookkeeping that x86 kept in arch/x86/mm/numa.c up to v6.8 and
/// that v6.12 moved, almost unchanged, to mm/numa_memblks.c for x86, arm64 and riscv64
/// (`numa_nodes_parsed`, `numa_meminfo`, `numa_reserved_meminfo`, the distance table and
/// `node_possible_map` as numa_register_meminfo leaves it), as one value.
///
/// Blocks are only recorded while the firmware is parsed (`numa_add_memblk`), then
/// cleaned up, checked and written into memblock in one go. The two flavours differ in
/// the bounds the clean-up clips to, where the distance table comes from, and what
/// "no node" is while NUMA init runs (see `Flavor`).
struct NumaMemblks: Equatable, Sendable {
    enum Flavor: Equatable, Sendable {
        /// arch/x86/mm/numa.c v6.1/v6.8: blocks clipped to `[0, PFN_PHYS(max_pfn))`; the
        /// distance table from `memblock_phys_alloc_range(…, 0, PFN_PHYS(max_pfn_mapped))`.
        case x86Legacy(maxAddress: UInt64, maxMappedAddress: UInt64)
        /// mm/numa_memblks.c v6.12: blocks clipped to memblock's DRAM, the distance table
        /// from `memblock_alloc(size, PAGE_SIZE)`, memblock regions reset to NUMA_NO_NODE.
        case numaMemblks
    }

    let flavor: Flavor
    /// MAX_NUMNODES.
    let maxNumNodes: Int
    let pageSize: UInt64
    /// `numa_nodes_parsed`.
    var nodesParsed: Set<Int> = []
    /// `numa_meminfo`.
    var meminfo: [NumaMemblk] = []
    /// `numa_reserved_meminfo`: blocks without RAM, and the parts above the RAM's end.
    var reservedMeminfo: [NumaMemblk] = []
    /// `numa_distance` / `numa_distance_cnt`.
    var distance: NumaDistanceState = .none
    /// `node_possible_map` as `numa_register_meminfo` (v6.12) sets it.
    var possibleNodes: Set<Int> = []
    /// pr_warn_once call sites that already fired.
    var warnedOnce: Set<String> = []
    /// What memblock=debug names as the distance table's allocator: `numa_alloc_distance`, or
    /// `numa_set_distance` where the build inlined it (Debian's arm64 and riscv64 6.12/7.2:
    /// `numa_set_distance+0xec/0x240`); x86_64 keeps the call.
    var distanceAllocCaller = "numa_alloc_distance"
    /// `numaDistanceTableLinePrDebug` (7.x): "Initialized distance table" is pr_debug, no
    /// longer `printk(KERN_DEBUG …)`.
    var distanceLineIsPrDebug = false

    init(flavor: Flavor, maxNumNodes: Int, pageSize: UInt64, kernel: KernelVersion? = nil) {
        self.flavor = flavor
        self.maxNumNodes = maxNumNodes
        self.pageSize = pageSize
        self.distanceLineIsPrDebug = kernel?.has(.numaDistanceTableLinePrDebug) ?? false
    }

    /// NR_NODE_MEMBLKS = MAX_NUMNODES * 2.
    var nrNodeMemblks: Int { maxNumNodes * 2 }

    /// `numa_valid_node(nid)` (include/linux/numa.h, v6.12): 0 ≤ nid < MAX_NUMNODES.
    func validNode(_ nid: Int) -> Bool { nid >= 0 && nid < maxNumNodes }

    /// `numa_add_memblk(nid, start, end)` → `numa_add_memblk_to(…, &numa_meminfo)`
    /// (mm/numa_memblks.c v6.12; arch/x86/mm/numa.c v6.1/v6.8). Only records the block:
    /// neither memblock nor `numa_nodes_parsed` changes (callers `node_set` themselves).
    mutating func addMemblk(_ nid: Int, _ start: UInt64, _ end: UInt64, log: inout KernelLog) -> Int {
        Self.addMemblk(to: &meminfo, nid, start, end, limit: nrNodeMemblks, maxNumNodes: maxNumNodes, log: &log)
    }

    /// `numa_add_memblk_to` (mm/numa_memblks.c v6.12 = arch/x86/mm/numa.c v6.1/v6.8): empty
    /// blocks are ignored; a reversed block or a node outside [0, MAX_NUMNODES) is ignored
    /// with `Warning: invalid memblk node %d [mem %#010Lx-%#010Lx]` (no prefix); more than
    /// NR_NODE_MEMBLKS blocks is `too many memblk ranges` and -EINVAL.
    static func addMemblk(to blocks: inout [NumaMemblk], _ nid: Int, _ start: UInt64, _ end: UInt64,
                          limit: Int, maxNumNodes: Int, log: inout KernelLog) -> Int {
        if start == end { return 0 }
        if start > end || nid < 0 || nid >= maxNumNodes {
            log.print(.warning, "", "Warning: invalid memblk node \(nid) [mem \(hex10(start))-\(hex10(end &- 1))]")
            return 0
        }
        if blocks.count >= limit {
            log.print(.err, "", "too many memblk ranges")
            return -Errno.EINVAL
        }
        blocks.append(NumaMemblk(start: start, end: end, nid: nid))
        return 0
    }

    /// `numa_nodemask_from_meminfo`: the nodes of the non-empty blocks.
    static func nodemask(of blocks: [NumaMemblk]) -> Set<Int> {
        Set(blocks.filter { $0.start != $0.end && $0.nid != NUMA_NO_NODE }.map(\.nid))
    }

    /// The clean-up bounds: `[0, PFN_PHYS(max_pfn))` on x86 up to v6.8,
    /// `[memblock_start_of_DRAM(), memblock_end_of_DRAM())` in v6.12.
    func cleanupBounds(_ memblock: Memblock) -> (low: UInt64, high: UInt64) {
        switch flavor {
        case .x86Legacy(let maxAddress, _): (0, maxAddress)
        case .numaMemblks: (memblock.startOfDRAM, memblock.endOfDRAM)
        }
    }

    /// `numa_cleanup_meminfo` (mm/numa_memblks.c v6.12; arch/x86/mm/numa.c v6.1/v6.8).
    /// Blocks that cover no RAM move to the reserved meminfo; the rest are clipped to the
    /// bounds (the part above is kept as reserved meminfo) and dropped if empty. Then every
    /// pair i < j on the same node is merged when the hull of the two overlaps no other
    /// node's block — `NUMA: Node %d [mem …] + [mem …] -> [mem …]` — while an overlap between
    /// different nodes is `node %d [mem …] overlaps with node %d [mem …]` and -EINVAL.
    mutating func cleanupMeminfo(memblock: Memblock, log: inout KernelLog) -> Int {
        let (low, high) = cleanupBounds(memblock)
        var i = 0
        while i < meminfo.count {
            let block = meminfo[i]
            if !Self.overlapsMemory(memblock, block.start, block.end &- block.start) {
                reservedMeminfo.append(meminfo.remove(at: i))
                continue
            }
            meminfo[i].start = max(block.start, low)
            if block.end > high {
                _ = Self.addMemblk(to: &reservedMeminfo, block.nid, high, block.end, limit: nrNodeMemblks,
                                   maxNumNodes: maxNumNodes, log: &log)
                meminfo[i].end = high
            }
            if meminfo[i].start >= meminfo[i].end {
                meminfo.remove(at: i)
                continue
            }
            i += 1
        }

        i = 0
        while i < meminfo.count {
            var j = i + 1
            while j < meminfo.count {
                let bi = meminfo[i], bj = meminfo[j]
                if bi.end > bj.start && bi.start < bj.end {
                    if bi.nid != bj.nid {
                        log.print(.err, "", "node \(bi.nid) [mem \(Self.hex10(bi.start))-\(Self.hex10(bi.end &- 1))] overlaps with node \(bj.nid) [mem \(Self.hex10(bj.start))-\(Self.hex10(bj.end &- 1))]")
                        return -Errno.EINVAL
                    }
                    log.print(.warning, "", "Warning: node \(bi.nid) [mem \(Self.hex10(bi.start))-\(Self.hex10(bi.end &- 1))] overlaps with itself [mem \(Self.hex10(bj.start))-\(Self.hex10(bj.end &- 1))]")
                }
                guard bi.nid == bj.nid else { j += 1; continue }
                let start = min(bi.start, bj.start), end = max(bi.end, bj.end)
                let blocked = meminfo.contains { $0.nid != bi.nid && start < $0.end && end > $0.start }
                if blocked { j += 1; continue }
                log.print(.info, "", "NUMA: Node \(bi.nid) [mem \(Self.hex10(bi.start))-\(Self.hex10(bi.end &- 1))] + [mem \(Self.hex10(bj.start))-\(Self.hex10(bj.end &- 1))] -> [mem \(Self.hex10(start))-\(Self.hex10(end &- 1))]")
                meminfo[i].start = start
                meminfo[i].end = end
                meminfo.remove(at: j)
            }
            i += 1
        }
        return 0
    }

    /// `memblock_overlaps_region(&memblock.memory, base, size)`.
    static func overlapsMemory(_ memblock: Memblock, _ base: UInt64, _ size: UInt64) -> Bool {
        let size = min(size, UInt64.max - base)
        return memblock.memory.contains { base < $0.base &+ $0.size && $0.base < base &+ size }
    }

    /// The first half of `numa_memblks_init(init_func, force_top_down)` (mm/numa_memblks.c,
    /// v6.12), up to the call of `init_func`: forget the parsed nodes and the meminfo, give
    /// every memory and reserved region NUMA_NO_NODE, clear the hotplug flags, reset the
    /// distance table. (The caller clears node_possible_map / node_online_map.)
    mutating func beginInit(memblock: inout Memblock, log: inout KernelLog) throws(KernelPanic) {
        nodesParsed = []
        possibleNodes = []
        meminfo = []
        try memblock.setNode(0, UInt64.max, type: .memory, nid: NUMA_NO_NODE, log: &log)
        try memblock.setNode(0, UInt64.max, type: .reserved, nid: NUMA_NO_NODE, log: &log)
        try memblock.clearHotplug(0, UInt64.max, log: &log)
        try resetDistance(memblock: &memblock, log: &log)
    }

    /// The second half of `numa_memblks_init` (v6.12), after `init_func` succeeded: back to
    /// top-down allocation when asked, `numa_cleanup_meminfo`, `numa_emulation` (a no-op
    /// here: CONFIG_NUMA_EMU is emulated on x86_64 only, `X86NUMA.numaInitNumaMemblks`),
    /// `numa_register_meminfo`.
    mutating func finishInit(memblock: inout Memblock, forceTopDown: Bool, log: inout KernelLog) throws(KernelPanic) -> Int {
        if forceTopDown { memblock.bottomUp = false }
        let ret = cleanupMeminfo(memblock: memblock, log: &log)
        if ret < 0 { return ret }
        return try registerMeminfo(memblock: &memblock, log: &log)
    }

    /// `numa_register_meminfo(mi)` (mm/numa_memblks.c, v6.12): node_possible_map = parsed ∪
    /// the meminfo's nodes (empty → WARN_ON and -EINVAL; the splat names a source line and
    /// is not reproduced), each block's memory tagged with its node,
    /// `numa_clear_kernel_node_hotplug`. The NODE_NOT_IN_PAGE_FLAGS alignment check does not
    /// apply (SPARSEMEM_VMEMMAP on arm64, riscv64 and x86_64).
    mutating func registerMeminfo(memblock: inout Memblock, log: inout KernelLog) throws(KernelPanic) -> Int {
        possibleNodes = nodesParsed.union(Self.nodemask(of: meminfo))
        if possibleNodes.isEmpty { return -Errno.EINVAL }
        for block in meminfo {
            try memblock.setNode(block.start, block.end &- block.start, type: .memory, nid: block.nid, log: &log)
        }
        try clearKernelNodeHotplug(memblock: &memblock, log: &log)
        return 0
    }

    /// `numa_clear_kernel_node_hotplug` (v6.12 mm/numa_memblks.c; v6.1/v6.8 arch/x86/mm/numa.c):
    /// give the reserved regions the node of the meminfo block they lie in (splitting them at
    /// node boundaries), then clear MEMBLOCK_HOTPLUG on every block of a node that holds
    /// reserved (kernel) memory. A reserved region counts when its node is real: v6.12
    /// `numa_valid_node(nid)`, v6.1/v6.8 `nid != MAX_NUMNODES`.
    mutating func clearKernelNodeHotplug(memblock: inout Memblock, log: inout KernelLog) throws(KernelPanic) {
        for block in meminfo {
            try memblock.setNode(block.start, block.end &- block.start, type: .reserved, nid: block.nid, log: &log)
        }
        let kernelNodes: Set<Int>
        switch flavor {
        case .x86Legacy: kernelNodes = Set(memblock.reserved.map(\.nid).filter { $0 != maxNumNodes })
        case .numaMemblks: kernelNodes = Set(memblock.reserved.map(\.nid).filter(validNode))
        }
        for block in meminfo where kernelNodes.contains(block.nid) {
            try memblock.clearHotplug(block.start, block.end &- block.start, log: &log)
        }
    }

    /// `%#010Lx`.
    static func hex10(_ v: UInt64) -> String { Printk.hexAlt(v, width: 10) }
}
