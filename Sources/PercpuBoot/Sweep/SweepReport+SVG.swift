import KernelSupport

extension SweepReport {
    static let kindColors: [String: String] = ["embed": "#4e79a7", "page": "#f28e2b", "up": "#59a14f", "none": "#bbbbbb"]

    /// `--format svg`: `max_distance` (dots, coloured by first chunk) against
    /// the limit (dashed) over the swept values, and the transitions as
    /// vertical lines; with no `max_distance` at all, pages per CPU instead.
    public static func svg(_ result: SweepResult) -> String {
        let width = 900.0, left = 110.0, right = 30.0, top = 50.0, plotHeight = 300.0
        var canvas = SVGCanvas(width: width)
        let plotWidth = width - left - right
        canvas.text(20, 24, SVGCanvas.fit(heading(result), width: width - 40, size: 13) ?? "", size: 13, bold: true)
        let points = result.points
        let numeric = result.parameter.isNumeric
        // x: the value (numeric) or the position (discrete).
        let xs: [Double] = numeric ? points.map { Double($0.value.number ?? 0) } : points.indices.map(Double.init)
        let xMin = xs.min() ?? 0, xMax = xs.max() ?? 1
        func x(_ v: Double) -> Double { left + (xMax > xMin ? (v - xMin) / (xMax - xMin) : 0.5) * plotWidth }
        let usesDistance = points.contains { $0.outcome.maxDistance != nil }
        let ys: [Double?] = points.map {
            usesDistance ? $0.outcome.maxDistance.map(Double.init) : $0.outcome.pagesPerCPU.map(Double.init)
        }
        let limits = points.compactMap(\.outcome.limit).map(Double.init)
        let yMax = max((ys.compactMap { $0 } + (usesDistance ? limits : [])).max() ?? 1, 1) * 1.05
        func y(_ v: Double) -> Double { top + plotHeight - v / yMax * plotHeight }
        // Axes and labels.
        canvas.line(left, top, left, top + plotHeight)
        canvas.line(left, top + plotHeight, left + plotWidth, top + plotHeight)
        let yLabel = usesDistance ? "max_distance" : "pages/cpu"
        canvas.text(left - 8, top - 8, yLabel, anchor: .end, bold: true)
        canvas.text(left - 8, y(yMax / 1.05) + 4, usesDistance ? Printk.hexAlt(UInt64(yMax / 1.05)) : "\(Int(yMax / 1.05))",
                    size: 10, anchor: .end)
        canvas.text(left - 8, top + plotHeight + 4, "0", size: 10, anchor: .end)
        canvas.text(left + plotWidth / 2, top + plotHeight + 38, result.parameter.rawValue, anchor: .middle, bold: true)
        if numeric, let first = points.first, let last = points.last {
            canvas.text(left, top + plotHeight + 18, show(first.value, result.parameter), size: 10, anchor: .start)
            canvas.text(left + plotWidth, top + plotHeight + 18, show(last.value, result.parameter), size: 10, anchor: .end)
        } else {
            for (i, point) in points.enumerated() {
                canvas.text(x(Double(i)), top + plotHeight + 18, show(point.value, result.parameter), size: 10, anchor: .middle)
            }
        }
        // The limit, where it is the same everywhere; else per point.
        if usesDistance, let limit = limits.first {
            if limits.allSatisfy({ $0 == limit }) {
                canvas.line(left, y(limit), left + plotWidth, y(limit), stroke: "#c00000", dashed: true)
                canvas.text(left + plotWidth, y(limit) - 4, "VMALLOC_TOTAL*3/4 = \(Printk.hexAlt(UInt64(limit)))",
                            size: 10, anchor: .end, fill: "#c00000")
            } else {
                for (point, px) in zip(points, xs) {
                    guard let l = point.outcome.limit else { continue }
                    canvas.rect(x(px) - 4, y(Double(l)) - 1, 8, 2, fill: "#c00000")
                }
            }
        }
        for t in result.transitions {
            let a = numeric ? Double(t.before.value.number ?? 0) : Double(points.firstIndex(of: t.before) ?? 0)
            let b = numeric ? Double(t.after.value.number ?? 0) : Double(points.firstIndex(of: t.after) ?? 0)
            let tx = x((a + b) / 2)
            canvas.line(tx, top, tx, top + plotHeight, stroke: "#888888", dashed: true)
            canvas.text(tx + 3, top + 12, SVGCanvas.fit(t.changes.first ?? "", width: 260, size: 10) ?? "", size: 10,
                        fill: "#555555")
        }
        for (i, point) in points.enumerated() {
            let color = point.outcome.status == "invalid" ? "#dddddd" : kindColors[point.outcome.firstChunk] ?? "#bbbbbb"
            let tip = "\(result.parameter.rawValue) \(show(point.value, result.parameter)): \(point.outcome.firstChunk), "
                + "\(yLabel) \(ys[i].map { usesDistance ? Printk.hexAlt(UInt64($0)) : "\(Int($0))" } ?? "-")"
            canvas.rect(x(xs[i]) - 3, y(ys[i] ?? 0) - 3, 6, 6, fill: color, stroke: "#333333", tooltip: tip)
        }
        // Legend.
        var lx = left
        for kind in ["embed", "page", "up", "none"] where points.contains(where: { $0.outcome.firstChunk == kind }) {
            canvas.rect(lx, top + plotHeight + 50, 10, 10, fill: kindColors[kind]!)
            canvas.text(lx + 14, top + plotHeight + 59, kind, size: 10)
            lx += 70
        }
        return canvas.document(height: top + plotHeight + 80, title: heading(result))
    }
}
