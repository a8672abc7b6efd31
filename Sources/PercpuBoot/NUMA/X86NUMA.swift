import KernelSupport
import Memblock

/// One `struct numa_memblk` of arch/x86/mm/numa.c: `[start, end)` on node `nid`.
struct X86NUMAMemblk: Equatable, Sendable {
    var start: UInt64
    var end: UInt64
    var nid: Int
}

/// `numa_distance` / `numa_distance_cnt` of arch/x86/mm/numa.c (v6.1 = v6.8): no table
/// yet (NULL), a table, or a failed allocation (`numa_distance = (void *)1LU`, cnt 0).
enum X86DistanceState: Equatable, Sendable {
    case none
    case failed
    case allocated(DistanceTable, phys: UInt64)

    /// numa_distance_cnt.
    var count: Int {
        if case .allocated(let table, _) = self { return table.count }
        return 0
    }
}

/// The file-static state of arch/x86/mm/numa.c, arch/x86/mm/srat.c and the x86-relevant
/// part of drivers/acpi/numa/srat.c (v6.1; v6.8 is identical for what is emulated), as one
/// value: `numa_nodes_parsed`, `numa_meminfo`, `__apicid_to_node`, `pxm_to_node_map`,
/// the distance table, `node_possible_map`/`node_online_map`, `node_data[]` and the early
/// `x86_cpu_to_node_map`.
struct X86NUMA {
    let profile: ArchProfile
    /// `numa_off` (`numa=off`; unlike arch_numa, the dummy init does not set it on x86).
    let numaOff: Bool
    /// `max_pfn` (`e820__end_of_ram_pfn()`).
    let maxPFN: UInt64
    /// `PFN_PHYS(max_pfn_mapped)`: the distance table's allocation limit.
    let maxMappedAddress: UInt64
    /// nr_cpu_ids while NUMA init runs: NR_CPUS, or `nr_cpus=` (prefill_possible_map comes later).
    let nrCPUIDs: Int

    /// `srat_disabled()` (`acpi_numa < 0`: `numa=noacpi`, or `bad_srat()`).
    var sratDisabled: Bool
    var nodesParsed: Set<Int> = []
    var meminfo: [X86NUMAMemblk] = []
    var reservedMeminfo: [X86NUMAMemblk] = []
    /// `__apicid_to_node[]` (only the entries that are not NUMA_NO_NODE).
    var apicidToNode: [UInt32: Int] = [:]
    /// `pxm_to_node_map[]` / `nodes_found_map`: never reset, so numbering survives retries.
    var pxmToNode: [Int: Int] = [:]
    var distance: X86DistanceState = .none
    var possibleNodes: Set<Int> = []
    var onlineNodes: Set<Int> = []
    /// `node_data[nid]`: where each NODE_DATA was allocated (physical).
    var nodeData: [Int: UInt64] = [:]
    /// The early `x86_cpu_to_node_map[]` (NUMA_NO_NODE initially), indexed by cpu < nrCPUIDs.
    var cpuToNode: [Int]
    /// pr_warn_once call sites that already fired.
    var warnedOnce: Set<String> = []

    /// MAX_LOCAL_APIC on 64-bit.
    static let maxLocalAPIC: UInt32 = 32768
    /// NR_NODE_MEMBLKS = MAX_NUMNODES * 2.
    var nrNodeMemblks: Int { maxNumNodes * 2 }
    var maxNumNodes: Int { profile.config.maxNumNodes }

    init(profile: ArchProfile, numaOff: Bool, sratDisabled: Bool, maxPFN: UInt64, maxMappedAddress: UInt64, nrCPUIDs: Int) {
        self.profile = profile
        self.numaOff = numaOff
        self.sratDisabled = sratDisabled
        self.maxPFN = maxPFN
        self.maxMappedAddress = maxMappedAddress
        self.nrCPUIDs = nrCPUIDs
        self.cpuToNode = Array(repeating: NUMA_NO_NODE, count: max(nrCPUIDs, 1))
    }

    /// `PFN_PHYS(max_pfn)`.
    var maxAddress: UInt64 { maxPFN &<< UInt64(profile.pageShift) }

    /// The init functions `x86_numa_init` tries.
    enum Method { case acpi, dummy }

    /// `x86_numa_init` (arch/x86/mm/numa.c, v6.1/v6.8): unless `numa=off`, SRAT
    /// (`x86_acpi_numa_init`, CONFIG_ACPI_NUMA); a method that succeeds ends it.
    /// CONFIG_AMD_NUMA's `amd_numa_init` finds no AMD northbridge on the emulated
    /// machines (-ENOENT, silently) and 6.1's `of_numa_init` (acpi=off) has no device
    /// tree to read, so neither is emulated. Finally the dummy node, which cannot fail.
    mutating func x86NumaInit(acpi: ACPIFirmware?, acpiDisabled: Bool, memblock: inout Memblock,
                              log: inout KernelLog) throws(KernelPanic) -> Topology.Method {
        if !numaOff && profile.config.acpiNuma {
            if try numaInit(.acpi, acpi: acpi, acpiDisabled: acpiDisabled, memblock: &memblock, log: &log) == 0 {
                return .acpi
            }
        }
        _ = try numaInit(.dummy, acpi: acpi, acpiDisabled: acpiDisabled, memblock: &memblock, log: &log)
        return .dummy
    }

    /// `numa_init(init_func)` (v6.1/v6.8): forget everything a previous attempt
    /// found (APIC→node map, parsed/possible/online nodes, meminfo; every memblock
    /// region back to MAX_NUMNODES, hotplug flags cleared, distance table freed), run
    /// the method, then — top-down again — clean up the meminfo, register the nodes,
    /// drop CPUs on offline nodes and spread the rest round-robin. 0 or -errno.
    mutating func numaInit(_ method: Method, acpi: ACPIFirmware?, acpiDisabled: Bool,
                           memblock: inout Memblock, log: inout KernelLog) throws(KernelPanic) -> Int {
        apicidToNode = [:]
        nodesParsed = []
        possibleNodes = []
        onlineNodes = []
        meminfo = []
        try memblock.setNode(0, UInt64.max, type: .memory, nid: maxNumNodes, log: &log)
        try memblock.setNode(0, UInt64.max, type: .reserved, nid: maxNumNodes, log: &log)
        try memblock.clearHotplug(0, UInt64.max, log: &log)
        try numaResetDistance(memblock: &memblock, log: &log)

        var ret: Int
        switch method {
        case .acpi: ret = try x86AcpiNumaInit(acpi, acpiDisabled: acpiDisabled, memblock: &memblock, log: &log)
        case .dummy: ret = dummyNumaInit(log: &log)
        }
        if ret < 0 { return ret }
        // SRAT has been parsed: allocations go top-down again (movable_node made them bottom-up).
        memblock.bottomUp = false
        ret = numaCleanupMeminfo(memblock: memblock, log: &log)
        if ret < 0 { return ret }
        // numa_emulation(): `numa=fake=` is not emulated.
        ret = try numaRegisterMemblks(memblock: &memblock, log: &log)
        if ret < 0 { return ret }
        for cpu in 0..<nrCPUIDs where cpuToNode[cpu] != NUMA_NO_NODE && !onlineNodes.contains(cpuToNode[cpu]) {
            cpuToNode[cpu] = NUMA_NO_NODE
        }
        numaInitArray()
        return 0
    }

    /// `dummy_numa_init` (v6.1/v6.8): one node 0 over `[0, PFN_PHYS(max_pfn))`. Its
    /// messages have no prefix.
    mutating func dummyNumaInit(log: inout KernelLog) -> Int {
        log.print(.info, "", numaOff ? "NUMA turned off" : "No NUMA configuration found")
        log.print(.info, "", "Faking a node at [mem \(Printk.hexAlt(0, width: 18))-\(Printk.hexAlt(maxAddress &- 1, width: 18))]")
        nodesParsed.insert(0)
        _ = numaAddMemblk(0, 0, maxAddress, log: &log)
        return 0
    }

    /// `numa_init_array` (v6.1/v6.8): every CPU id below nr_cpu_ids still without a
    /// node gets the online nodes in turn. It runs before CPUs are enumerated, so
    /// with no node known yet CPU i gets the (i mod n)-th online node; SRAT's
    /// APIC → node map overrides that later (`init_cpu_to_node`) for CPUs it knows.
    mutating func numaInitArray() {
        let online = onlineNodes.sorted()
        var index = 0
        // first_node() of an empty mask is MAX_NUMNODES, and so is next_node_in().
        for cpu in 0..<nrCPUIDs where cpuToNode[cpu] == NUMA_NO_NODE {
            cpuToNode[cpu] = online.isEmpty ? maxNumNodes : online[index]
            if !online.isEmpty { index = (index + 1) % online.count }
        }
    }

    /// `numa_reset_distance` (v6.1/v6.8): free the table (if one was allocated) and
    /// allow a new one to be created.
    mutating func numaResetDistance(memblock: inout Memblock, log: inout KernelLog) throws(KernelPanic) {
        if case .allocated(let table, let phys) = distance {
            try memblock.physFree(phys, UInt64(table.count * table.count), log: &log, caller: "numa_reset_distance")
        }
        distance = .none
    }

    /// `numa_alloc_distance` (v6.1/v6.8), called by the first `numa_set_distance`:
    /// cnt = highest node parsed or in the meminfo + 1, `memblock_phys_alloc_range(cnt²,
    /// PAGE_SIZE, 0, PFN_PHYS(max_pfn_mapped))`, 10 on the diagonal, 20 elsewhere, and a
    /// KERN_DEBUG printk (printed whatever the console level).
    mutating func numaAllocDistance(memblock: inout Memblock, log: inout KernelLog) throws(KernelPanic) -> Int {
        let nodes = nodesParsed.union(nodemaskFromMeminfo(meminfo))
        let count = (nodes.max() ?? -1) + 1
        let size = UInt64(count * count)
        guard let phys = try memblock.physAllocRange(size: size, align: profile.pageSize, start: 0, end: maxMappedAddress,
                                                     log: &log, caller: "numa_alloc_distance") else {
            log.print(.warning, "", "Warning: can't allocate distance table!")
            distance = .failed
            return -Errno.ENOMEM
        }
        distance = .allocated(DistanceTable(count: count), phys: phys)
        log.print(.debug, "", "NUMA: Initialized distance table, cnt=\(count)")
        return 0
    }

    /// `numa_set_distance` (v6.1/v6.8): creates the table on first use; ids outside it,
    /// a distance that does not fit a byte, or a non-10 self distance are ignored with
    /// one `pr_warn_once` each (after a failed allocation cnt is 0, so every id is out
    /// of bound).
    mutating func numaSetDistance(_ from: Int, _ to: Int, _ value: Int,
                                  memblock: inout Memblock, log: inout KernelLog) throws(KernelPanic) {
        if distance == .none, try numaAllocDistance(memblock: &memblock, log: &log) < 0 { return }
        let count = distance.count
        if from >= count || to >= count || from < 0 || to < 0 {
            warnOnce("bound", "Warning: node ids are out of bound, from=\(from) to=\(to) distance=\(value)", log: &log)
            return
        }
        if value < 0 || value > 255 || (from == to && value != DistanceTable.localDistance) {
            warnOnce("param", "Warning: invalid distance parameter, from=\(from) to=\(to) distance=\(value)", log: &log)
            return
        }
        if case .allocated(var table, let phys) = distance {
            table.entries[from * count + to] = UInt8(value)
            distance = .allocated(table, phys: phys)
        }
    }

    /// The distance table as `__node_distance` reads it (cnt 0 without one).
    var distanceTable: DistanceTable {
        if case .allocated(let table, _) = distance { return table }
        return DistanceTable(count: 0)
    }

    /// `pr_warn_once` of arch/x86/mm/numa.c (no pr_fmt): each call site prints once per boot.
    mutating func warnOnce(_ site: String, _ text: String, log: inout KernelLog) {
        guard warnedOnce.insert(site).inserted else { return }
        log.print(.warning, "", text)
    }
}
