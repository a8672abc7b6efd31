import KernelSupport
import Memblock

extension PercpuContext {
    /// `pcpu_page_first_chunk(reserved_size, cpu_to_nd_fn)` (mm/percpu.c, v6.8;
    /// CONFIG_NEED_PER_CPU_PAGE_FIRST_CHUNK only).
    ///
    /// One group, one page at a time from each CPU's node, mapped into an early
    /// vmalloc area: works however far apart the nodes' memory lies. The
    /// dynamic area is only PERCPU_DYNAMIC_EARLY_SIZE (dyn_size 0 is asked for).
    /// Returns 0 or -errno, and the placed chunk on success.
    mutating func pcpuPageFirstChunk(nodeAware: Bool, reservedSize: UInt64)
        throws(PercpuEmulationFailure) -> (Int, PlacedFirstChunk?, PcpuSetupResult?) {
        let pageSize = profile.pageSize
        let psizeStr = "\(pageSize >> 10)K"
        guard let ai = try pcpuBuildAllocInfo(reservedSize: reservedSize, dynSize: 0, atomSize: pageSize,
                                              distance: .none) else { return (-Errno.ENOMEM, nil, nil) }
        let ncpus = numPossibleCPUs
        let upa = ai.unitsPerAlloc
        if ai.groups.count != 1 || ai.groups[0].nrUnits != (ncpus + upa - 1) / upa * upa {
            log.print(.warning, "", "WARNING: CPU: 0 PID: 0 at mm/percpu.c pcpu_page_first_chunk")
            try pcpuFreeAllocInfo(ai)
            return (-Errno.EINVAL, nil, nil)
        }
        let unitPages = Int(ai.unitSize >> UInt64(profile.pageShift))
        let pagesSize = try pfnAlign(UInt64(unitPages) * UInt64(ncpus) * 8, "pages array size")
        let allocated: UInt64?
        do {
            allocated = try memblockAlloc(pagesSize, profile.smpCacheBytes, caller: orPanicCaller("pcpu_page_first_chunk"))
        } catch { throw .panic(error) }
        guard let pagesPhys = allocated else {
            let shown = profile.kernel.has(.memblockAllocOrPanic) ? Printk.pa(pagesSize) : "\(pagesSize)"
            throw .panic(KernelPanic("pcpu_page_first_chunk: Failed to allocate \(shown) bytes"))
        }

        var rc = 0
        var pages: [UnitPages] = []
        allocate: for unit in 0..<ncpus {
            let cpu = ai.groups[0].cpuMap[unit]
            var unitPagesPhys = UnitPages(pageSize: pageSize)
            while unitPagesPhys.count < UInt64(unitPages) {
                guard let ptr = try pcpuFcAlloc(cpu: cpu, size: pageSize, align: pageSize, nodeAware: nodeAware) else {
                    log.print(.warning, percpuPrefix, "failed to allocate \(psizeStr) page for cpu\(cpu)")
                    pages.append(unitPagesPhys)
                    rc = -Errno.ENOMEM
                    break allocate
                }
                unitPagesPhys.append(ptr)
                // The calls that would return the pages just below, at once (none when traced).
                let more = try pcpuFcAllocRunBelow(ptr, cpu: cpu, size: pageSize, nodeAware: nodeAware,
                                                   upTo: UInt64(unitPages) - unitPagesPhys.count)
                unitPagesPhys.append(first: ptr &- pageSize, count: more, descending: true)
            }
            pages.append(unitPagesPhys)
        }
        var placed: PlacedFirstChunk?
        var setup: PcpuSetupResult?
        if rc == 0 {
            // vm_area_register_early(&vm, PAGE_SIZE), then pcpu_populate_pte for every page.
            let vmSize = UInt64(ncpus) * ai.unitSize
            let vmAddr = try earlyVmAreaAddress(size: vmSize)
            try populatePageTables(from: vmAddr, size: vmSize)
            log.print(.info, percpuPrefix, "\(unitPages) \(psizeStr) pages/cpu\(summaryAddress(vmAddr)) s\(ai.staticSize) r\(ai.reservedSize) d\(ai.dynSize)")
            placed = PlacedFirstChunk(ai: ai, baseAddr: vmAddr, groupPhys: [], unitPagesPhys: pages, maxDistance: nil)
            setup = try pcpuSetupFirstChunk(ai, baseAddr: vmAddr)
        } else {
            // enomem: free every page obtained, last first (a run at once when untraced:
            // the reserved regions end the same).
            for unit in pages.reversed() {
                for run in unit.runs.reversed() {
                    if memblock.debug {
                        for i in (0..<run.count).reversed() {
                            try pcpuFcFree(UnitPages.page(run, i), pageSize, caller: "pcpu_page_first_chunk")
                        }
                    } else {
                        let span = run.span(pageSize: pageSize)
                        try pcpuFcFree(span.start, span.end - span.start, caller: "pcpu_page_first_chunk")
                    }
                }
            }
        }
        try pcpuFcFree(pagesPhys, pagesSize, caller: "pcpu_page_first_chunk")
        try pcpuFreeAllocInfo(ai)
        return (rc, placed, setup)
    }

    /// `vm_area_register_early(vm, PAGE_SIZE)` (mm/vmalloc.c): the first gap at or
    /// after VMALLOC_START in the early vmlist. On arm64 that list holds the kernel
    /// image (KIMAGE_VADDR = VMALLOC_START; its last segment carries a guard page),
    /// so the area lands after `_end` plus a page; elsewhere it is VMALLOC_START.
    func earlyVmAreaAddress(size: UInt64) throws(PercpuEmulationFailure) -> UInt64 {
        let layout = profile.layout
        var addr = layout.vmallocStart
        if profile.arch == .arm64 {
            // The image's last early area ends page aligned (SEGMENT_ALIGN) plus its guard page.
            let imageEnd = layout.kernelImageStart &+ profile.kernelImageSize
            addr = (imageEnd &+ profile.pageSize &- 1).roundedDown(to: profile.pageSize) &+ profile.pageSize
        }
        guard addr <= layout.vmallocEnd &- size, size <= layout.vmallocEnd &- layout.vmallocStart else {
            throw .panic(KernelPanic("kernel BUG at mm/vmalloc.c: vm_area_register_early: no room for \(size) bytes"))
        }
        return addr
    }

    /// `pcpu_populate_pte(addr)` for every page of `[start, start+size)`: x86's
    /// `populate_extra_pte`, or else the generic mm/percpu.c version (arm64, riscv64): a page table
    /// page is allocated for each PMD entry the range needs that is not present.
    /// On arm64 the PMD covering the end of the kernel image already has its
    /// table (the image is mapped at page granularity there); anything beyond
    /// needs `memblock_alloc(PAGE_SIZE, PAGE_SIZE)` per 2 MiB (4K pages).
    mutating func populatePageTables(from start: UInt64, size: UInt64) throws(PercpuEmulationFailure) {
        let pageSize = profile.pageSize
        if profile.arch == .x86_64 {
            var tables = X86KernelPageTables(fiveLevel: profile.pagingMode == .level5)
            // Tables come per PMD (2 MiB): pages after a PMD's first find theirs present.
            let pmdSize = pageSize &* (pageSize / 8)
            var addr = start
            while addr < start &+ size {
                try x86PopulateExtraPTE(addr, tables: &tables)
                let next = (addr / pmdSize &+ 1) &* pmdSize
                guard next > addr else { break }
                addr = next
            }
            return
        }
        let pmdSize = pageSize &* (pageSize / 8)           // PTRS_PER_PTE entries of PAGE_SIZE
        var presentPMDs: Set<UInt64> = []
        if profile.arch == .arm64 {
            let imageEnd = profile.layout.kernelImageStart &+ profile.kernelImageSize
            var pmd = profile.layout.kernelImageStart / pmdSize
            while pmd <= (imageEnd &- 1) / pmdSize { presentPMDs.insert(pmd); pmd += 1 }
        }
        // Only a PMD's first page can find its table missing: visit one page per PMD.
        // The tables of consecutive missing PMDs are consecutive memblock_alloc calls:
        // untraced, the ones after the first are taken as a run (Memblock.reserveRunBelow).
        let end = start &+ size
        guard end > start else { return }
        var pmd = start / pmdSize
        let lastPMD = (end &- 1) / pmdSize
        while pmd <= lastPMD {
            if presentPMDs.contains(pmd) { pmd += 1; continue }
            var missing: UInt64 = 1
            while pmd &+ missing <= lastPMD && !presentPMDs.contains(pmd &+ missing) { missing += 1 }
            var done: UInt64 = 0
            while done < missing {
                let table: UInt64?
                do { table = try memblockAlloc(pageSize, pageSize, caller: orPanicCaller("pcpu_populate_pte")) } catch { throw .panic(error) }
                guard let table else {
                    throw .panic(KernelPanic(profile.kernel.has(.memblockAllocOrPanic)
                        ? "pcpu_populate_pte: Failed to allocate \(Printk.pa(pageSize)) bytes" : "pcpu_populate_pte: Failed to allocate memory"))
                }
                done += 1
                // 6.16+ reservations carry nid and RSRV_KERN, which the run path does not model.
                if profile.kernel.has(.memblockReserveKern) { continue }
                do {
                    done += try memblock.reserveRunBelow(table, size: pageSize, minAddr: MEMBLOCK_LOW_LIMIT, nid: NUMA_NO_NODE,
                                                         upTo: missing - done, log: &log)
                } catch { throw .panic(error) }
            }
            pmd &+= missing
        }
    }
}
