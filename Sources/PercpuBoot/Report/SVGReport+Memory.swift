import Memblock

/// Parts (b) and (c) of the SVG: where the units lie in physical and vmalloc
/// memory, and max_distance against its limit.
extension SVGReport {
    /// At most this many RAM ranges are drawn; more are merged into buckets.
    static let maxRangesShown = 256

    /// A marker above the physical axis standing for `count` groups or pages in one pixel column.
    struct Mark {
        var width: Double
        var color: String
        /// The first item's description.
        var tooltip: String
        var label: String
        var count = 0
    }

    /// RAM as an axis with the holes between ranges removed. Each range gets
    /// half of its proportional share of the width plus an equal share, so
    /// small ranges stay visible; addresses inside a range map linearly.
    struct PhysicalAxis {
        struct Range {
            var base: UInt64
            var end: UInt64
            /// Node id, or -1 for no node / a bucket of several nodes.
            var node: Int
            var x: Double
            var width: Double
        }

        var ranges: [Range] = []

        init(_ regions: [MemblockRegion], maxNumNodes: Int, x: Double, width: Double) {
            // Merge contiguous regions of one node, then bucket down to maxRangesShown.
            var merged: [(base: UInt64, end: UInt64, node: Int)] = []
            for region in regions.sorted(by: { $0.base < $1.base }) where region.size > 0 {
                let node = region.nid >= 0 && region.nid < maxNumNodes ? region.nid : -1
                if let last = merged.last, last.end == region.base, last.node == node {
                    merged[merged.count - 1].end = region.end
                } else {
                    merged.append((region.base, region.end, node))
                }
            }
            if merged.count > SVGReport.maxRangesShown {
                let per = (merged.count + SVGReport.maxRangesShown - 1) / SVGReport.maxRangesShown
                merged = stride(from: 0, to: merged.count, by: per).map { start in
                    let slice = merged[start ..< min(start + per, merged.count)]
                    let node = slice.allSatisfy { $0.node == slice.first!.node } ? slice.first!.node : -1
                    return (slice.first!.base, slice.last!.end, node)
                }
            }
            guard !merged.isEmpty else { return }
            let gap = merged.count <= 32 ? 6.0 : 0
            let available = width - gap * Double(merged.count - 1)
            let total = merged.reduce(0.0) { $0 + Double($1.end - $1.base) }
            var cursor = x
            for range in merged {
                let share = 0.5 * Double(range.end - range.base) / total + 0.5 / Double(merged.count)
                ranges.append(Range(base: range.base, end: range.end, node: range.node, x: cursor, width: available * share))
                cursor += available * share + gap
            }
        }

        /// The x of a physical address, nil outside RAM.
        func x(of address: UInt64) -> Double? {
            var low = 0, high = ranges.count - 1
            while low <= high {
                let mid = (low + high) / 2
                let range = ranges[mid]
                if address < range.base { high = mid - 1 } else if address >= range.end { low = mid + 1 } else {
                    return range.x + Double(address - range.base) / Double(range.end - range.base) * range.width
                }
            }
            return nil
        }
    }

    // MARK: - (b) placement

    static func placementSection(_ facts: ReportFacts, _ canvas: inout SVGCanvas, y start: Double) -> Double {
        let result = facts.result
        let isPage = result.firstChunkKind == .page
        let title = isPage
            ? "(b) Physical memory: every page of the page first chunk (one mark per pixel, coloured by node)"
            : "(b) Physical memory: where each group's units lie (RAM ranges, holes removed, not to scale)"
        var y = heading(title, &canvas, y: start)
        let axis = PhysicalAxis(result.memblockMemory, maxNumNodes: result.profile.config.maxNumNodes,
                                x: margin, width: contentWidth)
        let axisY = y + 22
        // One mark per pixel column: (width, colour, first tooltip, label, how many items it stands for).
        var marks: [Int: Mark] = [:]
        var pagesOfNode: [Int: Int] = [:]
        if isPage {
            let unitCPU = unitCPUs(result)
            for (unit, pages) in result.unitPagesPhys.enumerated() {
                let cpu = unit < unitCPU.count ? unitCPU[unit] : -1
                let node = result.topology?.node(ofCPU: cpu) ?? -1
                let color = SVGCanvas.nodeColor(node, lightness: 0.35)
                pagesOfNode[node, default: 0] += Int(clamping: pages.count)
                // One mark per pixel column a run covers (a run of a million pages is a few columns).
                for run in pages.runs {
                    let span = run.span(pageSize: result.profile.pageSize)
                    guard let x0 = axis.x(of: span.start), let x1 = axis.x(of: span.end &- 1) else { continue }
                    let perColumn = Swift.max(1, Int(clamping: run.count) / Swift.max(1, Int(x1 - x0) + 1))
                    for x in Int(Swift.min(x0, x1))...Int(Swift.max(x0, x1)) {
                        marks[x, default: Mark(width: 2, color: color, tooltip: "unit \(unit) (CPU \(cpu)):"
                                               + " page \(ReportFormat.hex(run.first))", label: "")].count += perColumn
                    }
                }
            }
        } else {
            for group in facts.groups {
                guard let start = group.physStart, let x = axis.x(of: start) else { continue }
                let end = axis.x(of: start &+ max(group.areaSize, 1) &- 1) ?? x
                let node = group.nodes.count == 1 ? group.nodes[0] : -1
                var mark = marks[Int(x)] ?? Mark(width: 2, color: SVGCanvas.nodeColor(node, lightness: 0.35),
                                                 tooltip: "group \(group.index): \(ReportFormat.range(start, size: group.areaSize))"
                                                     + " (\(group.nrUnits) units)", label: "g\(group.index)")
                mark.width = max(mark.width, end - x)
                mark.count += 1
                marks[Int(x)] = mark
            }
        }
        for range in axis.ranges {
            canvas.rect(range.x, axisY, range.width, 18, fill: SVGCanvas.nodeColor(range.node),
                        stroke: range.width >= 4 ? "#555555" : nil,
                        tooltip: "\(range.node >= 0 ? "node \(range.node)" : "several nodes"):"
                            + " \(ReportFormat.range(range.base, size: range.end - range.base))")
            if let label = SVGCanvas.fit(range.node >= 0 ? "node \(range.node)" : "", width: range.width - 4, size: 10),
               !label.isEmpty {
                canvas.text(range.x + range.width / 2, axisY + 13, label, size: 10, anchor: .middle)
            }
            if range.width >= 80 {
                canvas.text(range.x, axisY + 30, ReportFormat.hex(range.base), size: 9)
            }
        }
        if let last = axis.ranges.last {
            canvas.text(last.x + last.width, axisY + 41, ReportFormat.hex(last.end), size: 9, anchor: .end)
        }
        let labelled = marks.count <= 16 && !isPage
        for (x, mark) in marks.sorted(by: { $0.key < $1.key }) {
            canvas.rect(Double(x), axisY - 14, mark.width, 14, fill: mark.color,
                        tooltip: mark.count > 1 ? mark.tooltip + " and \(mark.count - 1) more here" : mark.tooltip)
            if labelled && !mark.label.isEmpty {
                let label = mark.count > 1 ? mark.label + "+" : mark.label
                let nearEnd = Double(x) > margin + contentWidth - 30
                canvas.text(Double(x) + (nearEnd ? mark.width : 0), axisY - 17, label, size: 9, anchor: nearEnd ? .end : .start)
            }
        }
        y = axisY + 48
        if axis.ranges.isEmpty {
            canvas.text(margin, y, "no RAM ranges in memblock", fill: "#555555")
            y += 14
        }
        if isPage {
            let counts = pagesOfNode.sorted { $0.key < $1.key }
            let listed = counts.prefix(8).map { "node \($0.key): \($0.value)" }.joined(separator: ", ")
            let text = "\(counts.reduce(0) { $0 + $1.value }) pages, by the node of their CPU: \(listed)"
                + (counts.count > 8 ? ", ... (\(counts.count) nodes)" : "")
            canvas.text(margin, y + 8, SVGCanvas.fit(text, width: contentWidth, size: 10) ?? "", size: 10)
            y = vmallocPlacement(facts, &canvas, y: y + 14)
        }
        return y
    }

    /// The CPU of each unit, in unit order (-1 for an empty unit).
    static func unitCPUs(_ result: BootResult) -> [Int] {
        guard let ai = result.allocInfo else { return [] }
        return ai.groups.flatMap { $0.cpuMap.map { $0 == ai.emptyUnit ? -1 : $0 } }
    }

    /// The page first chunk in the vmalloc space: a full-width axis with its area marked.
    static func vmallocPlacement(_ facts: ReportFacts, _ canvas: inout SVGCanvas, y start: Double) -> Double {
        let result = facts.result
        let layout = result.profile.layout
        guard let base = result.setup?.baseAddr ?? result.baseAddr, let ai = result.allocInfo,
              layout.vmallocTotal > 0 else { return start }
        let size = UInt64(ai.nrUnits) &* ai.unitSize
        let y = start + 8
        canvas.text(margin, y + 10, "vmalloc space [\(ReportFormat.hex(layout.vmallocStart)),"
                    + " \(ReportFormat.hex(layout.vmallocEnd))): the first chunk is \(ai.nrUnits) units x"
                    + " \(ReportFormat.size(ai.unitSize)) = \(ReportFormat.size(size)) at \(ReportFormat.hex(base))", size: 10)
        canvas.rect(margin, y + 16, contentWidth, 14, fill: "#eeeeee", stroke: "#555555", tooltip: "vmalloc space")
        let fraction = Double(base &- layout.vmallocStart) / Double(layout.vmallocTotal)
        let x = margin + min(max(fraction, 0), 1) * contentWidth
        let w = max(3, Double(size) / Double(layout.vmallocTotal) * contentWidth)
        canvas.rect(x, y + 13, w, 20, fill: "#d62728",
                    tooltip: "first chunk \(ReportFormat.range(base, size: size))")
        canvas.text(margin, y + 42, "VMALLOC_START", size: 9)
        canvas.text(margin + contentWidth, y + 42, "VMALLOC_END", size: 9, anchor: .end)
        return y + 50
    }

    // MARK: - (c) max_distance

    static func maxDistanceSection(_ facts: ReportFacts, _ canvas: inout SVGCanvas, y start: Double) -> Double {
        let result = facts.result
        let total = result.profile.vmallocTotal
        let threshold = result.maxDistanceThreshold
        var y = heading("(c) max_distance vs 3/4 of VMALLOC_TOTAL (linear scale)", &canvas, y: start)
        guard total > 0 else {
            canvas.text(margin, y + 10, "no vmalloc space (nommu): nothing to compare", fill: "#555555")
            return y + 18
        }
        let distance = facts.maxDistance ?? 0
        let scaleMax = Double(max(total, distance))
        let barX = margin + labelWidth
        let barWidth = contentWidth - labelWidth
        let xOf = { (v: UInt64) in barX + Double(v) / scaleMax * barWidth }

        canvas.text(margin, y + 13, "VMALLOC_TOTAL", size: 10)
        canvas.rect(barX, y + 3, xOf(total) - barX, 14, fill: "#eeeeee", stroke: "#777777",
                    tooltip: "VMALLOC_TOTAL \(ReportFormat.hex(total))")
        canvas.line(xOf(threshold), y, xOf(threshold), y + 42, stroke: "#d62728", width: 1.5, dashed: true)
        canvas.text(xOf(threshold) - 4, y + 13, "3/4", size: 10, anchor: .end)
        y += 22
        canvas.text(margin, y + 13, "max_distance", size: 10)
        if let maxDistance = facts.maxDistance {
            let ok = maxDistance <= threshold
            canvas.rect(barX, y + 3, max(2, xOf(maxDistance) - barX), 14, fill: ok ? "#59a14f" : "#d62728",
                        tooltip: "max_distance \(ReportFormat.hex(maxDistance))")
        }
        y += 22
        canvas.text(margin, y + 12, "max_distance \(facts.maxDistance.map(ReportFormat.hex) ?? "-") vs VMALLOC_TOTAL*3/4"
                    + " \(ReportFormat.hex(threshold)) (VMALLOC_TOTAL \(ReportFormat.hex(total)))")
        y += 16
        canvas.text(margin, y + 12, SVGCanvas.fit(facts.maxDistanceVerdict, width: contentWidth) ?? "", bold: true,
                    fill: (facts.maxDistance ?? 0) > threshold ? "#c00000" : "#222222")
        return y + 18
    }
}
