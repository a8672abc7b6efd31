import KernelSupport

/// `struct memblock` (mm/memblock.c, v6.8) and the file-static state that goes with it
/// (`memblock_debug`, `system_has_some_mirror`, the WARN_ONCE / ratelimit state), as one value.
///
/// The boot-time allocator: `memory` lists the RAM, `reserved` what is in use; allocations are
/// carved out of memory minus reserved and recorded in reserved. Every mutation is a value
/// mutation, so a boot can be forked or compared.
public struct Memblock: Sendable, Equatable {
    public var profile: MemblockProfile
    /// `memblock.memory`.
    public internal(set) var memoryArray: MemblockRegionArray
    /// `memblock.reserved`.
    public internal(set) var reservedArray: MemblockRegionArray
    /// `memblock.bottom_up` (default false: top-down).
    public var bottomUp: Bool = false
    /// `memblock.current_limit` (default MEMBLOCK_ALLOC_ANYWHERE).
    public var currentLimit: UInt64 = MEMBLOCK_ALLOC_ANYWHERE
    /// `memblock_debug` (`memblock=debug`): emit the trace lines and the configuration dump.
    public var debug: Bool = false
    /// `movable_node_is_enabled()`: hotpluggable memory is skipped by allocations unless asked for.
    public var movableNode: Bool = false
    /// `mirrored_kernelcore` (`kernelcore=mirror`): 6.8's `memblock_mark_mirror()` does nothing without it.
    public var mirroredKernelcore: Bool = true
    /// `system_has_some_mirror`: set by `memblock_mark_mirror()`; allocations then try mirrored memory first.
    public var hasMirror: Bool = false

    /// WARN_ONCE sites that already fired (their `__warned` statics).
    var warnedOnce: Set<String> = []
    /// Messages each `pr_warn_ratelimited` call site printed (default burst 10 per 5 s; boot time
    /// does not advance here, so the 11th and later are suppressed).
    var ratelimitCounts: [String: Int] = [:]

    /// The static `memblock` initialiser: both arrays empty (one dummy entry in <= 6.8), capacities
    /// from the profile, top-down, no limit.
    public init(profile: MemblockProfile) {
        self.profile = profile
        self.memoryArray = MemblockRegionArray(max: Swift.max(profile.memoryCapacity, 1))
        self.reservedArray = MemblockRegionArray(max: Swift.max(profile.reservedCapacity, 1))
    }

    /// `memblock.memory.regions[0 ..< cnt]` without the dummy entry.
    public var memory: [MemblockRegion] { memoryArray.regions }
    /// `memblock.reserved.regions[0 ..< cnt]` without the dummy entry.
    public var reserved: [MemblockRegion] { reservedArray.regions }

    /// The array of one type.
    public func array(_ type: MemblockTypeName) -> MemblockRegionArray {
        switch type {
        case .memory: memoryArray
        case .reserved: reservedArray
        }
    }

    /// The regions of one type (no dummy entry).
    public func regions(_ type: MemblockTypeName) -> [MemblockRegion] { array(type).regions }

    /// Mutate one type's array in place (no copy of the region array).
    @discardableResult
    mutating func withArray<R>(_ type: MemblockTypeName, _ body: (inout MemblockRegionArray) -> R) -> R {
        switch type {
        case .memory: body(&memoryArray)
        case .reserved: body(&reservedArray)
        }
    }

    /// `type->cnt` as the kernel counts it: an empty array holds one zero-size dummy entry up to
    /// 6.8 (cnt 1); 6.12 dropped the dummy (cnt 0).
    public func count(_ type: MemblockTypeName) -> Int {
        let n = regions(type).count
        if n == 0 && !profile.kernel.has(.memblockNoDummyRegion) { return 1 }
        return n
    }

    /// `type->max`: the capacity of the array (doubled by `memblock_double_array()`).
    public func capacity(_ type: MemblockTypeName) -> Int { array(type).max }

    /// `memblock_allow_resize()`: from now on full arrays are doubled instead of panicking.
    public mutating func allowResize() { profile.canResize = true }

    // MARK: - Queries

    /// `memblock_phys_mem_size()` = `memblock.memory.total_size` (the kernel's counter).
    public var memorySize: UInt64 { memoryArray.totalSize }
    /// `memblock_reserved_size()` = `memblock.reserved.total_size`.
    public var reservedSize: UInt64 { reservedArray.totalSize }

    /// `memblock_start_of_DRAM()`: `regions[0].base` (0 for an empty array: the dummy's base;
    /// 6.12 reads a stale slot there, 0 here).
    public var startOfDRAM: UInt64 { memory.first?.base ?? 0 }

    /// `memblock_end_of_DRAM()`: end of the last memory region (0 when empty).
    public var endOfDRAM: UInt64 { memory.last?.end ?? 0 }

    /// `memblock_search()`: binary search for the region containing `addr`.
    func search(_ type: MemblockTypeName, _ addr: UInt64) -> Int? {
        let rs = regions(type)
        var left = 0, right = rs.count
        while left < right {
            let mid = (left + right) / 2
            if addr < rs[mid].base {
                right = mid
            } else if addr >= rs[mid].end {
                left = mid + 1
            } else {
                return mid
            }
        }
        return nil
    }

    /// `memblock_is_memory(addr)`.
    public func isMemory(_ addr: UInt64) -> Bool { search(.memory, addr) != nil }

    /// `memblock_is_reserved(addr)`.
    public func isReserved(_ addr: UInt64) -> Bool { search(.reserved, addr) != nil }

    /// `memblock_is_region_memory(base, size)`: the region holding `base` also covers
    /// `base + size` (size capped at PHYS_ADDR_MAX).
    public func isMemory(_ base: UInt64, _ size: UInt64) -> Bool {
        guard let idx = search(.memory, base) else { return false }
        let end = base &+ Memblock.capSize(base, size)
        return memory[idx].end >= end
    }

    /// `memblock_is_region_reserved(base, size)` = `memblock_overlaps_region(&memblock.reserved, …)`.
    public func isRegionReserved(_ base: UInt64, _ size: UInt64) -> Bool {
        let size = Memblock.capSize(base, size)
        return reserved.contains { base < $0.base &+ $0.size && $0.base < base &+ size }
    }

    /// `memblock_cap_size()`: clip `size` so that `base + size` never exceeds PHYS_ADDR_MAX.
    static func capSize(_ base: UInt64, _ size: UInt64) -> UInt64 {
        Swift.min(size, PHYS_ADDR_MAX - base)
    }

    /// `numa_valid_node()` (6.12): 0 <= nid < MAX_NUMNODES.
    func numaValidNode(_ nid: Int) -> Bool { nid >= 0 && nid < profile.maxNumNodes }

    // MARK: - Messages

    /// `memblock_dbg()`: a `pr_info` only under memblock=debug.
    func trace(_ log: inout KernelLog, _ text: @autoclosure () -> String) {
        if debug { log.memblockDebug(text()) }
    }

    /// `"%s: [%pa-%pa] %pS"` with end = base + size − 1 (wrapping, as C computes it).
    func traceRange(_ log: inout KernelLog, _ function: String, _ base: UInt64, _ size: UInt64, _ caller: String) {
        trace(&log, "\(function): [\(Printk.pa(base))-\(Printk.pa(base &+ size &- 1))] \(caller)")
    }

    /// `WARN_ONCE(cond, fmt)`: the first time a site fires, `__warn_printk` prints the cut-here
    /// marker and the message (the `WARNING: CPU: … at file:line` splat that follows names a
    /// source line and offsets this emulator cannot reproduce, so it is left out).
    mutating func warnOnce(site: String, _ message: String, log: inout KernelLog) {
        guard !warnedOnce.contains(site) else { return }
        warnedOnce.insert(site)
        log.print(.warning, "", "------------[ cut here ]------------")
        log.print(.warning, "", message)
    }

    /// `pr_warn_ratelimited()` with the default ratelimit state (burst 10).
    mutating func warnRatelimited(site: String, _ message: String, log: inout KernelLog) {
        let n = ratelimitCounts[site, default: 0]
        ratelimitCounts[site] = n + 1
        if n < 10 { log.print(.warning, "", message) }
    }
}
