import KernelSupport
import Memblock

/// `numa_distance` / `numa_distance_cnt` (mm/numa_memblks.c v6.12; arch/x86/mm/numa.c
/// v6.1/v6.8): no table yet (NULL), a table, or a failed allocation
/// (`numa_distance = (void *)1LU`, cnt 0: no retry until reset).
enum NumaDistanceState: Equatable, Sendable {
    case none
    case failed
    case allocated(DistanceTable, phys: UInt64)

    /// numa_distance_cnt.
    var count: Int {
        if case .allocated(let table, _) = self { return table.count }
        return 0
    }
}

extension NumaMemblks {
    /// `numa_reset_distance` (v6.12 mm/numa_memblks.c; v6.1/v6.8 arch/x86/mm/numa.c): free
    /// the table if one was allocated (`memblock_free`, traced under memblock=debug) and
    /// allow a new one to be created.
    mutating func resetDistance(memblock: inout Memblock, log: inout KernelLog) throws(KernelPanic) {
        if case .allocated(let table, let phys) = distance {
            try memblock.physFree(phys, UInt64(table.count * table.count), log: &log, caller: "numa_reset_distance")
        }
        distance = .none
    }

    /// `numa_alloc_distance` (v6.12 mm/numa_memblks.c; v6.1/v6.8 arch/x86/mm/numa.c), called
    /// by the first `numa_set_distance`: cnt = highest node parsed or in the meminfo + 1;
    /// v6.12 `memblock_alloc(cnt², PAGE_SIZE)`, x86 up to v6.8 `memblock_phys_alloc_range(cnt²,
    /// PAGE_SIZE, 0, PFN_PHYS(max_pfn_mapped))`; failure → `Warning: can't allocate distance
    /// table!` (no retry). 10 on the diagonal, 20 elsewhere, and
    /// `printk(KERN_DEBUG "NUMA: Initialized distance table, cnt=%d\n")`, which reaches the
    /// ring buffer whatever the console level; 7.x made it pr_debug
    /// (`numaDistanceTableLinePrDebug`: the real 7.2.13 boots lack it).
    mutating func allocDistance(memblock: inout Memblock, log: inout KernelLog) throws(KernelPanic) -> Int {
        let nodes = nodesParsed.union(Self.nodemask(of: meminfo))
        let count = (nodes.max() ?? -1) + 1
        let (square, overflow) = count.multipliedReportingOverflow(by: count)
        let size = UInt64(overflow ? Int.max : square)
        let caller: String
        switch flavor {
        case .x86Legacy: caller = "numa_alloc_distance"
        case .numaMemblks: caller = distanceAllocCaller
        }
        guard let phys = try allocTable(size: size, memblock: &memblock, log: &log, caller: caller) else {
            log.print(.warning, "", "Warning: can't allocate distance table!")
            distance = .failed
            return -Errno.ENOMEM
        }
        distance = .allocated(DistanceTable(count: count), phys: phys)
        if distanceLineIsPrDebug {
            log.dynamicDebug("", "NUMA: Initialized distance table, cnt=\(count)")
        } else {
            log.print(.debug, "", "NUMA: Initialized distance table, cnt=\(count)")
        }
        return 0
    }

    /// Memory for a distance table, page-aligned, as the flavour allocates it: x86 up to v6.8
    /// `memblock_phys_alloc_range(size, PAGE_SIZE, 0, PFN_PHYS(max_pfn_mapped))`, v6.12
    /// `memblock_alloc(size, PAGE_SIZE)`. Used by `numa_alloc_distance` and by numa_emulation's
    /// copy of the physical table.
    func allocTable(size: UInt64, memblock: inout Memblock, log: inout KernelLog, caller: String) throws(KernelPanic) -> UInt64? {
        switch flavor {
        case .x86Legacy(_, let maxMappedAddress):
            try memblock.physAllocRange(size: size, align: pageSize, start: 0, end: maxMappedAddress, log: &log, caller: caller)
        case .numaMemblks:
            try memblock.alloc(size: size, align: pageSize, log: &log, caller: caller)
        }
    }

    /// `numa_set_distance` (v6.12 mm/numa_memblks.c; v6.1/v6.8 arch/x86/mm/numa.c): creates
    /// the table on first use; ids outside it, a distance that does not fit a byte, or a
    /// non-10 self distance are ignored with one `pr_warn_once` each (no prefix; after a
    /// failed allocation cnt is 0, so every id is out of bound).
    mutating func setDistance(_ from: Int, _ to: Int, _ value: Int,
                              memblock: inout Memblock, log: inout KernelLog) throws(KernelPanic) {
        if distance == .none, try allocDistance(memblock: &memblock, log: &log) < 0 { return }
        let count = distance.count
        if from >= count || to >= count || from < 0 || to < 0 {
            warnOnce("bound", "Warning: node ids are out of bound, from=\(from) to=\(to) distance=\(value)", log: &log)
            return
        }
        if value < 0 || value > 255 || (from == to && value != DistanceTable.localDistance) {
            warnOnce("param", "Warning: invalid distance parameter, from=\(from) to=\(to) distance=\(value)", log: &log)
            return
        }
        if case .allocated(var table, let phys) = distance {
            table.entries[from * count + to] = UInt8(value)
            distance = .allocated(table, phys: phys)
        }
    }

    /// The distance table as `__node_distance` reads it (cnt 0 without one).
    var distanceTable: DistanceTable {
        if case .allocated(let table, _) = distance { return table }
        return DistanceTable(count: 0)
    }

    /// `pr_warn_once` of a file without pr_fmt: each call site prints once per boot.
    mutating func warnOnce(_ site: String, _ text: String, log: inout KernelLog) {
        guard warnedOnce.insert(site).inserted else { return }
        log.print(.warning, "", text)
    }
}
