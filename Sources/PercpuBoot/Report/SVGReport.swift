/// `--format svg`: a self-contained picture of the per-CPU layout.
///
/// Three parts, top to bottom:
/// (a) the first chunk: one unit drawn large and split into static /
///     reserved / dynamic / free tail, then each group as a band of units
///     labelled with their CPU (or "empty"), coloured by node;
/// (b) where the units lie: each group's area on an axis of the RAM ranges
///     (embed, UP), or every page of the page chunk on that axis plus the
///     chunk's place in the vmalloc space;
/// (c) `max_distance` against 3/4 of `VMALLOC_TOTAL`.
///
/// The size is bounded whatever the machine: at most `maxGroupsShown`
/// groups and `maxUnitsShown` units per group are drawn (the rest elided with
/// a count), RAM ranges are bucketed, and markers are merged per pixel, so an
/// 8192-CPU / 1024-node boot gives a file of the same order as an 8-CPU one.
public enum SVGReport {
    static let width = 1000.0
    static let margin = 20.0
    static var contentWidth: Double { width - 2 * margin }
    static let maxGroupsShown = 24
    static let maxUnitsShown = 16
    static let labelWidth = 150.0

    public static func render(_ result: BootResult) -> String {
        let facts = ReportFacts(result)
        var canvas = SVGCanvas(width: width)
        var y = 26.0
        let profile = result.profile
        let title = "pcpu-boot: \(result.platform.name) - \(facts.archDescription), kernel \(profile.kernel.description)"
        canvas.text(margin, y, SVGCanvas.fit(title, width: contentWidth, size: 13) ?? "", size: 13, bold: true)
        y += 17
        let panicked = result.outcome != .booted
        canvas.text(margin, y, SVGCanvas.fit("first chunk: \(facts.firstChunkKind); \(facts.outcome)", width: contentWidth) ?? "",
                    bold: panicked, fill: panicked ? "#c00000" : "#222222")
        if !result.platform.description.isEmpty {
            y += 15
            canvas.text(margin, y, SVGCanvas.fit(result.platform.description, width: contentWidth) ?? "", fill: "#555555")
        }
        y += 14
        if result.allocInfo == nil {
            y += 18
            canvas.text(margin, y, "No first chunk was set up: \(facts.outcome)", size: 12)
            y += 10
        } else {
            y = unitSection(facts, &canvas, y: y)
            y = placementSection(facts, &canvas, y: y)
        }
        y = maxDistanceSection(facts, &canvas, y: y)
        return canvas.document(height: y + margin, title: title)
    }

    static func heading(_ text: String, _ canvas: inout SVGCanvas, y: Double) -> Double {
        canvas.text(margin, y + 22, SVGCanvas.fit(text, width: contentWidth, size: 12) ?? "", size: 12, bold: true)
        return y + 30
    }

    /// The indices to draw out of `count`, with `nil` where an elision marker goes:
    /// all when `count <= limit`, else the first `limit - tail - 1`, a gap, the last `tail`.
    static func shownIndices(_ count: Int, limit: Int, tail: Int) -> [Int?] {
        guard count > limit else { return Array(0..<count) }
        let head = limit - tail - 1
        return Array(0..<head) + [nil] + Array(count - tail ..< count)
    }

    // MARK: - (a) units and groups

    static func unitSection(_ facts: ReportFacts, _ canvas: inout SVGCanvas, y start: Double) -> Double {
        guard let ai = facts.result.allocInfo else { return start }
        let pages = facts.pagesPerCPU ?? 0
        var y = heading("(a) First chunk: \(ai.groups.count) group\(ai.groups.count == 1 ? "" : "s"), \(ai.nrUnits) unit\(ai.nrUnits == 1 ? "" : "s")"
                        + " of \(ReportFormat.bytes(ai.unitSize)) (\(pages) pages); offsets within a unit", &canvas, y: start)
        y = unitAnatomy(facts, &canvas, y: y)

        let indices = shownIndices(facts.groups.count, limit: maxGroupsShown, tail: 3)
        for index in indices {
            guard let index else {
                let shown = indices.compactMap { $0 }
                let hidden = facts.groups.count - shown.count
                let units = ai.nrUnits - shown.reduce(0) { $0 + facts.groups[$1].nrUnits }
                canvas.text(margin + labelWidth, y + 14, "... \(hidden) more groups (\(units) units) not drawn ...",
                            fill: "#555555")
                y += 22
                continue
            }
            y = groupBand(facts.groups[index], unitSize: ai.unitSize, facts: facts, &canvas, y: y)
        }
        return y
    }

    /// One unit at full width, split into its regions, with their offsets below.
    static func unitAnatomy(_ facts: ReportFacts, _ canvas: inout SVGCanvas, y start: Double) -> Double {
        guard let unitSize = facts.result.allocInfo?.unitSize, unitSize > 0 else { return start }
        let w = contentWidth
        let scale = { (offset: UInt64) in margin + Double(offset) / Double(unitSize) * w }
        var lastLabelEnd = -1.0
        for segment in facts.unitLayout {
            let x = scale(segment.offset)
            let segmentWidth = max(segment.size > 0 ? 1.5 : 0, scale(segment.offset &+ segment.size) - x)
            canvas.rect(x, start, segmentWidth, 26, fill: SVGCanvas.segmentColors[segment.name] ?? "#cccccc",
                        stroke: "#333333", tooltip: "\(segment.name): offset \(ReportFormat.hex(segment.offset)),"
                            + " \(segment.size) bytes")
            let full = "\(segment.name) \(ReportFormat.size(segment.size))"
            let fitsFull = full.count <= Int((segmentWidth - 6) / 6.6)
            if let label = fitsFull ? full : SVGCanvas.fit(segment.name, width: segmentWidth - 6) {
                canvas.text(x + segmentWidth / 2, start + 17, label, anchor: .middle,
                            fill: segment.name == "free tail" ? "#222222" : "#ffffff")
            }
            if segment.size > 0 || segment.name != "free tail", x >= lastLabelEnd {
                let tick = ReportFormat.hex(segment.offset)
                canvas.line(x, start + 26, x, start + 32)
                canvas.text(x, start + 43, tick, size: 9)
                lastLabelEnd = x + Double(tick.count) * 5.6 + 6
            }
        }
        let end = ReportFormat.hex(unitSize)
        canvas.text(margin + w, start + 43, end, size: 9, anchor: .end)
        // Legend.
        var x = margin
        for name in ["static", "reserved", "dynamic", "free tail"] {
            canvas.rect(x, start + 52, 10, 10, fill: SVGCanvas.segmentColors[name] ?? "#cccccc", stroke: "#333333")
            canvas.text(x + 14, start + 61, name, size: 10)
            x += 110
        }
        canvas.text(x, start + 61, "empty unit: dashed", size: 10, fill: "#555555")
        return start + 72
    }

    /// A group as a band: its label, then its units (elided past `maxUnitsShown`).
    static func groupBand(_ group: ReportFacts.Group, unitSize: UInt64, facts: ReportFacts,
                          _ canvas: inout SVGCanvas, y: Double) -> Double {
        let height = 44.0
        let node = group.nodes.count == 1 ? group.nodes[0] : -1
        canvas.rect(margin, y, contentWidth, height, fill: SVGCanvas.nodeColor(node, lightness: 0.9),
                    stroke: SVGCanvas.nodeColor(node, lightness: 0.45))
        canvas.text(margin + 6, y + 17, "group \(group.index)", bold: true)
        let nodes = group.nodes.count == 1 ? "node \(group.nodes[0])" : "nodes \(ReportFormat.list(group.nodes))"
        canvas.text(margin + 6, y + 33, SVGCanvas.fit("\(nodes) +\(ReportFormat.hex(group.baseOffset))",
                                                      width: labelWidth - 8, size: 10) ?? "", size: 10)

        guard let info = facts.result.allocInfo?.groups[group.index] else { return y + height + 6 }
        let indices = shownIndices(info.cpuMap.count, limit: maxUnitsShown, tail: 2)
        let area = contentWidth - labelWidth - 6
        let slot = min(area / Double(max(indices.count, 1)), 110)
        var x = margin + labelWidth
        for index in indices {
            defer { x += slot }
            guard let index else {
                canvas.text(x + slot / 2, y + 26, "+\(info.cpuMap.count - indices.count + 1)", size: 10, anchor: .middle)
                continue
            }
            let cpu = info.cpuMap[index]
            let empty = cpu == facts.result.allocInfo?.emptyUnit
            let offset = group.baseOffset &+ UInt64(index) &* unitSize
            let cpuNode = empty ? -1 : facts.result.topology?.node(ofCPU: cpu) ?? -1
            canvas.rect(x + 2, y + 4, slot - 4, height - 8, fill: empty ? "#f2f2f2" : "#ffffff",
                        stroke: SVGCanvas.nodeColor(cpuNode, lightness: 0.4),
                        tooltip: (empty ? "empty unit" : "CPU \(cpu) (node \(cpuNode))")
                            + ", unit offset \(ReportFormat.hex(offset))", dashed: empty)
            let label = empty ? "empty" : "CPU \(cpu)"
            if let text = SVGCanvas.fit(label, width: slot - 6, size: 10) ?? SVGCanvas.fit(empty ? "-" : "\(cpu)", width: slot - 4, size: 10) {
                canvas.text(x + slot / 2, y + 19, text, size: 10, anchor: .middle)
            }
            if !empty { miniSegments(facts, &canvas, x: x + 4, y: y + 25, width: slot - 8, unitSize: unitSize) }
        }
        return y + height + 6
    }

    /// A unit's regions as a thin stacked bar.
    static func miniSegments(_ facts: ReportFacts, _ canvas: inout SVGCanvas, x: Double, y: Double, width: Double,
                             unitSize: UInt64) {
        guard unitSize > 0, width > 2 else { return }
        for segment in facts.unitLayout where segment.size > 0 {
            let sx = x + Double(segment.offset) / Double(unitSize) * width
            let sw = max(1, Double(segment.size) / Double(unitSize) * width)
            canvas.rect(sx, y, sw, 9, fill: SVGCanvas.segmentColors[segment.name] ?? "#cccccc")
        }
    }
}
