import KernelSupport
import PercpuChunk

/// The "First chunk" section of the text report: what `pcpu_build_alloc_info`
/// laid out, where each group went, whether `max_distance` fits, and the
/// reserved and dynamic chunks `pcpu_setup_first_chunk` built from it.
extension TextReport {
    static func firstChunk(_ facts: ReportFacts) -> String {
        let result = facts.result
        var out = heading("First chunk")
        guard let ai = result.allocInfo else { return out + "  \(facts.firstChunkKind)\n" }
        let hex = ReportFormat.hex
        let pageSize = result.profile.pageSize

        out += "  kind: \(facts.firstChunkKind)\n"
        out += "  <static | reserved | dynamic> = <\(ai.staticSize) | \(ai.reservedSize) | \(ai.dynSize)>\n\n"
        out += "  unit layout (offsets within each unit):\n"
        var layout = TextTable([.init("region"), .init("offset", .right), .init("end (excl.)", .right), .init("size", .right),
                                .init("")])
        for segment in facts.unitLayout {
            let note = segment.name == "free tail" && segment.size > 0
                ? (result.firstChunkKind == .embed ? "returned to memblock" : "unused") : ""
            layout.append([segment.name, hex(segment.offset), hex(segment.offset &+ segment.size),
                           ReportFormat.bytes(segment.size), note])
        }
        out += layout.render(indent: "    ")
        out += "\n"

        var list = KeyValueList()
        let pages = pageSize > 0 ? ai.unitSize / pageSize : 0
        list.append("unit size", "\(ReportFormat.bytes(ai.unitSize)), \(pages) pages")
        list.append("atom size", ReportFormat.bytes(ai.atomSize))
        list.append("alloc size", ReportFormat.bytes(ai.allocSize))
        list.append("units per alloc", String(ai.unitsPerAlloc))
        list.append("nr_units", "\(ai.nrUnits) in \(ai.groups.count) group\(ai.groups.count == 1 ? "" : "s")")
        list.append("wasted units", "\(facts.wastedUnits) (units with no CPU)")
        if let base = result.baseAddr ?? result.setup?.baseAddr { list.append("pcpu_base_addr", hex(base)) }
        list.append("pcpu_alloc_info", "\(ReportFormat.bytes(ai.aiSize)) at \(hex(ai.aiPhys))")
        out += list.render(indent: "  ")

        out += "\n  groups:\n" + groupTable(facts)
        out += "\n  max_distance:\n"
        var distance = KeyValueList()
        let attempt = result.firstChunkKind != .embed && facts.maxDistance != nil ? " (the failed embed attempt)" : ""
        distance.append("max_distance", facts.maxDistance.map { hex($0) + attempt } ?? "-")
        distance.append("VMALLOC_TOTAL*3/4", "\(hex(result.maxDistanceThreshold)) (VMALLOC_TOTAL \(hex(result.profile.vmallocTotal)))")
        distance.append("verdict", facts.maxDistanceVerdict)
        out += distance.render(indent: "    ")

        guard let setup = result.setup else { return out + "\n  chunks: not set up\n" }
        let chunks = setup.firstChunk
        if let reserved = chunks.reservedChunk {
            out += "\n" + chunk("reserved chunk (pcpu_reserved_chunk)", reserved, unitBase: setup.baseAddr, slot: nil)
        } else {
            out += "\n  reserved chunk: none (no reserved region)\n"
        }
        out += "\n" + chunk("dynamic chunk (pcpu_first_chunk)", chunks.dynamicChunk, unitBase: setup.baseAddr,
                            slot: chunks.dynamicChunkSlot)
        let slots = chunks.slots
        out += "\n  slots: sidelined \(slots.sidelined), free \(slots.free), to_depopulate \(slots.toDepopulate),"
            + " nr_slots \(slots.nrSlots)\n"
        out += "  pcpu_nr_empty_pop_pages \(chunks.nrEmptyPopPages), pcpu_nr_populated \(chunks.nrPopulated)\n"
        return out
    }

    /// One row per group: base offset, nodes, CPUs, units, wasted units, physical range.
    static func groupTable(_ facts: ReportFacts) -> String {
        let hex = ReportFormat.hex
        var table = TextTable([.init("group", .right), .init("base offset", .right), .init("nodes"), .init("CPUs"),
                               .init("units", .right), .init("wasted", .right), .init("physical")])
        for group in facts.groups {
            let physical: String
            if let start = group.physStart {
                physical = ReportFormat.range(start, size: group.areaSize)
            } else if facts.result.firstChunkKind == .page {
                physical = "page by page"
            } else {
                physical = "-"
            }
            table.append([String(group.index), hex(group.baseOffset), ReportFormat.list(group.nodes),
                          ReportFormat.list(group.cpus), String(group.nrUnits), String(group.wastedUnits), physical])
        }
        return table.render(indent: "    ")
    }

    /// A chunk's region, counters, hints and per-block metadata.
    /// - Parameter unitBase: `pcpu_base_addr`, to show offsets within a unit.
    /// - Parameter slot: the slot list it is on (nil: the reserved chunk, never on one).
    static func chunk(_ title: String, _ chunk: PcpuChunk, unitBase: UInt64, slot: Int?) -> String {
        let hex = ReportFormat.hex
        let minAlloc = Int(PcpuConstants.minAllocSize)
        let unitOffset = chunk.baseAddr &- unitBase
        let served = chunk.regionEnd &- chunk.regionStart
        let md = chunk.chunkMD
        var out = "  \(title):\n"
        var list = KeyValueList()
        list.append("base", "\(hex(chunk.baseAddr)) (unit offset \(hex(unitOffset)))")
        list.append("serves", "unit offsets [\(hex(unitOffset &+ UInt64(chunk.startOffset))), "
                    + "\(hex(unitOffset &+ UInt64(chunk.startOffset) &+ served))), \(ReportFormat.bytes(served))")
        list.append("start/end offset", "\(chunk.startOffset) / \(chunk.endOffset) (hidden, allocated)")
        list.append("pages", "\(chunk.nrPages) (populated \(chunk.nrPopulated))")
        list.append("free bytes", String(chunk.freeBytes))
        list.append("contig hint", "\(md.contigHint) bits = \(md.contigHint * minAlloc) bytes @ bit \(md.contigHintStart)"
                    + " (byte \(md.contigHintStart * minAlloc))")
        list.append("scan hint", "\(md.scanHint) bits @ bit \(md.scanHintStart)")
        list.append("left/right free", "\(md.leftFree) / \(md.rightFree) bits")
        list.append("first free", "bit \(md.firstFree) (byte \(md.firstFree * minAlloc))")
        list.append("nr_empty_pop_pages", String(chunk.nrEmptyPopPages))
        list.append("slot", slot.map(String.init) ?? "none (never on a slot list)")
        out += list.render(indent: "    ")
        out += "    blocks (bits of \(minAlloc) bytes, relative to the block):\n"
        var table = TextTable([.init("block", .right), .init("unit offset", .right), .init("contig@start", .right),
                               .init("scan@start", .right), .init("left", .right), .init("right", .right),
                               .init("first_free", .right)])
        for (index, block) in chunk.mdBlocks.enumerated() {
            table.append([String(index), hex(unitOffset &+ UInt64(index) &* chunk.pageSize),
                          "\(block.contigHint)@\(block.contigHintStart)", "\(block.scanHint)@\(block.scanHintStart)",
                          String(block.leftFree), String(block.rightFree), String(block.firstFree)])
        }
        return out + table.render(indent: "      ")
    }
}
