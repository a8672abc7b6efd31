import KernelSupport

// The public memory/reserved manipulation entry points of mm/memblock.c (v6.8).
// `caller` is what the kernel's `%pS` of `_RET_IP_` prints, without the `+0x…/0x…` offsets.
// Each returns false where the kernel returns an error (-ENOMEM when an array could not be
// doubled); the kernel's callers almost always ignore it, so the result is discardable.

extension Memblock {
    /// `memblock_add(base, size)`: register RAM with nid MAX_NUMNODES and no flags.
    /// Traces `memblock_add: [%pa-%pa] %pS`.
    @discardableResult
    public mutating func add(_ base: UInt64, _ size: UInt64, log: inout KernelLog, caller: String) throws(KernelPanic) -> Bool {
        traceRange(&log, "memblock_add", base, size, caller)
        return try addRange(.memory, base: base, size: size, nid: profile.maxNumNodes, flags: [], log: &log)
    }

    /// `memblock_add_node(base, size, nid, flags)`: register RAM on a node (hotplug, driver-managed…).
    /// Traces `memblock_add_node: [%pa-%pa] nid=%d flags=%x %pS`.
    @discardableResult
    public mutating func addNode(_ base: UInt64, _ size: UInt64, nid: Int, flags: MemblockFlags,
                                 log: inout KernelLog, caller: String) throws(KernelPanic) -> Bool {
        trace(&log, "memblock_add_node: [\(Printk.pa(base))-\(Printk.pa(base &+ size &- 1))] nid=\(nid) flags=\(Printk.hex(UInt64(flags.rawValue))) \(caller)")
        return try addRange(.memory, base: base, size: size, nid: nid, flags: flags, log: &log)
    }

    /// `memblock_remove(base, size)`: forget RAM. Traces `memblock_remove: [%pa-%pa] %pS`.
    @discardableResult
    public mutating func remove(_ base: UInt64, _ size: UInt64, log: inout KernelLog, caller: String) throws(KernelPanic) -> Bool {
        traceRange(&log, "memblock_remove", base, size, caller)
        return try removeRange(.memory, base: base, size: size, log: &log)
    }

    /// `memblock_reserve(base, size)`: mark a range in use (nid MAX_NUMNODES, no flags).
    /// Traces `memblock_reserve: [%pa-%pa] %pS`. Since `memblockReserveKern` (6.16) it is the
    /// inline `__memblock_reserve(base, size, NUMA_NO_NODE, 0)`.
    @discardableResult
    public mutating func reserve(_ base: UInt64, _ size: UInt64, log: inout KernelLog, caller: String) throws(KernelPanic) -> Bool {
        if profile.kernel.has(.memblockReserveKern) {
            return try reserveNid(base, size, nid: NUMA_NO_NODE, flags: [], log: &log, caller: caller)
        }
        traceRange(&log, "memblock_reserve", base, size, caller)
        return try addRange(.reserved, base: base, size: size, nid: profile.maxNumNodes, flags: [], log: &log)
    }

    /// `__memblock_reserve(base, size, nid, flags)` (6.16+, `memblockReserveKern`): a reservation
    /// that keeps its node and flags. Traces `__memblock_reserve: [%pa-%pa] nid=%d flags=%x %pS`.
    @discardableResult
    public mutating func reserveNid(_ base: UInt64, _ size: UInt64, nid: Int, flags: MemblockFlags,
                                    log: inout KernelLog, caller: String) throws(KernelPanic) -> Bool {
        trace(&log, "__memblock_reserve: [\(Printk.pa(base))-\(Printk.pa(base &+ size &- 1))] nid=\(nid) flags=\(Printk.hex(UInt64(flags.rawValue))) \(caller)")
        return try addRange(.reserved, base: base, size: size, nid: nid, flags: flags, log: &log)
    }

    /// What an allocation reserves: before 6.16 `memblock_reserve(found, size)`; since
    /// `memblockReserveKern` `__memblock_reserve(found, size, nid, MEMBLOCK_RSRV_KERN)` (and
    /// `memblock_reserve_kern()` = nid NUMA_NO_NODE for the any-node retry and doubled arrays).
    mutating func reserveForKernel(_ base: UInt64, _ size: UInt64, nid: Int, log: inout KernelLog,
                                   caller: String) throws(KernelPanic) -> Bool {
        guard profile.kernel.has(.memblockReserveKern) else { return try reserve(base, size, log: &log, caller: caller) }
        return try reserveNid(base, size, nid: nid, flags: .reservedKern, log: &log, caller: caller)
    }

    /// `memblock_phys_free(base, size)`: give a reserved range back. A zero-length free still traces
    /// (`[base-(base−1)]`) and changes nothing. `memblock_free(ptr, size)` is this with `__pa(ptr)`
    /// when ptr is non-NULL. Traces `memblock_phys_free: [%pa-%pa] %pS`; before 5.16
    /// (`.memblockPhysFreeRename`) the function was `memblock_free(base, size)`, traced
    /// `   memblock_free: [%pa-%pa] %pS` (three leading spaces).
    @discardableResult
    public mutating func physFree(_ base: UInt64, _ size: UInt64, log: inout KernelLog, caller: String) throws(KernelPanic) -> Bool {
        traceRange(&log, profile.kernel.has(.memblockPhysFreeRename) ? "memblock_phys_free" : "   memblock_free", base, size, caller)
        return try removeRange(.reserved, base: base, size: size, log: &log)
    }

    /// `memblock_set_node(base, size, type, nid)` (CONFIG_NUMA): isolate the range, give its regions
    /// `nid`, merge. No trace line. (The WARN_ONCE on MAX_NUMNODES here is 6.10-only.)
    @discardableResult
    public mutating func setNode(_ base: UInt64, _ size: UInt64, type: MemblockTypeName, nid: Int) throws(KernelPanic) -> Bool {
        var ignored = KernelLog()
        return try setNode(base, size, type: type, nid: nid, log: &ignored)
    }

    /// `memblock_set_node()` with a log, for the doubling messages an isolate may print.
    /// Without CONFIG_NUMA it does nothing.
    @discardableResult
    public mutating func setNode(_ base: UInt64, _ size: UInt64, type: MemblockTypeName, nid: Int,
                                 log: inout KernelLog) throws(KernelPanic) -> Bool {
        guard profile.numa else { return true }
        guard let range = try isolateRange(type, base: base, size: size, log: &log) else { return false }
        withArray(type) { a in
            for i in range { a.regions[i].nid = nid }
        }
        mergeRegions(type, start: range.lowerBound, end: range.upperBound)
        return true
    }

    /// `memblock_mark_hotplug()`: flag memory as hotpluggable.
    @discardableResult
    public mutating func markHotplug(_ base: UInt64, _ size: UInt64) throws(KernelPanic) -> Bool {
        var ignored = KernelLog()
        return try markHotplug(base, size, log: &ignored)
    }

    /// `memblock_mark_hotplug()`, keeping the doubling messages its isolate may print.
    @discardableResult
    public mutating func markHotplug(_ base: UInt64, _ size: UInt64, log: inout KernelLog) throws(KernelPanic) -> Bool {
        try setClearFlag(.memory, base: base, size: size, set: true, flag: .hotplug, log: &log)
    }

    /// `memblock_clear_hotplug()`.
    @discardableResult
    public mutating func clearHotplug(_ base: UInt64, _ size: UInt64) throws(KernelPanic) -> Bool {
        var ignored = KernelLog()
        return try clearHotplug(base, size, log: &ignored)
    }

    /// `memblock_clear_hotplug()` with a log.
    @discardableResult
    public mutating func clearHotplug(_ base: UInt64, _ size: UInt64, log: inout KernelLog) throws(KernelPanic) -> Bool {
        try setClearFlag(.memory, base: base, size: size, set: false, flag: .hotplug, log: &log)
    }

    /// `memblock_mark_mirror()`: flag memory as mirrored and turn on mirror-first allocation
    /// (`system_has_some_mirror`). Since 6.5 a no-op unless `kernelcore=mirror`
    /// (`mirroredKernelcore`); 6.1 always marks.
    @discardableResult
    public mutating func markMirror(_ base: UInt64, _ size: UInt64) throws(KernelPanic) -> Bool {
        var ignored = KernelLog()
        return try markMirror(base, size, log: &ignored)
    }

    /// `memblock_mark_mirror()` with a log.
    @discardableResult
    public mutating func markMirror(_ base: UInt64, _ size: UInt64, log: inout KernelLog) throws(KernelPanic) -> Bool {
        if profile.kernel.has(.memblockMirrorNeedsKernelcore) && !mirroredKernelcore { return true }
        hasMirror = true
        return try setClearFlag(.memory, base: base, size: size, set: true, flag: .mirror, log: &log)
    }

    /// `memblock_mark_nomap()`: memory not to be mapped; allocations skip it.
    @discardableResult
    public mutating func markNomap(_ base: UInt64, _ size: UInt64) throws(KernelPanic) -> Bool {
        var ignored = KernelLog()
        return try markNomap(base, size, log: &ignored)
    }

    /// `memblock_mark_nomap()` with a log.
    @discardableResult
    public mutating func markNomap(_ base: UInt64, _ size: UInt64, log: inout KernelLog) throws(KernelPanic) -> Bool {
        try setClearFlag(.memory, base: base, size: size, set: true, flag: .nomap, log: &log)
    }

    /// `memblock_clear_nomap()`.
    @discardableResult
    public mutating func clearNomap(_ base: UInt64, _ size: UInt64) throws(KernelPanic) -> Bool {
        var ignored = KernelLog()
        return try clearNomap(base, size, log: &ignored)
    }

    /// `memblock_clear_nomap()` with a log.
    @discardableResult
    public mutating func clearNomap(_ base: UInt64, _ size: UInt64, log: inout KernelLog) throws(KernelPanic) -> Bool {
        try setClearFlag(.memory, base: base, size: size, set: false, flag: .nomap, log: &log)
    }

    /// `memblock_reserved_mark_noinit()` (6.5+): flag reserved memory MEMBLOCK_RSRV_NOINIT.
    @discardableResult
    public mutating func reservedMarkNoInit(_ base: UInt64, _ size: UInt64, log: inout KernelLog) throws(KernelPanic) -> Bool {
        try setClearFlag(.reserved, base: base, size: size, set: true, flag: .reservedNoInit, log: &log)
    }
}
