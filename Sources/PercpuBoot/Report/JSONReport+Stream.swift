import KernelSupport
import PercpuChunk

/// `--format json`, streamed: the same document as encoding `BootReportJSON`
/// with `JSONEncoder` (keys sorted, pretty printed), written member by member
/// through a sink. The large parts (kernel log, CPUs, page addresses, distance
/// matrix, memblock regions) are never held as one value: each element is made,
/// written and dropped. Keys are listed in sorted (byte) order by hand; the test
/// `JSONReportTests.streamedEqualsEncoder` holds them to `JSONEncoder`'s.
extension JSONReport {
    public static func write<Sink: ReportSink>(_ result: BootResult, to sink: inout Sink) throws {
        var w = JSONStreamWriter(sink)
        // The sink went in as `Sink` and comes back as one (the cast cannot fail).
        defer { if let back = w.sink as? Sink { sink = back } }
        let facts = ReportFacts(result)
        let hex = ReportFormat.hex
        try w.object { w in
            if let ai = result.allocInfo {
                try w.key("allocInfo")
                try w.object { w in
                    try w.member("aiPhys", hex: ai.aiPhys)
                    try w.member("aiSize", ai.aiSize)
                    try w.member("allocSize", ai.allocSize)
                    try w.member("atomSize", ai.atomSize)
                    try w.member("dynSize", ai.dynSize)
                    try w.member("emptyUnit", ai.emptyUnit)
                    try w.member("nrGroups", ai.groups.count)
                    try w.member("nrUnits", ai.nrUnits)
                    try w.member("pagesPerCpu", facts.pagesPerCPU ?? 0)
                    try w.member("reservedSize", ai.reservedSize)
                    try w.member("staticSize", ai.staticSize)
                    try w.member("unitSize", ai.unitSize)
                    try w.member("unitsPerAlloc", ai.unitsPerAlloc)
                    try w.member("wastedUnits", facts.wastedUnits)
                }
            }
            try w.key("cpus")
            let unitPages = result.unitPagesPhys
            try w.array { w in
                for area in result.cpus {
                    try w.element()
                    try w.object { w in
                        try w.member("address", hex: area.address)
                        try w.member("cpu", area.cpu)
                        try w.member("group", area.group)
                        try w.member("node", area.node)
                        if area.unit < unitPages.count {
                            // The unit's physical pages as runs of adjacent pages (BootReportJSON.PageRunJSON).
                            try w.key("pageRuns")
                            try w.array { w in
                                for run in unitPages[area.unit].runs {
                                    try w.element()
                                    try w.object { w in
                                        try w.member("first", hex: run.first)
                                        try w.member("pages", run.count)
                                        try w.member("step", Int(run.step))
                                    }
                                }
                            }
                        }
                        try w.member("perCpuOffset", ifPresentHex: area.perCPUOffset)
                        try w.member("physical", ifPresentHex: area.physical)
                        try w.member("unit", area.unit)
                        try w.member("unitOffset", hex: area.unitOffset)
                    }
                }
            }
            if let d = result.dynamicChunks {
                try w.key("dynamicChunks")
                try w.object { w in
                    try w.member("failure", ifPresent: d.failure)
                    try w.member("kernelMessage", ifPresent: d.kernelMessage)
                    try w.member("placedBases", strings: d.placedBases.map { Printk.hexAlt($0) })
                    try w.member("reachedLimit", d.reachedLimit)
                    try w.member("span", Printk.hexAlt(d.span))
                }
            }
            try w.member("embedFailure", ifPresent: result.embedFailure)
            if let setup = result.setup {
                try w.key("firstChunk")
                try writeFirstChunk(BootReportJSON.FirstChunkJSON(setup, layout: facts.unitLayout), &w)
            }
            try w.member("firstChunkKind", ifPresent: result.firstChunkKind?.rawValue)
            try w.member("formatVersion", BootReportJSON.currentFormatVersion)
            try w.key("groups")
            let emptyUnit = result.allocInfo?.emptyUnit
            try w.array { w in
                for (group, info) in zip(facts.groups, result.allocInfo?.groups ?? []) {
                    try w.element()
                    try w.object { w in
                        try w.member("baseOffset", hex: group.baseOffset)
                        try w.key("cpuMap")
                        try w.array { w in for cpu in info.cpuMap { try w.element(cpu == emptyUnit ? nil : cpu) } }
                        try w.member("index", group.index)
                        try w.member("nodes", numbers: group.nodes)
                        try w.member("nrUnits", group.nrUnits)
                        if let start = group.physStart {
                            try w.key("physical")
                            try writeRange(BootReportJSON.RangeJSON(start: start, size: group.areaSize), &w)
                        }
                        try w.member("wastedUnits", group.wastedUnits)
                    }
                }
            }
            try w.key("kernelLog")
            try w.array { w in
                for line in result.log.lines {
                    try w.element()
                    try w.object { w in
                        try w.member("level", line.level.name)
                        try w.member("source", line.source.rawValue)
                        try w.member("text", line.text)
                    }
                }
            }
            try w.member("maxDistance", ifPresent: facts.maxDistance.map(hex))
            try w.member("maxDistanceThreshold", hex: result.maxDistanceThreshold)
            try w.member("maxDistanceWithinThreshold", ifPresent: facts.maxDistance.map { $0 <= result.maxDistanceThreshold })
            try w.key("memblock")
            let maxNumNodes = result.profile.config.maxNumNodes
            try w.object { w in
                for (name, regions) in [("memory", result.memblockMemory), ("reserved", result.memblockReserved)] {
                    try w.key(name)
                    try w.array { w in
                        for region in regions {
                            let r = BootReportJSON.RegionJSON(region, maxNumNodes: maxNumNodes)
                            try w.element()
                            try w.object { w in
                                try w.member("base", r.base)
                                try w.member("end", r.end)
                                try w.member("flags", r.flags)
                                try w.member("nid", ifPresent: r.nid)
                                try w.member("size", r.size)
                            }
                        }
                    }
                }
            }
            try w.key("outcome")
            try w.object { w in
                switch result.outcome {
                case .booted: try w.member("status", "booted")
                case .panicked(let message): try w.member("panicMessage", message); try w.member("status", "panicked")
                }
            }
            let json = BootReportJSON.summaries(result)
            try w.key("platform")
            try w.object { w in
                let p = json.platform
                try w.member("arch", p.arch)
                try w.member("cmdline", p.cmdline)
                try w.member("description", p.description)
                try w.member("kernel", p.kernel)
                try w.member("maxNumNodes", p.maxNumNodes)
                try w.member("mmu", p.mmu)
                try w.member("modules", p.modules)
                try w.member("name", p.name)
                try w.member("nrCpus", p.nrCpus)
                try w.member("numa", p.numa)
                try w.member("pageSize", p.pageSize)
                try w.member("pagingMode", ifPresent: p.pagingMode)
                try w.member("smp", p.smp)
                try w.member("staticSize", p.staticSize)
                try w.member("vaBits", ifPresent: p.vaBits)
            }
            try w.key("profile")
            try w.object { w in
                let p = json.profile
                try w.member("dynamicEarlySize", p.dynamicEarlySize)
                try w.member("dynamicReserve", p.dynamicReserve)
                try w.member("minUnitSize", p.minUnitSize)
                try w.member("moduleReserve", p.moduleReserve)
                try w.member("pageOffset", p.pageOffset)
                try w.member("pageShift", p.pageShift)
                try w.member("vmallocEnd", p.vmallocEnd)
                try w.member("vmallocStart", p.vmallocStart)
                try w.member("vmallocTotal", p.vmallocTotal)
            }
            if let topology = result.topology {
                try w.key("topology")
                try writeTopology(topology, &w)
            }
        }
        try w.finish()
    }

    static func writeRange(_ r: BootReportJSON.RangeJSON, _ w: inout JSONStreamWriter) throws {
        try w.object { w in
            try w.member("end", r.end)
            try w.member("size", r.size)
            try w.member("start", r.start)
        }
    }

    /// The topology, its node-by-node distance matrix written row by row.
    static func writeTopology(_ topology: Topology, _ w: inout JSONStreamWriter) throws {
        var cpusOfNode: [Int: [Int]] = [:]
        for cpu in topology.possibleCPUs { cpusOfNode[topology.node(ofCPU: cpu), default: []].append(cpu) }
        try w.object { w in
            try w.key("cpus")
            try w.array { w in
                for cpu in topology.possibleCPUs {
                    try w.element()
                    try w.object { w in
                        try w.member("cpu", cpu)
                        try w.member("node", topology.node(ofCPU: cpu))
                    }
                }
            }
            let ids = topology.nodes
            try w.key("distances")
            try w.object { w in
                try w.key("matrix")
                let table = topology.distances
                try w.array { w in
                    for from in ids {
                        try w.element()
                        let row = ids.map { table.distance(from, $0) }
                        try w.array { w in try w.elements(ints: row) }
                    }
                }
                try w.member("nodes", numbers: ids)
            }
            try w.member("method", topology.method.rawValue)
            try w.key("nodes")
            try w.array { w in
                for node in ids {
                    let ranges = topology.nodeMemory[node] ?? []
                    try w.element()
                    try w.object { w in
                        try w.member("cpus", numbers: cpusOfNode[node] ?? [])
                        try w.member("id", node)
                        try w.key("memory")
                        try w.array { w in
                            for range in ranges {
                                try w.element()
                                try writeRange(BootReportJSON.RangeJSON(start: range.base, size: range.size), &w)
                            }
                        }
                        try w.member("nodeData", ifPresent: topology.nodeData[node].map(ReportFormat.hex))
                        try w.member("size", ranges.reduce(0) { $0 &+ $1.size })
                    }
                }
            }
            try w.member("nrCpuIds", topology.nrCPUIDs)
            try w.member("numaOff", topology.numaOff)
            try w.member("possibleCpus", numbers: topology.possibleCPUs)
        }
    }

    static func writeFirstChunk(_ f: BootReportJSON.FirstChunkJSON, _ w: inout JSONStreamWriter) throws {
        try w.object { w in
            try w.member("baseAddr", f.baseAddr)
            try w.key("chunks")
            try w.array { w in
                for c in f.chunks {
                    try w.element()
                    try w.object { w in
                        try w.member("baseAddr", c.baseAddr)
                        try w.key("chunkMd")
                        try writeBlock(c.chunkMd, &w)
                        try w.member("endOffset", c.endOffset)
                        try w.member("freeBytes", c.freeBytes)
                        try w.key("mdBlocks")
                        try w.array { w in for b in c.mdBlocks { try w.element(); try writeBlock(b, &w) } }
                        try w.member("nrEmptyPopPages", c.nrEmptyPopPages)
                        try w.member("nrPages", c.nrPages)
                        try w.member("nrPopulated", c.nrPopulated)
                        try w.member("regionEnd", c.regionEnd)
                        try w.member("regionStart", c.regionStart)
                        try w.member("role", c.role)
                        try w.member("slot", ifPresent: c.slot)
                        try w.member("startOffset", c.startOffset)
                        try w.member("unitOffset", c.unitOffset)
                    }
                }
            }
            try w.member("dynamicSize", f.dynamicSize)
            try w.member("highUnitCpu", f.highUnitCpu)
            try w.member("lowUnitCpu", f.lowUnitCpu)
            try w.member("nrEmptyPopPages", f.nrEmptyPopPages)
            try w.member("nrPopulated", f.nrPopulated)
            try w.member("nrUnits", f.nrUnits)
            try w.key("slots")
            try w.object { w in
                try w.member("free", f.slots.free)
                try w.member("nrSlots", f.slots.nrSlots)
                try w.member("sidelined", f.slots.sidelined)
                try w.member("toDepopulate", f.slots.toDepopulate)
            }
            try w.member("staticAligned", f.staticAligned)
            try w.key("unitLayout")
            try w.array { w in
                for s in f.unitLayout {
                    try w.element()
                    try w.object { w in
                        try w.member("name", s.name)
                        try w.member("offset", s.offset)
                        try w.member("size", s.size)
                    }
                }
            }
        }
    }

    static func writeBlock(_ b: BootReportJSON.BlockJSON, _ w: inout JSONStreamWriter) throws {
        try w.object { w in
            try w.member("contigHint", b.contigHint)
            try w.member("contigHintStart", b.contigHintStart)
            try w.member("firstFree", b.firstFree)
            try w.member("leftFree", b.leftFree)
            try w.member("nrBits", b.nrBits)
            try w.member("rightFree", b.rightFree)
            try w.member("scanHint", b.scanHint)
            try w.member("scanHintStart", b.scanHintStart)
        }
    }
}
