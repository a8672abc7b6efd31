import KernelSupport

// The allocation entry points of mm/memblock.c (v6.8). They return the physical address
// (the kernel returns phys_to_virt of it, or the physical address for the phys_ variants),
// nil where the kernel returns NULL / 0. Zeroing (`memblock_alloc_try_nid`) versus raw makes no
// difference to memblock's state, only to the trace line's function name.

/// The traced `memblock_alloc_*` functions that share `"%s: %llu bytes align=0x%llx nid=%d from=%pa max_addr=%pa %pS"`.
public enum MemblockAllocFunction: String, Sendable, Equatable, Hashable, Codable, CaseIterable {
    /// `memblock_alloc_try_nid` (zeroed; also behind memblock_alloc, memblock_alloc_from, …).
    case tryNid = "memblock_alloc_try_nid"
    /// `memblock_alloc_try_nid_raw` (not zeroed).
    case tryNidRaw = "memblock_alloc_try_nid_raw"
    /// `memblock_alloc_exact_nid_raw` (not zeroed, no fallback to other nodes).
    case exactNidRaw = "memblock_alloc_exact_nid_raw"
    /// `memblock_phys_alloc_range` (own format, no nid; behind memblock_phys_alloc).
    case physAllocRange = "memblock_phys_alloc_range"
}

extension Memblock {
    /// `memblock_alloc_range_nid(size, align, start, end, nid, exact_nid)`: the core allocator.
    ///
    /// When the system has mirrored memory, mirrored memory is tried first. Each round tries
    /// `nid`, then (unless `exactNid`, and only for a real node) any node — the fallback is silent;
    /// the first fit found is reserved (trace caller `memblock_alloc_range_nid`). If the mirrored
    /// round fails: `Could not allocate %pap bytes of mirrored memory` (ratelimited, no prefix) and
    /// a round without the mirror requirement. align 0 means SMP_CACHE_BYTES (the kernel also
    /// calls dump_stack(), whose text is not reproducible). 6.1/6.8: nid == MAX_NUMNODES triggers
    /// WARN_ONCE "Usage of MAX_NUMNODES is deprecated. Use NUMA_NO_NODE instead" and means
    /// NUMA_NO_NODE; 6.12: any nid outside 0 ..< MAX_NUMNODES silently means any node.
    @discardableResult
    public mutating func allocRangeNid(size: UInt64, align: UInt64, start: UInt64, end: UInt64, nid: Int,
                                       exactNid: Bool, log: inout KernelLog) throws(KernelPanic) -> UInt64? {
        var flags: MemblockFlags = hasMirror ? .mirror : []
        var nid = nid
        if !profile.kernel.has(.memblockNumaValidNode) && nid == profile.maxNumNodes {
            warnOnce(site: "memblock_alloc_range_nid",
                     "Usage of MAX_NUMNODES is deprecated. Use NUMA_NO_NODE instead", log: &log)
            nid = NUMA_NO_NODE
        }
        let align = align == 0 ? profile.smpCacheBytes : align
        let specificNode = profile.kernel.has(.memblockNumaValidNode) ? numaValidNode(nid) : nid != NUMA_NO_NODE

        while true {
            var found = findInRangeNodeRaw(size: size, align: align, start: start, end: end, nid: nid, flags: flags)
            if found != 0, try reserveForKernel(found, size, nid: nid, log: &log, caller: "memblock_alloc_range_nid") {
                return found
            }
            if specificNode && !exactNid {
                found = findInRangeNodeRaw(size: size, align: align, start: start, end: end,
                                           nid: NUMA_NO_NODE, flags: flags)
                if found != 0, try reserveForKernel(found, size, nid: NUMA_NO_NODE, log: &log, caller: "memblock_alloc_range_nid") {
                    return found
                }
            }
            if flags.contains(.mirror) {
                flags.remove(.mirror)
                warnRatelimited(site: "memblock_alloc_range_nid",
                                "Could not allocate \(Printk.pa(size)) bytes of mirrored memory", log: &log)
                continue
            }
            return nil
        }
    }

    /// `memblock_alloc_internal(size, align, min_addr, max_addr, nid, exact_nid)`: clip max_addr to
    /// current_limit, allocate in [min_addr, max_addr); if that fails and min_addr != 0, try again
    /// from 0. (The slab_is_available() branch never runs this early.)
    mutating func allocInternal(size: UInt64, align: UInt64, minAddr: UInt64, maxAddr: UInt64, nid: Int,
                                exactNid: Bool, log: inout KernelLog) throws(KernelPanic) -> UInt64? {
        let maxAddr = Swift.min(maxAddr, currentLimit)
        if let a = try allocRangeNid(size: size, align: align, start: minAddr, end: maxAddr, nid: nid,
                                     exactNid: exactNid, log: &log) {
            return a
        }
        if minAddr != 0 {
            return try allocRangeNid(size: size, align: align, start: 0, end: maxAddr, nid: nid,
                                     exactNid: exactNid, log: &log)
        }
        return nil
    }

    /// The shared trace line of the nid-taking allocators.
    func traceAlloc(_ log: inout KernelLog, _ function: MemblockAllocFunction, size: UInt64, align: UInt64,
                    nid: Int, minAddr: UInt64, maxAddr: UInt64, caller: String) {
        trace(&log, "\(function.rawValue): \(size) bytes align=0x\(Printk.hex(align)) nid=\(nid) from=\(Printk.pa(minAddr)) max_addr=\(Printk.pa(maxAddr)) \(caller)")
    }

    /// `memblock_alloc_try_nid(size, align, min_addr, max_addr, nid)`: zeroed memory, preferably on
    /// `nid`, falling back to any node and then to min_addr 0. Traces
    /// `memblock_alloc_try_nid: %llu bytes align=0x%llx nid=%d from=%pa max_addr=%pa %pS`.
    @discardableResult
    public mutating func allocTryNid(size: UInt64, align: UInt64, minAddr: UInt64, maxAddr: UInt64, nid: Int,
                                     log: inout KernelLog, caller: String) throws(KernelPanic) -> UInt64? {
        traceAlloc(&log, .tryNid, size: size, align: align, nid: nid, minAddr: minAddr, maxAddr: maxAddr, caller: caller)
        return try allocInternal(size: size, align: align, minAddr: minAddr, maxAddr: maxAddr, nid: nid,
                                 exactNid: false, log: &log)
    }

    /// `memblock_alloc_try_nid_raw()`: as try_nid, not zeroed; its own trace name.
    @discardableResult
    public mutating func allocTryNidRaw(size: UInt64, align: UInt64, minAddr: UInt64, maxAddr: UInt64, nid: Int,
                                        log: inout KernelLog, caller: String) throws(KernelPanic) -> UInt64? {
        traceAlloc(&log, .tryNidRaw, size: size, align: align, nid: nid, minAddr: minAddr, maxAddr: maxAddr, caller: caller)
        return try allocInternal(size: size, align: align, minAddr: minAddr, maxAddr: maxAddr, nid: nid,
                                 exactNid: false, log: &log)
    }

    /// `memblock_alloc_exact_nid_raw()`: only on `nid` (no fallback to other nodes), not zeroed.
    @discardableResult
    public mutating func allocExactNidRaw(size: UInt64, align: UInt64, minAddr: UInt64, maxAddr: UInt64, nid: Int,
                                          log: inout KernelLog, caller: String) throws(KernelPanic) -> UInt64? {
        traceAlloc(&log, .exactNidRaw, size: size, align: align, nid: nid, minAddr: minAddr, maxAddr: maxAddr, caller: caller)
        return try allocInternal(size: size, align: align, minAddr: minAddr, maxAddr: maxAddr, nid: nid,
                                 exactNid: true, log: &log)
    }

    /// `memblock_alloc(size, align)` = `memblock_alloc_try_nid(size, align, MEMBLOCK_LOW_LIMIT,
    /// MEMBLOCK_ALLOC_ACCESSIBLE, NUMA_NO_NODE)` (inline wrapper: the trace names its caller).
    @discardableResult
    public mutating func alloc(size: UInt64, align: UInt64, log: inout KernelLog, caller: String) throws(KernelPanic) -> UInt64? {
        try allocTryNid(size: size, align: align, minAddr: MEMBLOCK_LOW_LIMIT, maxAddr: MEMBLOCK_ALLOC_ACCESSIBLE,
                        nid: NUMA_NO_NODE, log: &log, caller: caller)
    }

    /// `memblock_alloc_raw(size, align)` = `memblock_alloc_try_nid_raw(size, align, MEMBLOCK_LOW_LIMIT,
    /// MEMBLOCK_ALLOC_ACCESSIBLE, NUMA_NO_NODE)`: as `memblock_alloc()` but not zeroed (inline wrapper:
    /// the trace names `memblock_alloc_try_nid_raw` and its caller).
    @discardableResult
    public mutating func allocRaw(size: UInt64, align: UInt64, log: inout KernelLog, caller: String) throws(KernelPanic) -> UInt64? {
        try allocTryNidRaw(size: size, align: align, minAddr: MEMBLOCK_LOW_LIMIT, maxAddr: MEMBLOCK_ALLOC_ACCESSIBLE,
                           nid: NUMA_NO_NODE, log: &log, caller: caller)
    }

    /// `memblock_alloc_from(size, align, min_addr)` = try_nid(size, align, min_addr, ACCESSIBLE, NUMA_NO_NODE).
    @discardableResult
    public mutating func allocFrom(size: UInt64, align: UInt64, minAddr: UInt64, log: inout KernelLog,
                                   caller: String) throws(KernelPanic) -> UInt64? {
        try allocTryNid(size: size, align: align, minAddr: minAddr, maxAddr: MEMBLOCK_ALLOC_ACCESSIBLE,
                        nid: NUMA_NO_NODE, log: &log, caller: caller)
    }

    /// `memblock_alloc_node(size, align, nid)` = try_nid(size, align, MEMBLOCK_LOW_LIMIT, ACCESSIBLE, nid).
    @discardableResult
    public mutating func allocNode(size: UInt64, align: UInt64, nid: Int, log: inout KernelLog,
                                   caller: String) throws(KernelPanic) -> UInt64? {
        try allocTryNid(size: size, align: align, minAddr: MEMBLOCK_LOW_LIMIT, maxAddr: MEMBLOCK_ALLOC_ACCESSIBLE,
                        nid: nid, log: &log, caller: caller)
    }

    /// `memblock_phys_alloc_range(size, align, start, end)`: any node, no current_limit clipping
    /// beyond the ACCESSIBLE translation, no retry from 0. Traces
    /// `memblock_phys_alloc_range: %llu bytes align=0x%llx from=%pa max_addr=%pa %pS`.
    @discardableResult
    public mutating func physAllocRange(size: UInt64, align: UInt64, start: UInt64, end: UInt64,
                                        log: inout KernelLog, caller: String) throws(KernelPanic) -> UInt64? {
        trace(&log, "memblock_phys_alloc_range: \(size) bytes align=0x\(Printk.hex(align)) from=\(Printk.pa(start)) max_addr=\(Printk.pa(end)) \(caller)")
        return try allocRangeNid(size: size, align: align, start: start, end: end, nid: NUMA_NO_NODE,
                                 exactNid: false, log: &log)
    }

    /// `memblock_phys_alloc(size, align)` = `memblock_phys_alloc_range(size, align, 0, ACCESSIBLE)`.
    @discardableResult
    public mutating func physAlloc(size: UInt64, align: UInt64, log: inout KernelLog, caller: String) throws(KernelPanic) -> UInt64? {
        try physAllocRange(size: size, align: align, start: 0, end: MEMBLOCK_ALLOC_ACCESSIBLE, log: &log, caller: caller)
    }

    /// `memblock_phys_alloc_try_nid(size, align, nid)` = alloc_range_nid(size, align, 0, ACCESSIBLE,
    /// nid, false). No trace line of its own (only the memblock_reserve one).
    @discardableResult
    public mutating func physAllocTryNid(size: UInt64, align: UInt64, nid: Int, log: inout KernelLog) throws(KernelPanic) -> UInt64? {
        try allocRangeNid(size: size, align: align, start: 0, end: MEMBLOCK_ALLOC_ACCESSIBLE, nid: nid,
                          exactNid: false, log: &log)
    }

    /// Run one of the traced allocators by name (used by the log replay).
    @discardableResult
    public mutating func allocate(_ function: MemblockAllocFunction, size: UInt64, align: UInt64, nid: Int,
                                  minAddr: UInt64, maxAddr: UInt64, log: inout KernelLog,
                                  caller: String) throws(KernelPanic) -> UInt64? {
        switch function {
        case .tryNid:
            return try allocTryNid(size: size, align: align, minAddr: minAddr, maxAddr: maxAddr, nid: nid, log: &log, caller: caller)
        case .tryNidRaw:
            return try allocTryNidRaw(size: size, align: align, minAddr: minAddr, maxAddr: maxAddr, nid: nid, log: &log, caller: caller)
        case .exactNidRaw:
            return try allocExactNidRaw(size: size, align: align, minAddr: minAddr, maxAddr: maxAddr, nid: nid, log: &log, caller: caller)
        case .physAllocRange:
            return try physAllocRange(size: size, align: align, start: minAddr, end: maxAddr, log: &log, caller: caller)
        }
    }
}
