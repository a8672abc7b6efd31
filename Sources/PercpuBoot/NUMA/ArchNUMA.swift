import KernelSupport
import Memblock

/// NUMA init of `drivers/base/arch_numa.c` (v6.8; 6.1 and 5.10 are identical for what
/// is emulated here): `arch_numa_init` → `numa_init(of_numa_init or ACPI)` →
/// `numa_init(dummy_numa_init)` fallback, with the kernel's messages and the
/// memblock allocations it makes (distance table, NODE_DATA). From v6.12 `numa_init`
/// goes through mm/numa_memblks.c (`numaInitNumaMemblks`, `memblks`).
struct ArchNUMA {
    let profile: ArchProfile
    /// `numa_off`: set by `numa=off`, and by the dummy init.
    var numaOff: Bool
    /// `numa_nodes_parsed` (all versions) and, from v6.12, the meminfo and distance table.
    var memblks: NumaMemblks
    /// numa_distance of 6.1/6.8 and where it was allocated.
    var legacyDistances = DistanceTable(count: 0)
    var distancePhys: UInt64?
    /// pr_warn_once call sites that already fired (6.1/6.8).
    var warnedOnce: Set<String> = []
    /// Results of numa_register_nodes.
    var possibleNodes: [Int] = []
    var nodeData: [Int: UInt64] = [:]
    /// node_online_map (v6.12's `early_pfn_to_nid` falls back to its first node).
    var onlineNodes: Set<Int> = []
    /// ACPI proximity domain → node, when ACPI NUMA succeeded.
    var acpiPXMToNode: [UInt32: Int] = [:]
    /// `srat_disabled()`: a bad SRAT entry was met (`bad_srat()`).
    var sratDisabled = false

    static let prefix = "NUMA: "
    var maxNumNodes: Int { profile.config.maxNumNodes }
    /// mm/numa_memblks.c (v6.12) rather than arch_numa.c's own memblock tagging.
    var usesNumaMemblks: Bool { profile.kernel.has(.numaMemblks) }

    init(profile: ArchProfile, numaOff: Bool) {
        self.profile = profile
        self.numaOff = numaOff
        self.memblks = NumaMemblks(flavor: .numaMemblks, maxNumNodes: profile.config.maxNumNodes, pageSize: profile.pageSize,
                                   kernel: profile.kernel)
        self.memblks.distanceAllocCaller = "numa_set_distance"
    }

    /// numa_nodes_parsed.
    var parsed: Set<Int> {
        get { memblks.nodesParsed }
        set { memblks.nodesParsed = newValue }
    }

    /// The distance table as `__node_distance` reads it.
    var distances: DistanceTable { usesNumaMemblks ? memblks.distanceTable : legacyDistances }

    /// `arch_numa_init` (v6.8; v6.12 the same with its own `numa_init`): ACPI when enabled
    /// (success returns; failure never falls back to OF), OF otherwise, and finally the
    /// dummy node.
    mutating func archNumaInit(firmware: Firmware, acpiDisabled: Bool,
                               memblock: inout Memblock, log: inout KernelLog) throws(KernelPanic) -> Topology.Method {
        var method = Topology.Method.dummy
        if !numaOff {
            // arm64 before its ACPI NUMA (`.arm64ACPINUMA`): with ACPI on, no firmware NUMA at all.
            // Its dummy_numa_init said so itself (4.7/4.8: without the prefix).
            if !acpiDisabled, case .acpi = firmware, profile.arch == .arm64, !profile.kernel.has(.arm64ACPINUMA) {
                log.print(.info, unprefixedInfoPrefix, "No NUMA configuration found")
            } else if !acpiDisabled, case .acpi(let acpi) = firmware {
                if try runNumaInit(memblock: &memblock, log: &log, { (s: inout ArchNUMA, m: inout Memblock, l: inout KernelLog) throws(KernelPanic) in
                    try s.acpiNumaInit(acpi, memblock: &m, log: &l)
                }) == 0 { method = .acpi }
            } else if case .deviceTree(let dt) = firmware {
                if try runNumaInit(memblock: &memblock, log: &log, { (s: inout ArchNUMA, m: inout Memblock, l: inout KernelLog) throws(KernelPanic) in
                    try s.ofNumaInit(dt, memblock: &m, log: &l)
                }) == 0 { method = .deviceTree }
            }
        }
        if method == .dummy {
            _ = try runNumaInit(memblock: &memblock, log: &log, { (s: inout ArchNUMA, m: inout Memblock, l: inout KernelLog) throws(KernelPanic) in
                s.dummyNumaInit(memblock: &m, log: &l)
            })
        }
        if usesNumaMemblks { try checkMemoryNodes(memblock) }
        return method
    }

    /// `numa_init` of the profile's kernel.
    mutating func runNumaInit(memblock: inout Memblock, log: inout KernelLog, _ initFunction: InitFunction) throws(KernelPanic) -> Int {
        usesNumaMemblks
            ? try numaInitNumaMemblks(memblock: &memblock, log: &log, initFunction)
            : try numaInit(memblock: &memblock, log: &log, initFunction)
    }

    typealias InitFunction = (inout ArchNUMA, inout Memblock, inout KernelLog) throws(KernelPanic) -> Int

    /// `numa_init(init_func)` (arch_numa.c 6.1/6.8): clear the masks, allocate the distance table
    /// (sized MAX_NUMNODES: nr_node_ids is not set yet), run the method, give up
    /// on "No NUMA configuration found", register the nodes. Returns 0 or -errno.
    mutating func numaInit(memblock: inout Memblock, log: inout KernelLog, _ initFunction: InitFunction) throws(KernelPanic) -> Int {
        parsed = []
        possibleNodes = []
        nodeData = [:]
        var ret = try numaAllocDistance(memblock: &memblock, log: &log)
        if ret < 0 { return ret }
        ret = try initFunction(&self, &memblock, &log)
        if ret >= 0 && parsed.isEmpty {
            log.print(.info, unprefixedInfoPrefix, "No NUMA configuration found")
            ret = -Errno.EINVAL
        }
        if ret >= 0 { ret = try numaRegisterNodes(memblock: &memblock, log: &log) }
        if ret < 0 {
            try numaFreeDistance(memblock: &memblock, log: &log)
            return ret
        }
        return 0
    }

    /// `numa_alloc_distance` (arch_numa.c 6.1/6.8): `memblock_alloc(cnt², PAGE_SIZE)` with
    /// cnt = nr_node_ids, which is still MAX_NUMNODES here.
    mutating func numaAllocDistance(memblock: inout Memblock, log: inout KernelLog) throws(KernelPanic) -> Int {
        let count = maxNumNodes
        let size = UInt64(count * count)
        guard let phys = try memblock.alloc(size: size, align: profile.pageSize, log: &log, caller: "numa_init") else {
            log.print(.warning, "", "WARNING: numa_alloc_distance: memblock_alloc(\(size)) failed")
            return -Errno.ENOMEM
        }
        legacyDistances = DistanceTable(count: count)
        distancePhys = phys
        log.dynamicDebug(Self.prefix, "Initialized distance table, cnt=\(count)")
        return 0
    }

    /// `numa_free_distance` (arch_numa.c 6.1/6.8): `memblock_free` the table and forget it (cnt = 0).
    mutating func numaFreeDistance(memblock: inout Memblock, log: inout KernelLog) throws(KernelPanic) {
        guard let phys = distancePhys else { return }
        let size = UInt64(legacyDistances.count * legacyDistances.count)
        try memblock.physFree(phys, size, log: &log, caller: "numa_init")
        legacyDistances = DistanceTable(count: 0)
        distancePhys = nil
    }

    /// `numa_set_distance`: v6.8 arch_numa.c with its three `pr_warn_once` checks (`NUMA: `
    /// prefix); v6.12 mm/numa_memblks.c, which creates the table on first use.
    mutating func numaSetDistance(_ from: Int, _ to: Int, _ distance: Int,
                                  memblock: inout Memblock, log: inout KernelLog) throws(KernelPanic) {
        if usesNumaMemblks {
            try memblks.setDistance(from, to, distance, memblock: &memblock, log: &log)
            return
        }
        if distancePhys == nil {
            warnOnce("alloc", "Warning: distance table not allocated yet", log: &log)
            return
        }
        if from >= legacyDistances.count || to >= legacyDistances.count || from < 0 || to < 0 {
            warnOnce("bound", "Warning: node ids are out of bound, from=\(from) to=\(to) distance=\(distance)", log: &log)
            return
        }
        if distance < 0 || distance > 255 || (from == to && distance != DistanceTable.localDistance) {
            warnOnce("param", "Warning: invalid distance parameter, from=\(from) to=\(to) distance=\(distance)", log: &log)
            return
        }
        legacyDistances.entries[from * legacyDistances.count + to] = UInt8(distance)
    }

    /// `pr_warn_once` of arch_numa.c (6.1/6.8, prefix `NUMA: `); v6.12's numa_set_distance
    /// lives in mm/numa_memblks.c and warns without it (`NumaMemblks.warnOnce`).
    mutating func warnOnce(_ site: String, _ text: String, log: inout KernelLog) {
        guard !warnedOnce.contains(site) else { return }
        warnedOnce.insert(site)
        log.print(.warning, Self.prefix, text)
    }

    /// `numa_add_memblk(nid, start, end)`: v6.8 arch_numa.c tags memblock.memory in
    /// [start, end) with nid and marks the node parsed; v6.12 mm/numa_memblks.c only records
    /// the block (the callers `node_set` — of_numa, in 6.12.0, does not).
    mutating func numaAddMemblk(_ nid: Int, _ start: UInt64, _ end: UInt64,
                                memblock: inout Memblock, log: inout KernelLog) -> Int {
        if usesNumaMemblks { return memblks.addMemblk(nid, start, end, log: &log) }
        do {
            _ = try memblock.setNode(start, end &- start, type: .memory, nid: nid)
        } catch {
            log.print(.err, Self.prefix, "memblock [0x\(Printk.hex(start)) - 0x\(Printk.hex(end &- 1))] failed to add on node \(nid)")
            return -Errno.ENOMEM
        }
        parsed.insert(nid)
        printAddingMemblock(nid, start, end, log: &log)     // arm64 4.7–4.17
        return 0
    }

    /// `dummy_numa_init` (v6.8/v6.12): one node 0 spanning memblock's DRAM.
    mutating func dummyNumaInit(memblock: inout Memblock, log: inout KernelLog) -> Int {
        // arm64 before 77cfe950901e printed [0, PFN_PHYS(max_pfn) - 1] (`.arm64DummyNodeSpansDRAM`).
        let oldRange = profile.arch == .arm64 && !profile.kernel.has(.arm64DummyNodeSpansDRAM)
        let start = oldRange ? 0 : memblock.startOfDRAM
        let end = (oldRange ? memblock.endOfDRAM.roundedDown(to: profile.pageSize) : memblock.endOfDRAM) &- 1
        if numaOff { log.print(.info, unprefixedInfoPrefix, "NUMA disabled") }
        log.print(.info, Self.prefix, "Faking a node at [mem \(Printk.pa(start))-\(Printk.pa(end))]")
        let ret = arm64VerboseNUMALines ? addDummyNodePerRegion(memblock: &memblock, log: &log)
                                        : numaAddMemblk(0, start, end &+ 1, memblock: &memblock, log: &log)
        if ret != 0 {
            log.print(.err, Self.prefix, "NUMA init failed")
            return ret
        }
        if usesNumaMemblks { parsed.insert(0) }     // v6.12: node_set(0, numa_nodes_parsed)
        numaOff = true
        return 0
    }

    /// `numa_register_nodes` (v6.8; v6.12.0 dropped the check): every memory region must carry a valid node;
    /// then NODE_DATA for each parsed node, and node_possible_map = parsed.
    mutating func numaRegisterNodes(memblock: inout Memblock, log: inout KernelLog) throws(KernelPanic) -> Int {
        for region in memblock.memory where region.nid == NUMA_NO_NODE || region.nid >= maxNumNodes {
            let end = region.base &+ region.size &- 1
            log.print(.warning, Self.prefix, "Warning: invalid memblk node \(region.nid) [mem \(Printk.pa(region.base))-\(Printk.pa(end))]")
            return -Errno.EINVAL
        }
        for nid in parsed.sorted() where nid < maxNumNodes {
            try setupNodeData(nid, memblock: &memblock, log: &log)
        }
        possibleNodes = parsed.filter { $0 < maxNumNodes }.sorted()
        return 0
    }

    /// `setup_node_data` (v6.8): NODE_DATA from memblock on the node
    /// (`memblock_phys_alloc_try_nid`, which falls back to any node). v6.12 has its own
    /// (`setupNodeDataNumaMemblks`, with mm/numa.c's messages).
    mutating func setupNodeData(_ nid: Int, memblock: inout Memblock, log: inout KernelLog) throws(KernelPanic) {
        let size = profile.pgDataSize
        let pageSize = profile.pageSize
        let regions = memblock.memory.filter { $0.nid == nid }
        let startPFN = regions.map { divRoundUp($0.base, pageSize) }.min() ?? 0
        let endPFN = regions.map { ($0.base &+ $0.size) / pageSize }.max() ?? 0
        if startPFN >= endPFN {
            log.print(.info, Self.prefix, "Initmem setup node \(nid) [<memory-less node>]")
        }
        printInitmemSetupNode(nid, startPFN: startPFN, endPFN: endPFN, log: &log)     // arm64 4.7–4.17
        guard let phys = try memblock.physAllocTryNid(size: size, align: profile.smpCacheBytes, nid: nid, log: &log) else {
            throw KernelPanic("Cannot allocate \(size) bytes for node \(nid) data")
        }
        let last = phys &+ size &- 1
        log.print(.info, Self.prefix, "NODE_DATA [mem \(Printk.hexAlt(phys, width: 10))-\(Printk.hexAlt(last, width: 10))]")
        let tnid = memblock.memory.first { $0.base <= phys && phys < $0.base &+ $0.size }?.nid ?? NUMA_NO_NODE
        if tnid != nid { log.print(.info, Self.prefix, "NODE_DATA(\(nid)) on node \(tnid)") }
        nodeData[nid] = phys
    }
}

/// The errno values the emulated functions return.
enum Errno {
    static let ENOMEM = 12
    static let EINVAL = 22
    static let ENOENT = 2
    static let EOPNOTSUPP = 95
}
