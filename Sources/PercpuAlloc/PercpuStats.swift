/// mm/percpu-stats.c: the counters of CONFIG_PERCPU_STATS (`struct
/// percpu_stats`, `pcpu_stats_area_alloc` ...) and `percpu_stats_show`, the
/// text of /sys/kernel/debug/percpu_stats (v6.8; the format strings are the
/// same in 4.14–6.12; 5.14 added the "(to_depopulate)"/"(sidelined)" chunk
/// titles with f183324133ea).
import PercpuChunk

/// `struct percpu_stats`.
public struct PcpuStats: Sendable, Equatable {
    public var nrAlloc: UInt64 = 0
    public var nrDealloc: UInt64 = 0
    public var nrCurAlloc: UInt64 = 0
    public var nrMaxAlloc: UInt64 = 0
    public var nrChunks: UInt32 = 0
    public var nrMaxChunks: UInt32 = 0
    public var minAllocSize: Int
    public var maxAllocSize: Int = 0

    /// `pcpu_stats_save_ai`: min_alloc_size starts at the unit size.
    init(unitSize: Int) { minAllocSize = unitSize }

    /// `pcpu_stats_area_alloc(chunk, size)` (global part).
    mutating func areaAlloc(size: Int) {
        nrAlloc &+= 1
        nrCurAlloc &+= 1
        nrMaxAlloc = max(nrMaxAlloc, nrCurAlloc)
        minAllocSize = min(minAllocSize, size)
        maxAllocSize = max(maxAllocSize, size)
    }
}

extension PcpuAllocator {
    /// `percpu_stats_show(m, v)`: the whole file.
    public func percpuStatsShow() -> String {
        var out = "Percpu Memory Statistics\nAllocation Info:\n----------------------------------------\n"
        func p(_ label: String, _ value: Int64) { out += statsLine(label, value) }
        func u(_ label: String, _ value: UInt64) { out += statsLine(label, unsigned: value) }
        p("unit_size", Int64(geometry.unitSize))
        p("static_size", Int64(geometry.staticSize))
        p("reserved_size", Int64(geometry.reservedSize))
        p("dyn_size", Int64(geometry.dynSize))
        p("atom_size", Int64(geometry.atomSize))
        p("alloc_size", Int64(geometry.allocSize))
        out += "\n"
        out += "Global Stats:\n----------------------------------------\n"
        u("nr_alloc", stats.nrAlloc)
        u("nr_dealloc", stats.nrDealloc)
        u("nr_cur_alloc", stats.nrCurAlloc)
        u("nr_max_alloc", stats.nrMaxAlloc)
        u("nr_chunks", UInt64(stats.nrChunks))
        u("nr_max_chunks", UInt64(stats.nrMaxChunks))
        u("min_alloc_size", UInt64(stats.minAllocSize))
        u("max_alloc_size", UInt64(stats.maxAllocSize))
        p("empty_pop_pages", Int64(nrEmptyPopPages))
        out += "\n"
        out += "Per Chunk Stats:\n----------------------------------------\n"
        if let r = reservedChunk, let chunk = chunk(r) {
            out += "Chunk: <- Reserved Chunk\n"
            out += chunkMapStats(chunk)
        }
        for slot in 0 ..< slots.nrSlots {
            for id in lists.entries(slot) {
                guard let chunk = chunk(id) else { continue }
                if id == firstChunk {
                    out += "Chunk: <- First Chunk\n"
                } else if slot == slots.toDepopulate {
                    out += "Chunk (to_depopulate)\n"
                } else if slot == slots.sidelined {
                    out += "Chunk (sidelined):\n"
                } else {
                    out += "Chunk:\n"
                }
                out += chunkMapStats(chunk)
            }
        }
        return out
    }

    /// `chunk_map_stats(m, chunk, buffer)`: one chunk's counters and its
    /// fragmentation between the region start and the last allocation.
    /// Allocated areas are positive, free fragments negative; sorted, the free
    /// fragments come first (largest first), then the allocations by size.
    func chunkMapStats(_ chunk: PcpuAllocChunk) -> String {
        let md = chunk.md
        let minAlloc = Int(PcpuConstants.minAllocSize)
        // find_last_bit returns the start value (the size) if nothing is found;
        // the kernel then tests that bit, which is the one past the searched range.
        let size = md.regionBits - md.endOffset / minAlloc - 1
        var lastAlloc = size > 0 ? md.allocMap.findLastSet(below: size) : size
        lastAlloc = md.allocMap.test(lastAlloc) ? lastAlloc + 1 : 0
        var sizes: [Int] = []
        var start = md.startOffset / minAlloc
        while start < lastAlloc {
            let end: Int
            if md.allocMap.test(start) {
                end = md.boundMap.findNextSet(from: start + 1, limit: lastAlloc)
                sizes.append((end - start) * minAlloc)
            } else {
                end = md.allocMap.findNextSet(from: start + 1, limit: lastAlloc)
                sizes.append(-(end - start) * minAlloc)
            }
            start = end
        }
        var sumFrag = 0, maxFrag = 0
        var curMin = 0, curMed = 0, curMax = 0
        if !sizes.isEmpty {
            sizes.sort()
            var i = 0
            while i < sizes.count && sizes[i] < 0 {
                sumFrag -= sizes[i]
                maxFrag = max(maxFrag, -sizes[i])
                i += 1
            }
            // With no allocation at all the kernel reads one past the fragments.
            curMin = i < sizes.count ? sizes[i] : 0
            curMed = sizes[(i + sizes.count - 1) / 2]
            curMax = sizes[sizes.count - 1]
        }
        var out = ""
        out += statsLine("nr_alloc", Int64(chunk.nrAlloc))
        out += statsLine("max_alloc_size", Int64(chunk.maxAllocSize))
        out += statsLine("empty_pop_pages", Int64(md.nrEmptyPopPages))
        out += statsLine("first_bit", Int64(md.chunkMD.firstFree))
        out += statsLine("free_bytes", Int64(md.freeBytes))
        out += statsLine("contig_bytes", Int64(md.chunkMD.contigHint * minAlloc))
        out += statsLine("sum_frag", Int64(sumFrag))
        out += statsLine("max_frag", Int64(maxFrag))
        out += statsLine("cur_min_alloc", Int64(curMin))
        out += statsLine("cur_med_alloc", Int64(curMed))
        out += statsLine("cur_max_alloc", Int64(curMax))
        out += "\n"
        return out
    }
}

/// `seq_printf(m, "  %-20s: %12lld\n", X, (long long int)Y)`.
func statsLine(_ label: String, _ value: Int64) -> String {
    "  " + rightPad(label, 20) + ": " + leftPad(String(value), 12) + "\n"
}

/// `seq_printf(m, "  %-20s: %12llu\n", #X, (unsigned long long)pcpu_stats.X)`.
func statsLine(_ label: String, unsigned value: UInt64) -> String {
    "  " + rightPad(label, 20) + ": " + leftPad(String(value), 12) + "\n"
}

func rightPad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
}

func leftPad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
}
