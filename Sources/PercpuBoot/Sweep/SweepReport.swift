import KernelSupport

/// `sweep --format text|csv|svg`: a sweep's points and where the outcome changes.
public enum SweepReport {
    /// How a value of `parameter` is written: sizes and distances in hex, counts in decimal.
    static func show(_ value: SweepValue, _ parameter: SweepParameter) -> String {
        if parameter == .nodeSpacing, let n = value.number { return Printk.hexAlt(n) }
        return value.description
    }

    static func hex(_ v: UInt64?) -> String { v.map(Printk.hexAlt) ?? "-" }
    static func num<T>(_ v: T?) -> String { v.map { "\($0)" } ?? "-" }

    static func heading(_ result: SweepResult) -> String {
        let p = result.platform
        let bisected = result.points.filter(\.bisection).count
        return "sweep \(result.parameter.rawValue) of \(p.name) (\(p.arch.rawValue), kernel \(p.kernel.description)): "
            + "\(result.points.count - bisected) steps + \(bisected) bisection boots"
    }

    public static func text(_ result: SweepResult) -> String {
        var table = TextTable([
            .init(result.parameter.rawValue, .right), .init("first chunk"), .init("pages/cpu", .right),
            .init("units/alloc", .right), .init("groups", .right), .init("max_distance", .right),
            .init("limit (3/4 VMALLOC_TOTAL)", .right), .init("status"),
        ])
        // The evenly spaced steps and the two sides of each change; the CSV has every bisection boot.
        let sides = Set(result.transitions.flatMap { [$0.before.value, $0.after.value] })
        for point in result.points where !point.bisection || sides.contains(point.value) {
            let o = point.outcome
            let within = o.withinLimit.map { $0 ? "" : " (over)" } ?? ""
            table.append([(point.bisection ? "* " : "") + show(point.value, result.parameter), o.firstChunk,
                       num(o.pagesPerCPU), num(o.unitsPerAlloc), num(o.groups), hex(o.maxDistance) + within,
                       hex(o.limit), o.status + (o.status == "booted" ? "" : o.note.map { ": " + $0 } ?? "")])
        }
        var out = heading(result) + "\n" + table.render()
        if result.points.contains(where: \.bisection) { out += "(* found by bisection; --format csv lists every boot)\n" }
        out += "\n"
        if result.transitions.isEmpty {
            out += "The outcome does not change over this range.\n"
        }
        for t in result.transitions {
            let a = show(t.before.value, result.parameter), b = show(t.after.value, result.parameter)
            out += (t.exact ? "between \(a) and \(b): " : "somewhere between \(a) and \(b) (not bisected): ")
                + t.changes.joined(separator: "; ") + "\n"
        }
        return out
    }

    public static func csv(_ result: SweepResult) -> String {
        var out = "\(result.parameter.rawValue),bisection,status,first_chunk,pages_per_cpu,units_per_alloc,groups,"
            + "max_distance,limit,within_limit,embed_failure,note\n"
        for point in result.points {
            let o = point.outcome
            let note = (o.note ?? "").split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"")
            out += [point.value.description, point.bisection ? "1" : "0", o.status, o.firstChunk, num(o.pagesPerCPU),
                    num(o.unitsPerAlloc), num(o.groups), num(o.maxDistance), num(o.limit),
                    o.withinLimit.map { $0 ? "1" : "0" } ?? "", num(o.embedFailure), "\"\(note)\""]
                .map { $0 == "-" ? "" : $0 }.joined(separator: ",") + "\n"
        }
        return out
    }
}
