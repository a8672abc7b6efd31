import KernelSupport

/// `--format text`: the full human-readable report a kernel engineer reads.
///
/// Sections, in order: a header (platform, profile, outcome, which first
/// chunk), the topology (`numactl --hardware` style), the emulated kernel log,
/// the `__per_cpu_offset[]` table and the first chunk (layout, groups,
/// max_distance, the reserved and dynamic chunks with their block metadata).
/// Plain ASCII, columns aligned with `TextTable`, no colour; every section is
/// linear in the number of CPUs, nodes and blocks.
public enum TextReport {
    /// Above this many nodes the distance table is summarised, not printed
    /// (1024 nodes would be a million cells); `--format json` has it all.
    static let distanceTableNodeLimit = 64

    /// - Parameter dynamicDebug: include `pr_debug` lines in the kernel log section.
    public static func render(_ result: BootResult, dynamicDebug: Bool = false) -> String {
        let facts = ReportFacts(result)
        var out = header(facts)
        out += topology(result)
        out += kernelLog(result, dynamicDebug: dynamicDebug)
        out += offsetTable(result)
        out += firstChunk(facts)
        out += dynamicChunks(result)
        return out
    }

    /// A section heading: a blank line, the title, and an `=` rule as long.
    static func heading(_ title: String) -> String {
        "\n" + title + "\n" + String(repeating: "=", count: title.count) + "\n"
    }

    // MARK: - Header

    static func header(_ facts: ReportFacts) -> String {
        let result = facts.result
        let platform = result.platform
        let profile = result.profile
        let title = "pcpu-boot report: \(platform.name)"
        var out = title + "\n" + String(repeating: "=", count: title.count) + "\n"
        if !platform.description.isEmpty { out += platform.description + "\n" }
        out += "\n"
        var list = KeyValueList()
        list.append("arch", facts.archDescription)
        list.append("kernel profile", profile.kernel.description)
        list.append("page size", "\(ReportFormat.size(profile.pageSize)) (PAGE_SHIFT \(profile.pageShift))")
        list.append("NR_CPUS", "\(profile.config.nrCpus) (MAX_NUMNODES \(profile.config.maxNumNodes))")
        var config: [String] = [profile.config.smp ? "SMP" : "UP", profile.config.mmu ? "MMU" : "nommu"]
        if profile.config.numa { config.append("NUMA") }
        if profile.config.modules { config.append("modules") }
        list.append("config", config.joined(separator: ", "))
        list.append("static size", ReportFormat.bytes(platform.staticSize))
        if profile.config.mmu {
            list.append("vmalloc", "\(ReportFormat.hex(profile.layout.vmallocStart))-"
                        + "\(ReportFormat.hex(profile.layout.vmallocEnd)) (VMALLOC_TOTAL \(ReportFormat.size(profile.vmallocTotal)))")
        }
        list.append("command line", platform.cmdline.isEmpty ? "(empty)" : platform.cmdline)
        list.append("outcome", facts.outcome)
        list.append("first chunk", facts.firstChunkKind)
        return out + list.render(indent: "")
    }

    // MARK: - Topology

    static func topology(_ result: BootResult) -> String {
        var out = heading("Topology")
        guard let topology = result.topology else {
            return out + "  not determined: the boot stopped before NUMA init\n"
        }
        out += "  method: \(topology.method.rawValue)\(topology.numaOff ? " (numa_off)" : "")\n"
        out += "  possible CPUs: \(topology.possibleCPUs.count) (\(ReportFormat.list(topology.possibleCPUs))),"
            + " nr_cpu_ids \(topology.nrCPUIDs)\n"
        out += "  available: \(topology.nodes.count) nodes (\(ReportFormat.list(topology.nodes)))\n"

        var cpusOfNode: [Int: [Int]] = [:]
        var unmapped: [Int] = []
        for cpu in topology.possibleCPUs {
            let node = topology.node(ofCPU: cpu)
            if node < 0 { unmapped.append(cpu) } else { cpusOfNode[node, default: []].append(cpu) }
        }
        for node in topology.nodes {
            let cpus = cpusOfNode[node] ?? []
            let ranges = topology.nodeMemory[node] ?? []
            let size = ranges.reduce(UInt64(0)) { $0 &+ $1.size }
            out += "  node \(node) cpus:" + cpus.map { " \($0)" }.joined() + "\n"
            out += "  node \(node) size: \(ReportFormat.size(size))\n"
            for range in ranges {
                out += "  node \(node) memory: [mem \(ReportFormat.range(range.base, size: range.size))]"
                    + " \(ReportFormat.size(range.size))\n"
            }
            if let data = topology.nodeData[node] { out += "  node \(node) NODE_DATA: \(ReportFormat.hex(data))\n" }
        }
        if !unmapped.isEmpty { out += "  cpus without a node (NUMA_NO_NODE):" + unmapped.map { " \($0)" }.joined() + "\n" }
        return out + distanceTable(topology)
    }

    /// The distance table of the nodes that exist, as `numactl --hardware` prints it.
    static func distanceTable(_ topology: Topology) -> String {
        let nodes = topology.nodes
        guard !nodes.isEmpty else { return "" }
        if nodes.count > distanceTableNodeLimit {
            var seen = Set<Int>()
            for from in nodes { for to in nodes { seen.insert(topology.distances.distance(from, to)) } }
            return "  node distances: \(nodes.count) nodes, values \(seen.sorted().map(String.init).joined(separator: ", "))"
                + " (table omitted above \(distanceTableNodeLimit) nodes; see --format json)\n"
        }
        var table = TextTable([TextTable.Column("node", .right)] + nodes.map { TextTable.Column("\($0)", .right) },
                              showsHeader: false)
        table.append(["node"] + nodes.map(String.init))
        for from in nodes {
            table.append(["\(from):"] + nodes.map { String(topology.distances.distance(from, $0)) })
        }
        return "  node distances:\n" + table.render(indent: "  ", separator: " ")
    }

    // MARK: - Kernel log

    static func kernelLog(_ result: BootResult, dynamicDebug: Bool) -> String {
        let lines = ReportFacts.visibleLog(result, dynamicDebug: dynamicDebug)
        let hidden = result.log.lines.count - lines.count
        var out = heading("Kernel log")
        if hidden > 0 { out += "  (\(hidden) pr_debug lines hidden; --pr-debug shows them)\n" }
        if lines.isEmpty { out += "  (nothing printed)\n" }
        for line in lines { out += "    " + line.text + "\n" }
        return out
    }

    // MARK: - __per_cpu_offset[]

    static func offsetTable(_ result: BootResult) -> String {
        var out = heading("__per_cpu_offset[]")
        guard !result.cpus.isEmpty else { return out + "  none: no first chunk was set up\n" }
        out += "  address = pcpu_base_addr + unit offset (virtual); __per_cpu_offset = address - __per_cpu_start\n"
        if result.cpus.first?.perCPUOffset == nil {
            out += "  (__per_cpu_offset '-': give __per_cpu_start from System.map with --per-cpu-start or per-cpu-start:)\n"
        }
        if result.firstChunkKind == .page {
            out += "  physical = the unit's first page (page first chunk: a unit's pages are not contiguous)\n"
        }
        let hex = ReportFormat.hex
        var table = TextTable([
            .init("CPU", .right), .init("node", .right), .init("group", .right), .init("unit", .right),
            .init("unit offset", .right), .init("address", .right), .init("__per_cpu_offset", .right),
            .init("physical", .right),
        ])
        for area in result.cpus {
            table.append([String(area.cpu), String(area.node), String(area.group), String(area.unit),
                          hex(area.unitOffset), hex(area.address), area.perCPUOffset.map(hex) ?? "-",
                          area.physical.map(hex) ?? "-"])
        }
        return out + table.render(indent: "  ")
    }
}
