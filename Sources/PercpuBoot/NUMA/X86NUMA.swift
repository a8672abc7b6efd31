import KernelSupport
import Memblock

/// The file-static state of arch/x86/mm/numa.c, arch/x86/mm/srat.c and the x86-relevant
/// part of drivers/acpi/numa/srat.c (v6.1; v6.8 is identical for what is emulated; v6.12
/// keeps the meminfo and distance part in mm/numa_memblks.c), as one value:
/// `numa_nodes_parsed`, `numa_meminfo` and the distance table (`memblks`),
/// `__apicid_to_node`, `pxm_to_node_map`, `node_possible_map`/`node_online_map`,
/// `node_data[]` and the early `x86_cpu_to_node_map`.
struct X86NUMA {
    let profile: ArchProfile
    /// `numa_off` (`numa=off`; unlike arch_numa, the dummy init does not set it on x86).
    let numaOff: Bool
    /// `max_pfn` (`e820__end_of_ram_pfn()`).
    let maxPFN: UInt64
    /// `PFN_PHYS(max_pfn_mapped)`: the 6.1/6.8 distance table's allocation limit.
    let maxMappedAddress: UInt64
    /// nr_cpu_ids while NUMA init runs: NR_CPUS, or `nr_cpus=` (the possible map comes later).
    let nrCPUIDs: Int

    /// `emu_cmdline`: what followed `numa=fake=` (CONFIG_NUMA_EMU), nil without it.
    var emuCmdline: String?
    /// `srat_disabled()` (`acpi_numa < 0`: `numa=noacpi`, or `bad_srat()`).
    var sratDisabled: Bool
    /// `numa_nodes_parsed`, `numa_meminfo`, `numa_reserved_meminfo`, the distance table.
    var memblks: NumaMemblks
    /// `__apicid_to_node[]` (only the entries that are not NUMA_NO_NODE).
    var apicidToNode: [UInt32: Int] = [:]
    /// `pxm_to_node_map[]` / `nodes_found_map`: never reset, so numbering survives retries.
    var domains: ProximityDomainMap
    var possibleNodes: Set<Int> = []
    var onlineNodes: Set<Int> = []
    /// `node_data[nid]`: where each NODE_DATA was allocated (physical).
    var nodeData: [Int: UInt64] = [:]
    /// The early `x86_cpu_to_node_map[]` (NUMA_NO_NODE initially), indexed by cpu < nrCPUIDs.
    var cpuToNode: [Int]

    /// MAX_LOCAL_APIC on 64-bit.
    static let maxLocalAPIC: UInt32 = 32768
    var maxNumNodes: Int { profile.config.maxNumNodes }
    /// mm/numa_memblks.c (v6.12) rather than arch/x86/mm/numa.c's own meminfo code.
    var usesNumaMemblks: Bool { profile.kernel.has(.numaMemblks) }

    init(profile: ArchProfile, numaOff: Bool, sratDisabled: Bool, maxPFN: UInt64, maxMappedAddress: UInt64, nrCPUIDs: Int) {
        self.profile = profile
        self.numaOff = numaOff
        self.sratDisabled = sratDisabled
        self.maxPFN = maxPFN
        self.maxMappedAddress = maxMappedAddress
        self.nrCPUIDs = nrCPUIDs
        self.cpuToNode = Array(repeating: NUMA_NO_NODE, count: max(nrCPUIDs, 1))
        self.domains = ProximityDomainMap(maxNumNodes: profile.config.maxNumNodes)
        let maxAddress = maxPFN &<< UInt64(profile.pageShift)
        let flavor: NumaMemblks.Flavor = profile.kernel.has(.numaMemblks)
            ? .numaMemblks : .x86Legacy(maxAddress: maxAddress, maxMappedAddress: maxMappedAddress)
        self.memblks = NumaMemblks(flavor: flavor, maxNumNodes: profile.config.maxNumNodes, pageSize: profile.pageSize,
                                   kernel: profile.kernel)
    }

    /// `PFN_PHYS(max_pfn)`.
    var maxAddress: UInt64 { maxPFN &<< UInt64(profile.pageShift) }

    /// The init functions `x86_numa_init` tries.
    enum Method { case acpi, dummy }

    /// `x86_numa_init` (arch/x86/mm/numa.c, v6.1/v6.8/v6.12): unless `numa=off`, SRAT
    /// (`x86_acpi_numa_init`, CONFIG_ACPI_NUMA); a method that succeeds ends it.
    /// CONFIG_AMD_NUMA's `amd_numa_init` finds no AMD northbridge on the emulated
    /// machines (-ENOENT, silently) and `of_numa_init` (acpi=off) has no device tree to
    /// read (6.12: it fails silently, its `r` starting at -EINVAL), so neither is
    /// emulated. Finally the dummy node, which cannot fail.
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
    /// v6.12 goes through `numa_memblks_init` instead (`numaInitNumaMemblks`).
    mutating func numaInit(_ method: Method, acpi: ACPIFirmware?, acpiDisabled: Bool,
                           memblock: inout Memblock, log: inout KernelLog) throws(KernelPanic) -> Int {
        if usesNumaMemblks {
            return try numaInitNumaMemblks(method, acpi: acpi, acpiDisabled: acpiDisabled, memblock: &memblock, log: &log)
        }
        apicidToNode = [:]
        memblks.nodesParsed = []
        possibleNodes = []
        onlineNodes = []
        memblks.meminfo = []
        try memblock.setNode(0, UInt64.max, type: .memory, nid: maxNumNodes, log: &log)
        try memblock.setNode(0, UInt64.max, type: .reserved, nid: maxNumNodes, log: &log)
        try memblock.clearHotplug(0, UInt64.max, log: &log)
        try memblks.resetDistance(memblock: &memblock, log: &log)

        var ret = try runInitFunction(method, acpi: acpi, acpiDisabled: acpiDisabled, memblock: &memblock, log: &log)
        if ret < 0 { return ret }
        // SRAT has been parsed: allocations go top-down again (movable_node made them bottom-up).
        memblock.bottomUp = false
        ret = memblks.cleanupMeminfo(memblock: memblock, log: &log)
        if ret < 0 { return ret }
        try numaEmulation(memblock: &memblock, log: &log)
        ret = try numaRegisterMemblks(memblock: &memblock, log: &log)
        if ret < 0 { return ret }
        finishCPUNodes()
        return 0
    }

    /// The `init_func` `numa_init` was given.
    mutating func runInitFunction(_ method: Method, acpi: ACPIFirmware?, acpiDisabled: Bool,
                                  memblock: inout Memblock, log: inout KernelLog) throws(KernelPanic) -> Int {
        switch method {
        case .acpi: try x86AcpiNumaInit(acpi, acpiDisabled: acpiDisabled, memblock: &memblock, log: &log)
        case .dummy: dummyNumaInit(log: &log)
        }
    }

    /// The end of `numa_init` (v6.1/v6.8/v6.12): CPUs whose node did not come online lose
    /// it, then `numa_init_array`.
    mutating func finishCPUNodes() {
        for cpu in 0..<nrCPUIDs where cpuToNode[cpu] != NUMA_NO_NODE && !onlineNodes.contains(cpuToNode[cpu]) {
            cpuToNode[cpu] = NUMA_NO_NODE
        }
        numaInitArray()
    }

    /// `dummy_numa_init` (v6.1/v6.8/v6.12): one node 0 over `[0, PFN_PHYS(max_pfn))`. Its
    /// messages have no prefix.
    mutating func dummyNumaInit(log: inout KernelLog) -> Int {
        log.print(.info, "", numaOff ? "NUMA turned off" : "No NUMA configuration found")
        log.print(.info, "", "Faking a node at [mem \(Printk.hexAlt(0, width: 18))-\(Printk.hexAlt(maxAddress &- 1, width: 18))]")
        memblks.nodesParsed.insert(0)
        _ = memblks.addMemblk(0, 0, maxAddress, log: &log)
        return 0
    }

    /// `numa_init_array` (v6.1/v6.8/v6.12): every CPU id below nr_cpu_ids still without a
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

    /// `numa_set_distance` (v6.1/v6.8 arch/x86/mm/numa.c, v6.12 mm/numa_memblks.c).
    mutating func numaSetDistance(_ from: Int, _ to: Int, _ value: Int,
                                  memblock: inout Memblock, log: inout KernelLog) throws(KernelPanic) {
        try memblks.setDistance(from, to, value, memblock: &memblock, log: &log)
    }

    /// The distance table as `__node_distance` reads it (cnt 0 without one).
    var distanceTable: DistanceTable { memblks.distanceTable }
}
