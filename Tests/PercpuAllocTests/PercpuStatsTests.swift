import Testing
@testable import PercpuAlloc

/// The layout of /sys/kernel/debug/percpu_stats, from the format strings of
/// mm/percpu-stats.c (identical in 6.1, 6.8 and 6.12):
///   P(X, Y):  seq_printf(m, "  %-20s: %12lld\n", X, (long long int)Y)
///   PL(X):    seq_printf(m, "  %-20s: %12lld\n", #X, (long long int)pcpu_stats_ai.X)
///   PU(X):    seq_printf(m, "  %-20s: %12llu\n", #X, (unsigned long long)pcpu_stats.X)
/// headers "Percpu Memory Statistics\nAllocation Info:\n" + 40 dashes, "Global Stats:",
/// "Per Chunk Stats:", "Chunk: <- Reserved Chunk", "Chunk: <- First Chunk", "Chunk:".
@Suite struct PercpuStatsTests {
    @Test func oneValueLineIsPaddedAsPrintfDoes() {
        // "  " + "nr_alloc" left-justified in 20 + ": " + 5 right-justified in 12.
        #expect(statsLine("nr_alloc", 5) == "  nr_alloc            :            5\n")
        #expect(statsLine("sum_frag", -16) == "  sum_frag            :          -16\n")
        #expect(statsLine("min_alloc_size", unsigned: 18446744073709551615)
                == "  min_alloc_size      : 18446744073709551615\n")
    }

    @Test func theFileHasTheKernelsLayout() throws {
        var a = try TestAllocator.make()
        _ = a.pcpuAlloc(size: 8, align: 8, reserved: false, gfp: GFP.kernel)
        _ = a.pcpuAlloc(size: 24, align: 8, reserved: true, gfp: GFP.kernel)
        let lines = a.percpuStatsShow().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let dashes = String(repeating: "-", count: 40)
        let labelOrder = lines.compactMap { line -> String? in
            guard line.hasPrefix("  "), let colon = line.firstIndex(of: ":") else { return line }
            let label = String(line[line.index(line.startIndex, offsetBy: 2)..<colon])
            #expect(label.count == 20, "\(line)")
            #expect(line[line.index(after: colon)...].count == 13, "\(line)")      // " " + %12
            return label.trimmingCharacters(in: .whitespaces)
        }
        let chunkLabels = ["nr_alloc", "max_alloc_size", "empty_pop_pages", "first_bit", "free_bytes", "contig_bytes",
                           "sum_frag", "max_frag", "cur_min_alloc", "cur_med_alloc", "cur_max_alloc", ""]
        let expected = ["Percpu Memory Statistics", "Allocation Info:", dashes,
                        "unit_size", "static_size", "reserved_size", "dyn_size", "atom_size", "alloc_size", "",
                        "Global Stats:", dashes,
                        "nr_alloc", "nr_dealloc", "nr_cur_alloc", "nr_max_alloc", "nr_chunks", "nr_max_chunks",
                        "min_alloc_size", "max_alloc_size", "empty_pop_pages", "",
                        "Per Chunk Stats:", dashes, "Chunk: <- Reserved Chunk"] + chunkLabels
            + ["Chunk: <- First Chunk"] + chunkLabels + [""]
        #expect(labelOrder == expected)
        // Values worked by hand: unit 0x8000; min_alloc_size is 8 after the 8- and 24-byte areas.
        #expect(lines[3] == "  unit_size           :        32768")
        #expect(lines.contains("  min_alloc_size      :            8"))
        #expect(lines.contains("  max_alloc_size      :           24"))
        #expect(lines.contains("  nr_chunks           :            1"))
    }

    /// chunk_map_stats: fragments between the region start and the last allocation.
    @Test func fragmentationCountsTheHolesBeforeTheLastArea() throws {
        var a = try TestAllocator.make()
        let p = (0 ..< 3).map { _ in a.pcpuAlloc(size: 16, align: 16, reserved: false, gfp: GFP.kernel).ptr! }
        try a.freePercpu(p[1])
        let stats = a.chunkMapStats(a.chunks[a.firstChunk]!)
        // areas 16 and 16 with a 16-byte hole: sum_frag 16, max_frag 16, min/med/max 16.
        #expect(stats.contains("  sum_frag            :           16\n"))
        #expect(stats.contains("  max_frag            :           16\n"))
        #expect(stats.contains("  cur_med_alloc       :           16\n"))
        #expect(stats.contains("  nr_alloc            :            2\n"))
    }
}
