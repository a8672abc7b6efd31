/// Reports of the allocator state after a replay: text (chunks by slot,
/// hints, fragmentation, vmalloc placement, /proc/meminfo's `Percpu:`), JSON
/// and SVG (each chunk's allocation map and populated pages).
import Foundation
import KernelSupport
import PercpuChunk

extension PcpuAllocator {
    /// `pcpu_nr_pages()`: populated pages over all units, the `Percpu:` of
    /// /proc/meminfo (`pcpu_nr_populated * pcpu_nr_units`).
    public var pcpuNrPages: Int { nrPopulated * geometry.nrUnits }

    /// `show_val_kb(m, "Percpu:         ", pcpu_nr_pages())`: "%8lu kB".
    public var meminfoPercpuLine: String {
        let kb = UInt64(pcpuNrPages) * geometry.pageSize / 1024
        return "Percpu:         " + leftPad(String(kb), 8) + " kB"
    }

    /// Chunks in slot-list order (reserved chunk first), with their slot.
    public var chunksInListOrder: [(slot: Int?, id: Int)] {
        var out: [(slot: Int?, id: Int)] = []
        if let r = reservedChunk { out.append((nil, r)) }
        for slot in 0 ..< slots.nrSlots { for id in lists.entries(slot) { out.append((slot, id)) } }
        return out
    }

    /// Free bytes lost to fragmentation: free space outside the largest free area.
    func fragmentation(_ chunk: PcpuChunk) -> (freeRuns: Int, largest: Int) {
        let runs = chunk.allocMap.clearRuns(from: 0, limit: chunk.regionBits)
        return (runs.count, (runs.map(\.count).max() ?? 0) * Int(PcpuConstants.minAllocSize))
    }

    func slotName(_ slot: Int?) -> String {
        guard let slot else { return "reserved (no slot)" }
        if slot == slots.sidelined { return "\(slot) (sidelined)" }
        if slot == slots.free { return "\(slot) (free)" }
        if slot == slots.toDepopulate { return "\(slot) (to_depopulate)" }
        return "\(slot)"
    }
}

public enum PcpuAllocTextReport {
    public static func render(_ a: PcpuAllocator) -> String {
        let g = a.geometry
        var out = "Dynamic per-CPU allocator (\(g.backend == .vm ? "percpu-vm" : "percpu-km"))\n"
        out += "  unit size \(g.unitSize) (\(g.unitPages) pages), \(g.nrUnits) units in \(g.nrGroups) groups, atom \(g.atomSize)\n"
        out += "  slots: \(a.slots.nrSlots) (sidelined \(a.slots.sidelined), free \(a.slots.free), to_depopulate \(a.slots.toDepopulate))\n"
        out += "  pcpu_nr_empty_pop_pages \(a.nrEmptyPopPages), pcpu_nr_populated \(a.nrPopulated)\n"
        out += "  " + a.meminfoPercpuLine + "   (/proc/meminfo: \(a.nrPopulated) pages x \(g.nrUnits) units)\n"
        let s = a.stats
        out += "  calls: \(s.nrAlloc) allocations, \(s.nrDealloc) frees, \(s.nrCurAlloc) live; \(s.nrChunks) chunks (max \(s.nrMaxChunks))\n"
        if a.memcgChargedBytes != 0 {
            out += "  memcg: \(a.memcgChargedBytes) bytes charged by __GFP_ACCOUNT areas (if their callers are not in the root cgroup)\n"
        }
        if a.observed.records != 0 {
            let o = a.observed
            out += "  tracepoints: \(o.records) records (\(o.skippedLines) unreadable lines); \(o.unobservedFrees) frees of areas "
                + "allocated before tracing, \(o.conflicts) placements that overlapped, \(o.unknownChunks) unknown chunks\n"
            out += "  (allocations made before tracing started are not shown; populated pages are a lower bound)\n"
        }
        let w = a.workloadSummary
        if w.allocations + w.failedAllocations + w.frees + w.balanceRuns != 0 {
            out += "  workload: \(w.allocations) allocated, \(w.failedAllocations) failed, \(w.frees) freed, \(w.balanceRuns) balance runs\n"
        }
        for warning in a.warnings { out += "  " + warning + "\n" }
        out += "\nChunks by slot:\n"
        for (slot, id) in a.chunksInListOrder {
            guard let chunk = a.chunk(id) else { continue }
            let c = chunk.md, m = c.chunkMD
            var role = id == a.firstChunk ? " first chunk" : ""
            if id == a.reservedChunk { role = " reserved chunk" }
            out += "  slot \(a.slotName(slot)):\(role) base 0x\(Printk.hex(c.baseAddr))\(chunk.isolated ? " isolated" : "")\n"
            out += "    pages \(c.nrPages), populated \(c.nrPopulated), empty populated \(c.nrEmptyPopPages); free \(c.freeBytes) of "
                + "\(c.regionBits * 4 - c.startOffset - c.endOffset) bytes\n"
            let frag = a.fragmentation(c)
            out += "    contig hint \(m.contigHint * 4) bytes at \(m.contigHintStart * 4), scan hint \(m.scanHint * 4) at "
                + "\(m.scanHintStart * 4), first free \(m.firstFree * 4); \(frag.freeRuns) free runs, largest \(frag.largest) bytes\n"
            if !chunk.vmAreas.isEmpty {
                let areas = chunk.vmAreas.map { "0x\(Printk.hex($0.start))-0x\(Printk.hex($0.end))" }
                out += "    vmalloc: " + areas.joined(separator: ", ") + "\n"
            }
        }
        if g.backend == .vm {
            var probe = a
            probe.recordEvents = false
            if let next = probe.pcpuGetVmAreas() {
                out += "\nNext chunk (pcpu_get_vm_areas): base 0x\(Printk.hex(next))\n"
            } else {
                out += "\nNext chunk: no room in the vmalloc space (pcpu_alloc: \"failed to allocate new chunk\")\n"
            }
        }
        return out
    }
}

public enum PcpuAllocJSONReport {
    struct Chunk: Encodable {
        var slot: Int?
        var role: String
        var baseAddr: String
        var nrPages, nrPopulated, nrEmptyPopPages, freeBytes: Int
        var startOffset, endOffset: Int
        var isolated: Bool
        var contigHint, contigHintStart, scanHint, scanHintStart, firstFree, leftFree, rightFree: Int
        var populatedPages: [Int]
        var vmAreas: [[String]]
        /// Allocated areas as [byte offset, size].
        var areas: [[Int]]
    }
    struct Report: Encodable {
        var backend: String
        var unitSize, nrUnits, nrSlots: Int
        var nrEmptyPopPages, nrPopulated: Int
        var meminfoPercpuKB: UInt64
        var memcgChargedBytes: Int
        var nrAlloc, nrDealloc, nrCurAlloc: UInt64
        var chunks: [Chunk]
        var events: Int
        var warnings: [String]
    }

    public static func render(_ a: PcpuAllocator) -> String {
        let chunks = a.chunksInListOrder.compactMap { (slot, id) -> Chunk? in
            guard let chunk = a.chunk(id) else { return nil }
            let c = chunk.md, m = c.chunkMD
            return Chunk(slot: slot, role: id == a.firstChunk ? "first" : id == a.reservedChunk ? "reserved" : "dynamic",
                         baseAddr: "0x" + Printk.hex(c.baseAddr), nrPages: c.nrPages, nrPopulated: c.nrPopulated,
                         nrEmptyPopPages: c.nrEmptyPopPages, freeBytes: c.freeBytes, startOffset: c.startOffset,
                         endOffset: c.endOffset, isolated: chunk.isolated, contigHint: m.contigHint,
                         contigHintStart: m.contigHintStart, scanHint: m.scanHint, scanHintStart: m.scanHintStart,
                         firstFree: m.firstFree, leftFree: m.leftFree, rightFree: m.rightFree,
                         populatedPages: (0 ..< c.nrPages).filter { c.populated.test($0) },
                         vmAreas: chunk.vmAreas.map { ["0x" + Printk.hex($0.start), "0x" + Printk.hex($0.end)] },
                         areas: areas(c))
        }
        let report = Report(backend: a.geometry.backend.rawValue, unitSize: a.geometry.unitSize, nrUnits: a.geometry.nrUnits,
                            nrSlots: a.slots.nrSlots, nrEmptyPopPages: a.nrEmptyPopPages, nrPopulated: a.nrPopulated,
                            meminfoPercpuKB: UInt64(a.pcpuNrPages) * a.geometry.pageSize / 1024,
                            memcgChargedBytes: a.memcgChargedBytes, nrAlloc: a.stats.nrAlloc, nrDealloc: a.stats.nrDealloc,
                            nrCurAlloc: a.stats.nrCurAlloc, chunks: chunks, events: a.events.count + a.eventsNotKept, warnings: a.warnings)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        guard let data = try? encoder.encode(report) else { return "{}\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// The allocated areas inside the served region, from alloc_map and bound_map.
    static func areas(_ c: PcpuChunk) -> [[Int]] {
        var out: [[Int]] = []
        let first = c.startOffset / 4, last = c.regionBits - c.endOffset / 4
        var bit = c.allocMap.findNextSet(from: first, limit: last)
        while bit < last {
            let end = min(c.boundMap.findNextSet(from: bit + 1, limit: c.regionBits), last)
            out.append([bit * 4, (end - bit) * 4])
            bit = c.allocMap.findNextSet(from: end, limit: last)
        }
        return out
    }
}

public enum PcpuAllocSVGReport {
    /// One row per chunk: a strip per page, allocated bytes dark, free light,
    /// unpopulated pages hatched grey, hidden head/tail of the first chunk black.
    public static func render(_ a: PcpuAllocator) -> String {
        let rows = a.chunksInListOrder.compactMap { entry in a.chunk(entry.id).map { (entry.slot, entry.id, $0) } }
        let pageWidth = 24.0, rowHeight = 28.0, left = 260.0
        let maxPages = rows.map(\.2.md.nrPages).max() ?? 1
        let width = left + Double(maxPages) * pageWidth + 20
        let height = Double(rows.count) * (rowHeight + 10) + 50
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"monospace\" font-size=\"11\">\n"
        svg += "<text x=\"10\" y=\"20\">per-CPU chunks: \(a.meminfoPercpuLine)</text>\n"
        for (index, (slot, id, chunk)) in rows.enumerated() {
            let c = chunk.md
            let y = 40 + Double(index) * (rowHeight + 10)
            let role = id == a.firstChunk ? "first" : id == a.reservedChunk ? "reserved" : "dynamic"
            svg += "<text x=\"10\" y=\"\(y + 17)\">slot \(a.slotName(slot)) \(role) 0x\(Printk.hex(c.baseAddr))</text>\n"
            let bpb = c.bitsPerBlock
            for page in 0 ..< c.nrPages {
                let x = left + Double(page) * pageWidth
                let populated = c.populated.test(page)
                svg += "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(pageWidth - 1)\" height=\"\(rowHeight)\" fill=\"\(populated ? "#e8f4e8" : "#cccccc")\"/>\n"
                // allocated fraction of the page as a bar
                let used = bpb - c.allocMap.clearRuns(from: page * bpb, limit: (page + 1) * bpb).reduce(0) { $0 + $1.count }
                let h = rowHeight * Double(used) / Double(bpb)
                if used > 0 {
                    svg += "<rect x=\"\(x)\" y=\"\(y + rowHeight - h)\" width=\"\(pageWidth - 1)\" height=\"\(h)\" fill=\"#3b6ea5\"/>\n"
                }
            }
        }
        svg += "</svg>\n"
        return svg
    }
}
