import KernelSupport

/// Number and size formats shared by the reports.
enum ReportFormat {
    /// `0x` + lower-case hex digits, no padding (`0x0` for zero).
    static func hex(_ value: UInt64) -> String { Printk.hexAlt(value) }

    /// A size in binary units: exact when it divides (`1 GiB`, `8 KiB`),
    /// otherwise one decimal (`85.2 KiB`); below 1 KiB in bytes (`512 B`).
    static func size(_ value: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var index = 0
        var divisor: UInt64 = 1
        while index < units.count - 1 && value / divisor >= 1024 {
            divisor <<= 10
            index += 1
        }
        if value % divisor == 0 { return "\(value / divisor) \(units[index])" }
        let tenths = Int((Double(value) / Double(divisor) * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[index])"
    }

    /// `87272 (85.2 KiB)`: the exact byte count, and the human size when it says more.
    static func bytes(_ value: UInt64) -> String {
        value < 1024 ? "\(value)" : "\(value) (\(size(value)))"
    }

    /// `0-3,8`: a CPU (or node) list with ranges, as `%*pbl` prints it.
    static func list(_ values: [Int]) -> String { values.isEmpty ? "none" : cpuMaskList(values) }

    /// `[mem 0x40000000-0x7fffffff]`-style inclusive range (empty ranges as `[start, start)`).
    static func range(_ start: UInt64, size: UInt64) -> String {
        size == 0 ? "[\(hex(start)), empty]" : "\(hex(start))-\(hex(start &+ size &- 1))"
    }

    /// `a / b` as a percentage with enough digits to be non-zero when `a` is.
    static func percent(_ a: UInt64, of b: UInt64) -> String {
        guard b > 0 else { return "n/a" }
        let value = Double(a) / Double(b) * 100
        if value == 0 { return "0%" }
        for digits in 0...6 {
            let scale = Double(pow10(digits))
            let rounded = (value * scale).rounded() / scale
            if rounded > 0 { return formatFixed(rounded, digits: digits) + "%" }
        }
        return "<0.000001%"
    }

    private static func pow10(_ n: Int) -> Int { (0..<n).reduce(1) { acc, _ in acc * 10 } }

    /// A non-negative double with `digits` decimals, without Foundation's `String(format:)`.
    static func formatFixed(_ value: Double, digits: Int) -> String {
        let scale = pow10(digits)
        let scaled = Int((value * Double(scale)).rounded())
        guard digits > 0 else { return "\(scaled)" }
        let fraction = String(scaled % scale)
        return "\(scaled / scale)." + String(repeating: "0", count: digits - fraction.count) + fraction
    }
}

/// Facts derived from a `BootResult` that several reports print: the group
/// summaries, the unit layout, the names of the outcome and first-chunk kind.
/// Computing them once keeps the text, JSON, SVG and compare reports agreeing.
struct ReportFacts {
    /// One `pcpu_group_info` with what a reader wants next to it.
    struct Group {
        var index: Int
        var baseOffset: UInt64
        var nrUnits: Int
        /// The CPUs of its units, in unit order (empty units left out).
        var cpus: [Int]
        /// Units holding `NR_CPUS` (allocated, never used by a CPU).
        var wastedUnits: Int
        /// The distinct nodes of its CPUs, ascending.
        var nodes: [Int]
        /// Physical start of its area (embed, UP); nil for the page chunk.
        var physStart: UInt64?
        /// `nr_units * unit_size`.
        var areaSize: UInt64
    }

    /// One region of a unit: where it starts within the unit and how big it is.
    struct Segment {
        /// `static`, `reserved`, `dynamic` or `free tail`.
        var name: String
        var offset: UInt64
        var size: UInt64
    }

    let result: BootResult
    let groups: [Group]
    /// static | reserved | dynamic | free tail, in unit order (empty when there is no layout).
    let unitLayout: [Segment]

    init(_ result: BootResult) {
        self.result = result
        guard let ai = result.allocInfo else {
            groups = []
            unitLayout = []
            return
        }
        let topology = result.topology
        groups = ai.groups.enumerated().map { index, group in
            let cpus = group.cpuMap.filter { $0 != ai.emptyUnit }
            let nodes = Set(cpus.map { topology?.node(ofCPU: $0) ?? -1 }).sorted()
            return Group(index: index, baseOffset: group.baseOffset, nrUnits: group.nrUnits, cpus: cpus,
                         wastedUnits: group.cpuMap.count - cpus.count, nodes: nodes,
                         physStart: index < result.groupPhys.count ? result.groupPhys[index] : nil,
                         areaSize: UInt64(group.nrUnits) &* ai.unitSize)
        }
        let staticAligned = result.setup?.firstChunk.staticAligned ?? (ai.staticSize &+ 3) & ~3
        let dynamicSize = result.setup?.firstChunk.dynamicSize ?? (ai.dynSize &- (staticAligned &- ai.staticSize))
        let dynamicStart = staticAligned &+ ai.reservedSize
        let used = dynamicStart &+ dynamicSize
        unitLayout = [
            Segment(name: "static", offset: 0, size: ai.staticSize),
            Segment(name: "reserved", offset: staticAligned, size: ai.reservedSize),
            Segment(name: "dynamic", offset: dynamicStart, size: dynamicSize),
            Segment(name: "free tail", offset: used, size: ai.unitSize > used ? ai.unitSize - used : 0),
        ]
    }

    /// Units holding no CPU, over all groups.
    var wastedUnits: Int { groups.reduce(0) { $0 + $1.wastedUnits } }

    /// `booted` or `PANIC: <message>`.
    var outcome: String {
        switch result.outcome {
        case .booted: "booted"
        case .panicked(let message): "PANIC: \(message)"
        }
    }

    /// Which first chunk, and why: `embed`, `page (embed failed with -22)`, `UP`.
    var firstChunkKind: String {
        let failure = result.embedFailure.map { "embed failed with \($0)" }
        switch result.firstChunkKind {
        case .embed?: return "embed"
        case .page?:
            if let failure { return "page (\(failure))" }
            return result.cmdline.percpuAlloc == "page" ? "page (percpu_alloc=page)" : "page"
        case .up?: return "UP"
        case nil: return "none (" + (failure.map { "\($0), " } ?? "") + "the boot stopped before one was set up)"
        }
    }

    /// The kernel's pages/cpu: `unit_size >> PAGE_SHIFT`.
    var pagesPerCPU: UInt64? {
        guard let ai = result.allocInfo, result.profile.pageSize > 0 else { return nil }
        return ai.unitSize / result.profile.pageSize
    }

    /// `s87272 r8192 d31512 u126976`, as the kernel's summary line writes it.
    var sizesSummary: String? {
        guard let ai = result.allocInfo else { return nil }
        return "s\(ai.staticSize) r\(ai.reservedSize) d\(ai.dynSize) u\(ai.unitSize)"
    }

    /// The `max_distance` the embed attempt measured (kept when it failed too).
    var maxDistance: UInt64? { result.maxDistance }

    /// The verdict on `max_distance` against `VMALLOC_TOTAL * 3 / 4`.
    var maxDistanceVerdict: String {
        let threshold = result.maxDistanceThreshold
        guard let distance = maxDistance else {
            switch result.firstChunkKind {
            case .page?: return "not checked (page first chunk maps pages into vmalloc space)"
            case .up?: return "not checked (UP)"
            default: return "not computed"
            }
        }
        let share = "\(ReportFormat.percent(distance, of: threshold)) of the limit"
        if distance > threshold {
            let fallback = result.firstChunkKind == .page ? ", fell back to the page first chunk" : ""
            return "TOO LARGE: \(share), embed fails with -EINVAL\(fallback)"
        }
        return "ok: \(share)"
    }

    /// Architecture with the knob that sizes its address space.
    var archDescription: String {
        let profile = result.profile
        switch profile.arch {
        case .arm64: return profile.config.vaBits.map { "arm64 (VA_BITS \($0))" } ?? "arm64"
        case .riscv64, .x86_64:
            return profile.pagingMode.map { "\(profile.arch.rawValue) (\($0.rawValue) paging)" } ?? profile.arch.rawValue
        }
    }

    /// The log lines a report shows: kernel and memblock=debug lines, plus pr_debug if asked.
    static func visibleLog(_ result: BootResult, dynamicDebug: Bool) -> [KernelLogLine] {
        result.log.lines.filter { dynamicDebug || $0.source != .dynamicDebug }
    }
}
