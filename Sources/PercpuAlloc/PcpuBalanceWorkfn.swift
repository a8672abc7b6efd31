/// The balance work of mm/percpu.c (v6.8; identical in 6.1 and 6.12):
/// `pcpu_balance_free`, `pcpu_balance_populated`, `pcpu_reclaim_populated`
/// (5.14+, f183324133ea) and `pcpu_balance_workfn`.
import PercpuChunk

extension PcpuAllocator {
    /// `pcpu_balance_workfn(work)`: free surplus free chunks, depopulate the
    /// isolated ones, populate up to PCPU_EMPTY_POP_PAGES_HIGH empty pages,
    /// then free free chunks that have no populated page left.
    /// Before 5.14 (`partialDepopulation` off) there is no reclaim step.
    public mutating func pcpuBalanceWorkfn() {
        balancePending = false
        record(.balance)
        pcpuBalanceFree(emptyOnly: false)
        if behaviour.partialDepopulation { pcpuReclaimPopulated() }
        pcpuBalancePopulated()
        pcpuBalanceFree(emptyOnly: true)
    }

    /// `pcpu_balance_free(empty_only)`: keep the first chunk of the free slot,
    /// destroy the others (only those without populated empty pages when
    /// `emptyOnly`), depopulating each populated run first.
    mutating func pcpuBalanceFree(emptyOnly: Bool) {
        let freeSlot = slots.free
        let first = lists.first(freeSlot)
        var toFree: [Int] = []
        for id in lists.entries(freeSlot) where id != first {
            if !emptyOnly || storage[id].md.nrEmptyPopPages == 0 {
                lists.remove(id)
                storage[id].listSlot = nil
                toFree.insert(id, at: 0)                   // list_move() adds at the front of to_free
            }
        }
        for id in toFree {
            for run in setRuns(storage[id].md.populated, limit: storage[id].md.nrPages) {
                pcpuChunkDepopulated(id, start: run.lowerBound, end: run.upperBound)
            }
            pcpuDestroyChunk(id)
        }
    }

    /// `pcpu_balance_populated()`: populate `PCPU_EMPTY_POP_PAGES_HIGH -
    /// pcpu_nr_empty_pop_pages` pages (all HIGH after an atomic failure), from
    /// the first chunk with unpopulated pages of each slot from
    /// `pcpu_size_to_slot(PAGE_SIZE)` up (the most packed chunks first), run
    /// by run; create a chunk and retry when pages are still missing.
    mutating func pcpuBalancePopulated() {
        var retries = 0
        while true {
            var nrToPop: Int
            if atomicAllocFailed {
                nrToPop = pcpuEmptyPopPagesHigh
                atomicAllocFailed = false
            } else {
                nrToPop = min(max(pcpuEmptyPopPagesHigh - nrEmptyPopPages, 0), pcpuEmptyPopPagesHigh)
            }
            var slot = pcpuSizeToSlot(Int(geometry.pageSize))
            while slot <= slots.free {
                if nrToPop == 0 { break }
                var target: Int?
                for id in lists.entries(slot) where storage[id].md.nrPages - storage[id].md.nrPopulated != 0 {
                    target = id
                    break
                }
                if let id = target {
                    // @chunk can't go away while pcpu_alloc_mutex is held
                    for run in storage[id].md.populated.clearRuns(from: 0, limit: storage[id].md.nrPages) {
                        let nr = min(run.count, nrToPop)
                        _ = pcpuPopulateChunk(id, start: run.lowerBound, end: run.lowerBound + nr)
                        nrToPop -= nr
                        pcpuChunkPopulated(id, start: run.lowerBound, end: run.lowerBound + nr)
                        if nrToPop == 0 { break }
                    }
                }
                slot += 1
            }
            // ran out of chunks to populate, create a new one and retry
            guard nrToPop != 0, retries < 1_000, let id = pcpuCreateChunk() else { return }
            pcpuChunkRelocate(id, oslot: -1)
            retries += 1
        }
    }

    /// `pcpu_reclaim_populated()` (5.14+): for each chunk on the to_depopulate
    /// slot, depopulate its empty populated pages from the end backwards while
    /// the system keeps at least PCPU_EMPTY_POP_PAGES_HIGH empty pages
    /// elsewhere; then reintegrate it (if it stopped for lack of empty pages
    /// or is entirely free) or sideline it.
    mutating func pcpuReclaimPopulated() {
        let bpb = bitsPerBlock
        while let id = lists.first(slots.toDepopulate) {
            var freedStart = storage[id].md.nrPages
            var freedEnd = 0
            var reintegrate = false
            var i = storage[id].md.nrPages - 1
            var end = -1
            while i >= 0 {
                // no more work to do
                if storage[id].md.nrEmptyPopPages == 0 { break }
                // reintegrate chunk to prevent atomic alloc failures
                if nrEmptyPopPages < pcpuEmptyPopPagesHigh {
                    reintegrate = true
                    break
                }
                // An empty populated page starts or extends the (i, end] range;
                // at page 0 the range is closed by stepping below it.
                if storage[id].md.mdBlocks[i].contigHint == bpb && storage[id].md.populated.test(i) {
                    if end == -1 { end = i }
                    if i > 0 {
                        i -= 1
                        continue
                    }
                    i -= 1
                }
                // depopulate if there is an active range
                if end == -1 {
                    i -= 1
                    continue
                }
                pcpuChunkDepopulated(id, start: i + 1, end: end + 1)
                freedStart = min(freedStart, i + 1)
                freedEnd = max(freedEnd, end + 1)
                end = -1                                       // reset the range and continue
                i -= 1
            }
            _ = (freedStart, freedEnd)                         // pcpu_post_unmap_tlb_flush: nothing to emulate
            if reintegrate || storage[id].md.freeBytes == geometry.unitSize {
                pcpuReintegrateChunk(id)
            } else {
                lists.moveTail(id, slot: slots.sidelined)
                storage[id].listSlot = slots.sidelined
            }
        }
    }

    /// `for_each_set_bitrange(rs, re, map, end)`.
    func setRuns(_ map: PcpuBitmap, limit: Int) -> [Range<Int>] {
        var runs: [Range<Int>] = []
        var start = map.findNextSet(from: 0, limit: limit)
        while start < limit {
            let stop = map.findNextZero(from: start + 1, limit: limit)
            runs.append(start ..< stop)
            start = map.findNextSet(from: stop + 1, limit: limit)
        }
        return runs
    }
}
