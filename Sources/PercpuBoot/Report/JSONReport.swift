import Foundation
import KernelSupport
import Memblock
import PercpuChunk

/// `--format json`: the `BootReportJSON` view of a boot, keys sorted, pretty
/// printed. See `docs/json-format.md`.
public enum JSONReport {
    /// The whole document as a String (streamed into it; see `write(_:to:)`).
    public static func render(_ result: BootResult) throws -> String {
        var sink = StringSink()
        try write(result, to: &sink)
        return sink.text
    }

    /// The document as `JSONEncoder` makes it from the `BootReportJSON` view: what
    /// the streamed `write` must equal byte for byte (tests hold it to that).
    public static func renderWithEncoder(_ result: BootResult) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(BootReportJSON(result))
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

extension BootReportJSON {
    /// Builds the view of `result`. Linear in CPUs, blocks and log lines;
    /// quadratic only in the node count (the distance matrix).
    public init(_ result: BootResult) {
        let hex = ReportFormat.hex
        let facts = ReportFacts(result)
        let profile = result.profile
        let config = profile.config
        formatVersion = Self.currentFormatVersion
        (platform, self.profile) = Self.summaries(result)
        switch result.outcome {
        case .booted: outcome = Outcome(status: "booted", panicMessage: nil)
        case .panicked(let message): outcome = Outcome(status: "panicked", panicMessage: message)
        }
        firstChunkKind = result.firstChunkKind?.rawValue
        embedFailure = result.embedFailure
        kernelLog = result.log.lines.map { LogLine(level: $0.level.name, source: $0.source.rawValue, text: $0.text) }
        topology = result.topology.map(TopologyJSON.init)
        allocInfo = result.allocInfo.map { ai in
            AllocInfoJSON(staticSize: ai.staticSize, reservedSize: ai.reservedSize, dynSize: ai.dynSize,
                          unitSize: ai.unitSize, atomSize: ai.atomSize, allocSize: ai.allocSize,
                          unitsPerAlloc: ai.unitsPerAlloc, pagesPerCpu: facts.pagesPerCPU ?? 0,
                          nrGroups: ai.groups.count, nrUnits: ai.nrUnits, wastedUnits: facts.wastedUnits,
                          emptyUnit: ai.emptyUnit, aiSize: ai.aiSize, aiPhys: hex(ai.aiPhys))
        }
        let emptyUnit = result.allocInfo?.emptyUnit
        groups = zip(facts.groups, result.allocInfo?.groups ?? []).map { group, info in
            GroupJSON(index: group.index, baseOffset: hex(group.baseOffset), nrUnits: group.nrUnits,
                      cpuMap: info.cpuMap.map { $0 == emptyUnit ? nil : $0 }, nodes: group.nodes,
                      wastedUnits: group.wastedUnits,
                      physical: group.physStart.map { RangeJSON(start: $0, size: group.areaSize) })
        }
        let unitPages = result.unitPagesPhys
        cpus = result.cpus.map { area in
            CPUJSON(cpu: area.cpu, node: area.node, group: area.group, unit: area.unit,
                    unitOffset: hex(area.unitOffset), address: hex(area.address),
                    perCpuOffset: area.perCPUOffset.map(hex), physical: area.physical.map(hex),
                    pageRuns: area.unit < unitPages.count
                        ? unitPages[area.unit].runs.map { PageRunJSON(first: hex($0.first), pages: $0.count, step: $0.step) }
                        : nil)
        }
        firstChunk = result.setup.map { FirstChunkJSON($0, layout: facts.unitLayout) }
        let maxNumNodes = config.maxNumNodes
        memblock = MemblockJSON(memory: result.memblockMemory.map { RegionJSON($0, maxNumNodes: maxNumNodes) },
                                reserved: result.memblockReserved.map { RegionJSON($0, maxNumNodes: maxNumNodes) })
        maxDistance = facts.maxDistance.map(hex)
        maxDistanceThreshold = hex(result.maxDistanceThreshold)
        maxDistanceWithinThreshold = facts.maxDistance.map { $0 <= result.maxDistanceThreshold }
        dynamicChunks = result.dynamicChunks.map {
            DynamicChunksJSON(span: Printk.hexAlt($0.span), placedBases: $0.placedBases.map { Printk.hexAlt($0) },
                              reachedLimit: $0.reachedLimit, failure: $0.failure, kernelMessage: $0.kernelMessage)
        }
    }
}

extension BootReportJSON {
    /// The platform and profile summaries (shared by the view and the streamed writer).
    static func summaries(_ result: BootResult) -> (platform: PlatformSummary, profile: ProfileSummary) {
        let profile = result.profile
        let config = profile.config
        let platform = PlatformSummary(
            name: result.platform.name, description: result.platform.description, arch: profile.arch.rawValue,
            kernel: profile.kernel.description, cmdline: result.platform.cmdline, staticSize: result.platform.staticSize,
            nrCpus: config.nrCpus, maxNumNodes: config.maxNumNodes, pageSize: profile.pageSize,
            vaBits: profile.arch == .arm64 ? config.vaBits : nil, pagingMode: profile.pagingMode?.rawValue,
            smp: config.smp, mmu: config.mmu, numa: config.numa, modules: config.modules)
        let summary = ProfileSummary(
            pageShift: profile.pageShift, pageOffset: ReportFormat.hex(profile.layout.pageOffset),
            vmallocStart: ReportFormat.hex(profile.layout.vmallocStart), vmallocEnd: ReportFormat.hex(profile.layout.vmallocEnd),
            vmallocTotal: ReportFormat.hex(profile.vmallocTotal), moduleReserve: profile.percpu.moduleReserve,
            dynamicReserve: profile.percpu.dynamicReserve, dynamicEarlySize: profile.percpu.dynamicEarlySize,
            minUnitSize: profile.percpu.minUnitSize)
        return (platform, summary)
    }
}

extension BootReportJSON.TopologyJSON {
    init(_ topology: Topology) {
        method = topology.method.rawValue
        numaOff = topology.numaOff
        nrCpuIds = topology.nrCPUIDs
        possibleCpus = topology.possibleCPUs
        var cpusOfNode: [Int: [Int]] = [:]
        for cpu in topology.possibleCPUs { cpusOfNode[topology.node(ofCPU: cpu), default: []].append(cpu) }
        nodes = topology.nodes.map { node in
            let ranges = topology.nodeMemory[node] ?? []
            return BootReportJSON.NodeJSON(
                id: node, cpus: cpusOfNode[node] ?? [], size: ranges.reduce(0) { $0 &+ $1.size },
                memory: ranges.map { BootReportJSON.RangeJSON(start: $0.base, size: $0.size) },
                nodeData: topology.nodeData[node].map(ReportFormat.hex))
        }
        cpus = topology.possibleCPUs.map { BootReportJSON.CPUNode(cpu: $0, node: topology.node(ofCPU: $0)) }
        let ids = topology.nodes
        distances = BootReportJSON.Distances(
            nodes: ids, matrix: ids.map { from in ids.map { topology.distances.distance(from, $0) } })
    }
}

extension BootReportJSON.RangeJSON {
    init(start: UInt64, size: UInt64) {
        self.init(start: ReportFormat.hex(start), end: ReportFormat.hex(start &+ size), size: size)
    }
}

extension BootReportJSON.RegionJSON {
    init(_ region: MemblockRegion, maxNumNodes: Int) {
        self.init(base: ReportFormat.hex(region.base), end: ReportFormat.hex(region.end), size: region.size,
                  nid: region.nid >= maxNumNodes || region.nid < 0 ? nil : region.nid, flags: region.flags.rawValue)
    }
}

extension BootReportJSON.FirstChunkJSON {
    init(_ setup: PcpuSetupResult, layout: [ReportFacts.Segment]) {
        let chunks = setup.firstChunk
        baseAddr = ReportFormat.hex(setup.baseAddr)
        unitLayout = layout.map { BootReportJSON.SegmentJSON(name: $0.name, offset: ReportFormat.hex($0.offset), size: $0.size) }
        staticAligned = chunks.staticAligned
        dynamicSize = chunks.dynamicSize
        nrUnits = setup.nrUnits
        lowUnitCpu = setup.lowUnitCPU
        highUnitCpu = setup.highUnitCPU
        nrEmptyPopPages = chunks.nrEmptyPopPages
        nrPopulated = chunks.nrPopulated
        slots = BootReportJSON.SlotsJSON(sidelined: chunks.slots.sidelined, free: chunks.slots.free,
                                         toDepopulate: chunks.slots.toDepopulate, nrSlots: chunks.slots.nrSlots)
        var list: [BootReportJSON.ChunkJSON] = []
        if let reserved = chunks.reservedChunk {
            list.append(.init(reserved, role: "reserved", unitBase: setup.baseAddr, slot: nil))
        }
        list.append(.init(chunks.dynamicChunk, role: "dynamic", unitBase: setup.baseAddr, slot: chunks.dynamicChunkSlot))
        self.chunks = list
    }
}

extension BootReportJSON.ChunkJSON {
    init(_ chunk: PcpuChunk, role: String, unitBase: UInt64, slot: Int?) {
        let hex = ReportFormat.hex
        self.init(role: role, baseAddr: hex(chunk.baseAddr), unitOffset: hex(chunk.baseAddr &- unitBase),
                  startOffset: chunk.startOffset, endOffset: chunk.endOffset, regionStart: hex(chunk.regionStart),
                  regionEnd: hex(chunk.regionEnd), nrPages: chunk.nrPages, nrPopulated: chunk.nrPopulated,
                  freeBytes: chunk.freeBytes, nrEmptyPopPages: chunk.nrEmptyPopPages, slot: slot,
                  chunkMd: BootReportJSON.BlockJSON(chunk.chunkMD), mdBlocks: chunk.mdBlocks.map(BootReportJSON.BlockJSON.init))
    }
}

extension BootReportJSON.BlockJSON {
    init(_ md: PcpuBlockMD) {
        self.init(contigHint: md.contigHint, contigHintStart: md.contigHintStart, scanHint: md.scanHint,
                  scanHintStart: md.scanHintStart, leftFree: md.leftFree, rightFree: md.rightFree,
                  firstFree: md.firstFree, nrBits: md.nrBits)
    }
}
