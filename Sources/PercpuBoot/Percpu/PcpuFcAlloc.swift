import KernelSupport
import Memblock

extension PercpuContext {
    /// `pcpu_fc_alloc(cpu, size, align, cpu_to_nd_fn)` (mm/percpu.c, v6.8).
    ///
    /// Allocates a piece of a first chunk from memblock above
    /// `__pa(MAX_DMA_ADDRESS)`, on the CPU's node when it has one: a CPU with no
    /// node (or an offline node, or one without NODE_DATA) takes memory from
    /// anywhere and the kernel says so at KERN_INFO. Without CONFIG_NUMA it is a
    /// plain `memblock_alloc_from`. Returns the physical address, nil = NULL.
    mutating func pcpuFcAlloc(cpu: Int, size: UInt64, align: UInt64, nodeAware: Bool) throws(PercpuEmulationFailure) -> UInt64? {
        let goal = profile.perCPUAllocationGoal(dramStart: dramStart)
        do {
            guard profile.config.numa else {
                return try memblock.allocFrom(size: size, align: align, minAddr: goal, log: &log, caller: "pcpu_fc_alloc")
            }
            let node = nodeAware ? topology.node(ofCPU: cpu) : NUMA_NO_NODE
            if node == NUMA_NO_NODE || !topology.isOnline(node) || topology.nodeData[node] == nil {
                let ptr = try memblock.allocFrom(size: size, align: align, minAddr: goal, log: &log, caller: "pcpu_fc_alloc")
                let prefix = fcAllocPrefix, address = fcAllocDebugAddress(ptr ?? 0)
                log.print(.info, prefix, "cpu \(cpu) has no node \(node) or node-local memory")
                log.dynamicDebug(prefix, "per cpu data for cpu\(cpu) \(size) bytes at \(address)")
                return ptr
            }
            let ptr = try memblock.allocTryNid(size: size, align: align, minAddr: goal, maxAddr: MEMBLOCK_ALLOC_ACCESSIBLE,
                                               nid: node, log: &log, caller: "pcpu_fc_alloc")
            let prefix = fcAllocPrefix, address = fcAllocDebugAddress(ptr ?? 0)
            log.dynamicDebug(prefix, "per cpu data for cpu\(cpu) \(size) bytes on node\(node) at \(address)")
            return ptr
        } catch {
            throw .panic(error)
        }
    }

    /// Who prints pcpu_fc_alloc's lines: mm/percpu.c since the allocator became generic
    /// (5.17, `.percpuGenericFcAlloc`); before, x86's own `pcpu_alloc_bootmem` in
    /// arch/x86/kernel/setup_percpu.c (pr_fmt `setup_percpu: `).
    var fcAllocPrefix: String {
        profile.kernel.has(.percpuGenericFcAlloc) || profile.arch != .x86_64 ? Self.prefix : "setup_percpu: "
    }

    /// The address in pcpu_fc_alloc's pr_debug: `0x%llx` in mm/percpu.c (5.17+), `%016lx`
    /// in x86's own `pcpu_alloc_bootmem` before (`.percpuGenericFcAlloc`).
    func fcAllocDebugAddress(_ phys: UInt64) -> String {
        fcAllocPrefix == Self.prefix ? "0x" + Printk.hex(phys, minDigits: 1) : Printk.hex(phys, minDigits: 16)
    }

    /// The next calls `pcpu_fc_alloc(cpu, size, size)` would make for the pages just below
    /// `ptr`, taken at once (see `Memblock.reserveRunBelow`): how many. None when each call
    /// prints something (pr_debug recorded, memblock=debug, or the node-less pr_info).
    mutating func pcpuFcAllocRunBelow(_ ptr: UInt64, cpu: Int, size: UInt64, nodeAware: Bool,
                                      upTo wanted: UInt64) throws(PercpuEmulationFailure) -> UInt64 {
        // From 6.16 reservations carry their nid and MEMBLOCK_RSRV_KERN (`.memblockReserveKern`),
        // which the run-at-once path does not model: those kernels go call by call.
        guard !log.recordsDynamicDebug, wanted > 0, !profile.kernel.has(.memblockReserveKern) else { return 0 }
        let goal = profile.perCPUAllocationGoal(dramStart: dramStart)
        var nid = NUMA_NO_NODE
        if profile.config.numa {
            let node = nodeAware ? topology.node(ofCPU: cpu) : NUMA_NO_NODE
            if node == NUMA_NO_NODE || !topology.isOnline(node) || topology.nodeData[node] == nil { return 0 }
            nid = node
        }
        do { return try memblock.reserveRunBelow(ptr, size: size, minAddr: goal, nid: nid, upTo: wanted, log: &log) } catch {
            throw .panic(error)
        }
    }

    /// `pcpu_fc_free(ptr, size)` = `memblock_free`, inlined into its callers
    /// (the trace names the caller).
    mutating func pcpuFcFree(_ phys: UInt64, _ size: UInt64, caller: String) throws(PercpuEmulationFailure) {
        do { try memblockFree(phys, size, caller: caller) } catch { throw .panic(error) }
    }
}
