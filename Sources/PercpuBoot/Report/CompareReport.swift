import KernelSupport

/// `compare`: several boots side by side, one column per platform and one row
/// per fact, with `*` in the first column where the platforms differ.
///
/// The facts are the ones that decide a per-CPU layout (topology, first-chunk
/// kind, sizes, groups, max_distance, outcome) followed by every `percpu:` and
/// `pcpu-alloc:` line the kernel printed, aligned by their order within each
/// prefix (`percpu: #1`, `pcpu-alloc: #2`, ...), so a changed line shows up
/// in the row where it differs.
public enum CompareReport {
    /// One row: a fact's name and its value on each platform (`-` where it does not apply).
    struct Row {
        var fact: String
        var values: [String]
        var differs: Bool { Set(values).count > 1 }
    }

    public static func render(_ results: [(String, BootResult)]) -> String {
        let rows = self.rows(results)
        var table = TextTable([.init(""), .init("fact")] + results.map { .init($0.0) })
        for row in rows { table.append([row.differs ? "*" : "", row.fact] + row.values) }
        let differing = rows.filter(\.differs).count
        return table.render() + "\n\(differing) of \(rows.count) facts differ (marked *)\n"
    }

    /// The fact rows, in display order.
    static func rows(_ results: [(String, BootResult)]) -> [Row] {
        let facts = results.map { ReportFacts($0.1) }
        let hex = ReportFormat.hex
        func row(_ name: String, _ value: (ReportFacts) -> String?) -> Row {
            Row(fact: name, values: facts.map { value($0) ?? "-" })
        }
        var rows: [Row] = [
            row("arch") { $0.archDescription },
            row("kernel") { $0.result.profile.kernel.description },
            row("page size") { String($0.result.profile.pageSize) },
            row("NR_CPUS") { String($0.result.profile.config.nrCpus) },
            row("CPUs") { $0.result.topology.map { String($0.possibleCPUs.count) } },
            row("nodes") { $0.result.topology.map { String($0.nodes.count) } },
            row("NUMA method") { $0.result.topology.map { $0.method.rawValue + ($0.numaOff ? " (numa_off)" : "") } },
            row("first chunk") { $0.firstChunkKind },
            row("pages/cpu") { $0.pagesPerCPU.map(String.init) },
            row("s/r/d/u") { $0.sizesSummary },
            row("atom") { $0.result.allocInfo.map { String($0.atomSize) } },
            row("alloc") { $0.result.allocInfo.map { String($0.allocSize) } },
            row("upa") { $0.result.allocInfo.map { String($0.unitsPerAlloc) } },
            row("groups") { $0.result.allocInfo.map { String($0.groups.count) } },
            row("units") { $0.result.allocInfo.map { String($0.nrUnits) } },
            row("wasted units") { $0.result.allocInfo == nil ? nil : String($0.wastedUnits) },
            row("max_distance") { $0.maxDistance.map(hex) },
            row("threshold") { $0.result.profile.config.mmu ? hex($0.result.maxDistanceThreshold) : nil },
            row("outcome") { $0.outcome },
        ]
        rows += logRows(results.map(\.1), prefixes: ["percpu: ", "pcpu-alloc: "])
        return rows
    }

    /// One row per `prefix` line index: the n-th line with that prefix on each platform.
    static func logRows(_ results: [BootResult], prefixes: [String]) -> [Row] {
        var rows: [Row] = []
        for prefix in prefixes {
            let perResult = results.map { result in
                result.log.lines.filter { $0.source == .kernel && $0.text.hasPrefix(prefix) }
                    .map { String($0.text.dropFirst(prefix.count)) }
            }
            let count = perResult.map(\.count).max() ?? 0
            for index in 0..<count {
                rows.append(Row(fact: "\(prefix.dropLast(2)) #\(index + 1)",
                                values: perResult.map { index < $0.count ? $0[index] : "-" }))
            }
        }
        return rows
    }
}
