/// `pcpu_alloc(size, align, reserved, gfp)` (mm/percpu.c v6.8; 6.10+
/// `pcpu_alloc_noprof`), with `__alloc_percpu_gfp`, `__alloc_percpu` and
/// `__alloc_reserved_percpu` as its callers pass it.
import KernelSupport
import PercpuChunk

/// The GFP bits pcpu_alloc looks at (include/linux/gfp_types.h, 6.1–6.12 values).
public enum GFP {
    public static let directReclaim: UInt32 = 0x400
    public static let kswapdReclaim: UInt32 = 0x800
    public static let io: UInt32 = 0x40
    public static let fs: UInt32 = 0x80
    public static let zero: UInt32 = 0x100
    public static let noWarn: UInt32 = 0x2000
    public static let noRetry: UInt32 = 0x10000
    public static let noFail: UInt32 = 0x8000
    public static let account: UInt32 = 0x400000
    public static let kernel: UInt32 = 0xcc0
    public static let kernelAccount: UInt32 = 0x400cc0
    public static let atomic: UInt32 = 0xa20
    public static let noWait: UInt32 = 0x800
}

/// What one pcpu_alloc call returned.
public struct PcpuAllocResult: Sendable, Equatable {
    /// The `__percpu` pointer, nil on failure.
    public var ptr: UInt64?
    public var chunk: Int?
    public var off: Int?
}

extension PcpuAllocator {
    /// `pcpu_obj_full_size(size)`: what an area costs, as charged to memory
    /// cgroups and shown as `bytes_alloc`: `size` in every possible CPU's unit,
    /// plus one `obj_cgroup` pointer per 4 bytes with CONFIG_MEMCG_KMEM.
    public func pcpuObjFullSize(_ size: Int) -> Int {
        let extra = geometry.memcgKmem ? size / Int(PcpuConstants.minAllocSize) * 8 : 0
        return size * geometry.nrPossibleCPUs + extra
    }

    /// `pcpu_alloc(size, align, reserved, gfp)`.
    ///
    /// Sizes and alignments are raised to PCPU_MIN_ALLOC_SIZE (4 bytes = one
    /// bit); invalid requests fail. Reserved requests use only the reserved
    /// chunk. Others walk the slots from `pcpu_size_to_slot(size)` up to the
    /// free slot, in list order, taking the first chunk whose block metadata
    /// promises a fit and where `pcpu_alloc_area` finds one; chunks in the
    /// low slots that cannot serve are moved to slot 0. With no fit a
    /// non-atomic request creates a chunk (unless an entirely free one exists)
    /// and walks again. Non-atomic areas are then populated page by page; an
    /// atomic request only takes populated pages. Fewer than
    /// PCPU_EMPTY_POP_PAGES_LOW empty populated pages schedule the balance work.
    @discardableResult
    public mutating func pcpuAlloc(size requested: Int, align requestedAlign: Int, reserved: Bool,
                                   gfp: UInt32) -> PcpuAllocResult {
        let isAtomic = gfp & GFP.directReclaim == 0          // !gfpflags_allow_blocking(gfp)
        let doWarn = gfp & GFP.noWarn == 0
        var align = requestedAlign
        if align < Int(PcpuConstants.minAllocSize) { align = Int(PcpuConstants.minAllocSize) }
        let minAlloc = Int(PcpuConstants.minAllocSize)
        let size = requested > Int.max - minAlloc ? Int.max : alignUp(max(requested, 0), minAlloc)
        let bits = size / minAlloc
        let bitAlign = align / minAlloc

        func fail(_ err: String) -> PcpuAllocResult {
            record(.allocFailed(size: size, align: align, reserved: reserved, gfp: gfp, reason: err))
            if (!isAtomic || behaviour.warnAtomicFailures) && doWarn && warnLimit > 0 {
                warnings.append("percpu: allocation failed, size=\(size) align=\(align) atomic=\(isAtomic ? 1 : 0), \(err)")
                warnLimit -= 1
                if warnLimit == 0 { warnings.append("percpu: limit reached, disable warning") }
            }
            if isAtomic {
                // see the flag handling in pcpu_balance_workfn()
                atomicAllocFailed = true
                balancePending = true
            }
            return PcpuAllocResult()
        }

        if requested <= 0 || size > geometry.minUnitSize || align > Int(geometry.pageSize) || align & (align - 1) != 0 {
            if doWarn {
                warnings.append("WARNING: illegal size (\(size)) or align (\(align)) for percpu allocation")
            }
            return PcpuAllocResult()
        }

        var chunkID = -1
        var off = -1
        found: do {
            // serve reserved allocations from the reserved chunk if available
            if reserved, let r = reservedChunk {
                let start = storage[r].md.pcpuFindBlockFit(allocBits: bits, align: bitAlign, popOnly: isAtomic)
                if start < 0 { return fail("alloc from reserved chunk failed") }
                off = pcpuAllocArea(r, allocBits: bits, align: bitAlign, start: start)
                if off < 0 { return fail("alloc from reserved chunk failed") }
                chunkID = r
                break found
            }
            var walks = 0
            while true {
                walks += 1
                // A free chunk serves any valid non-atomic request, so the kernel walks
                // at most twice per chunk it creates; the bound guards bad state only.
                if walks > 3 { return fail("failed to allocate new chunk") }
                // search through normal chunks
                var slot = pcpuSizeToSlot(size)
                while slot <= slots.free {
                    var cursor = lists.first(slot)
                    while let id = cursor {
                        cursor = lists.after(id)               // list_for_each_entry_safe
                        let start = storage[id].md.pcpuFindBlockFit(allocBits: bits, align: bitAlign, popOnly: isAtomic)
                        if start < 0 {
                            if slot < pcpuSlotFailThreshold { pcpuChunkMove(id, slot: 0) }
                            continue
                        }
                        off = pcpuAllocArea(id, allocBits: bits, align: bitAlign, start: start)
                        if off >= 0 {
                            if behaviour.partialDepopulation { pcpuReintegrateChunk(id) }
                            chunkID = id
                            break found
                        }
                    }
                    slot += 1
                }
                // No space left.  Create a new chunk.
                if isAtomic { return fail("atomic alloc failed, no space left") }
                if lists.isEmpty(slots.free) {
                    guard let id = pcpuCreateChunk() else { return fail("failed to allocate new chunk") }
                    pcpuChunkRelocate(id, oslot: -1)
                    walks = 0
                }
            }
        }

        // area_found: pcpu_stats_area_alloc
        stats.areaAlloc(size: size)
        storage[chunkID].nrAlloc += 1
        storage[chunkID].maxAllocSize = max(storage[chunkID].maxAllocSize, size)

        let ptr = addrToPcpuPtr(storage[chunkID].md.baseAddr &+ UInt64(off))
        // (the recorded traces log the pointer when pcpu_alloc_area returns, before populating)
        record(.alloc(size: requested, align: requestedAlign, reserved: reserved, gfp: gfp, ptr: ptr,
                      chunk: chunkID, off: off))

        // populate if not all pages are already there
        if !isAtomic {
            let page = Int(geometry.pageSize)
            let rs0 = off / page
            let pageEnd = (off + size + page - 1) / page
            let runs = storage[chunkID].md.populated.clearRuns(from: rs0, limit: pageEnd)
            for run in runs {
                _ = pcpuPopulateChunk(chunkID, start: run.lowerBound, end: run.upperBound)
                pcpuChunkPopulated(chunkID, start: run.lowerBound, end: run.upperBound)
            }
        }
        if nrEmptyPopPages < pcpuEmptyPopPagesLow { balancePending = true }

        pcpuMemcgPostAllocHook(chunkID, off: off, size: size, gfp: gfp)
        return PcpuAllocResult(ptr: ptr, chunk: chunkID, off: off)
    }

    /// `pcpu_size_to_slot(size)`.
    func pcpuSizeToSlot(_ size: Int) -> Int { PercpuChunk.pcpuSizeToSlot(size, unitSize: UInt64(geometry.unitSize)) }

    /// `pcpu_memcg_post_alloc_hook` with `pcpu_memcg_pre_alloc_hook`'s charge:
    /// an accounted (`__GFP_ACCOUNT`) area charges `pcpu_obj_full_size(size)`
    /// to the caller's cgroup and remembers it in `obj_cgroups[off / 4]`.
    /// (The caller's cgroup is not known: a task in the root cgroup charges nothing.)
    mutating func pcpuMemcgPostAllocHook(_ id: Int, off: Int, size: Int, gfp: UInt32) {
        guard geometry.memcgKmem, gfp & GFP.account != 0 else { return }
        let bytes = pcpuObjFullSize(size)
        // size <= PCPU_MIN_UNIT_SIZE (32 KiB) fits 16 bits.
        storage[id].charged[off / Int(PcpuConstants.minAllocSize)] = UInt16(truncatingIfNeeded: size)
        memcgChargedBytes += bytes
    }

    /// `pcpu_memcg_free_hook(chunk, off, size)`: uncharge what the area charged.
    mutating func pcpuMemcgFreeHook(_ id: Int, off: Int) {
        let bit = off / Int(PcpuConstants.minAllocSize)
        guard let size = storage[id].charged.removeValue(forKey: bit) else { return }
        let bytes = pcpuObjFullSize(Int(size))
        memcgChargedBytes -= bytes
    }
}

/// `PCPU_SLOT_FAIL_THRESHOLD`: chunks below this slot that fail an allocation go to slot 0.
let pcpuSlotFailThreshold = 3
/// `PCPU_EMPTY_POP_PAGES_LOW` / `_HIGH`.
let pcpuEmptyPopPagesLow = 2
let pcpuEmptyPopPagesHigh = 4
