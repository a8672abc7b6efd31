import KernelSupport
import Memblock

/// The part of x86_64's `setup_arch` (arch/x86/kernel/setup.c, v6.1/v6.8/v6.12) that
/// decides what `setup_per_cpu_areas` sees: memblock as `e820__memblock_setup` and
/// `init_mem_mapping` leave it, `initmem_init` → `x86_numa_init`, the memory-less nodes
/// `free_area_init` gives a pgdat, the MADT walk with `prefill_possible_map` (v6.12:
/// `topology_apply_cmdline_limits_early` … `topology_init_possible_cpus`, which print
/// after the NUMA lines), and `init_cpu_to_node`.
enum X86SetupArch {
    /// Builds the topology, printing what the kernel prints on the way.
    static func run(_ platform: Platform, profile: ArchProfile, cmdline: KernelCommandLine,
                    memblock: inout Memblock, log: inout KernelLog) throws -> Topology {
        let acpi: ACPIFirmware
        switch platform.firmware {
        case .acpi(let firmware): acpi = firmware
        case .deviceTree:
            throw BootError.emulation("x86_64 with device-tree firmware (of_numa_init, x86_flattree_get_config) is not emulated; describe the machine's ACPI tables")
        }
        let config = profile.config
        var nrCPUIDs = config.nrCpus
        if let n = cmdline.nrCPUs, n > 0, n < nrCPUIDs { nrCPUIDs = n }   // kernel/smp.c nrcpus()
        let maxPFN = maxPFN(memblock, profile: profile)
        var numa = X86NUMA(profile: profile, numaOff: cmdline.numaOff, sratDisabled: numaNoACPI(cmdline),
                           maxPFN: maxPFN, maxMappedAddress: memblock.currentLimit, nrCPUIDs: nrCPUIDs)
        numa.emuCmdline = config.numaEmu ? cmdline.numaFake : nil
        var method = Topology.Method.none
        // A KernelPanic thrown here is the emulated kernel's panic (Boot reports it).
        if config.numa {
            method = try numa.x86NumaInit(acpi: acpi, acpiDisabled: cmdline.acpiOff, memblock: &memblock, log: &log)
            // 5.18+: free_area_init gives CPU-only nodes their pgdat; before, init_cpu_to_node (below).
            if profile.kernel.has(.x86MemorylessNodesInFreeAreaInit) {
                try freeAreaInitMemorylessNodes(&numa, memblock: &memblock, log: &log)
            }
        } else {
            numa.possibleNodes = [0]
            numa.onlineNodes = [0]
            numa.cpuToNode = Array(repeating: 0, count: numa.cpuToNode.count)
        }
        let maxCPUs = maxCPUs(cmdline, nrCPUs: config.nrCpus)
        // v6.9+: topology_apply_cmdline_limits_early, the MADT walk and topology_init_possible_cpus.
        let cpus = profile.kernel.has(.x86CPUTopologyRewrite)
            ? X86CPUTopology.enumerate(acpi, nrCPUIDs: nrCPUIDs, maxCPUs: maxCPUs, possibleCPUs: cmdline.possibleCPUs, log: &log)
            : X86CPUs.enumerate(acpi, kernel: profile.kernel, nrCPUIDs: nrCPUIDs, maxCPUs: maxCPUs,
                                possibleCPUs: cmdline.possibleCPUs, log: &log)
        if config.numa {
            if profile.kernel.has(.x86MemorylessNodesInFreeAreaInit) {
                _ = cpus.initCPUToNode(numa: &numa)
            } else {
                try X86NUMA.legacyInitCPUToNode(cpus, numa: &numa, memblock: &memblock, log: &log)
            }
        }
        let nodes = numa.possibleNodes.sorted()
        let cpuToNode = (0..<cpus.nrCPUIDs).map { $0 < numa.cpuToNode.count ? numa.cpuToNode[$0] : NUMA_NO_NODE }
        return Topology(method: method, numaOff: cmdline.numaOff, possibleCPUs: cpus.possible, nrCPUIDs: cpus.nrCPUIDs,
                        cpuToNode: cpuToNode, nodes: nodes,
                        nodeMemory: NUMAInit.nodeMemory(memblock, nodes: nodes, allOnNodeZero: !config.numa),
                        nodeData: numa.nodeData, distances: numa.distanceTable)
    }

    /// `free_area_init` (mm/page_alloc.c v6.1 / mm/mm_init.c v6.8) for possible nodes that
    /// are not online (CPU-only SRAT domains): a pgdat from `arch_alloc_nodedata` =
    /// `memblock_alloc(sizeof(pg_data_t), SMP_CACHE_BYTES)`, so that `pcpu_fc_alloc` later
    /// finds NODE_DATA once `init_cpu_to_node` brings the node online. 6.1 says
    /// `Initializing node %d as memoryless` (dropped in 6.7) and only reports a failed
    /// allocation; 6.8 panics, and so does 6.12's `alloc_offline_node_data`. The sizeof is taken as the profile's page-rounded NODE_DATA
    /// size (the exact struct size is not in any log). Everything else `paging_init`
    /// allocates (sparse_init's mem_map) is not emulated: `--memblock-from` a real log
    /// replays it instead.
    static func freeAreaInitMemorylessNodes(_ numa: inout X86NUMA, memblock: inout Memblock,
                                            log: inout KernelLog) throws(KernelPanic) {
        for nid in numa.possibleNodes.sorted() where !numa.onlineNodes.contains(nid) {
            if !numa.profile.kernel.has(.x86MemorylessNodeMessageDropped) { log.print(.info, "", "Initializing node \(nid) as memoryless") }
            let size = numa.profile.pgDataSize
            // v6.12: free_area_init → alloc_offline_node_data (mm/numa.c), the same memblock_alloc.
            let caller = numa.profile.kernel.has(.x86AllocOfflineNodeData) ? "alloc_offline_node_data" : "free_area_init"
            guard let phys = try memblock.alloc(size: size, align: numa.profile.smpCacheBytes, log: &log, caller: caller) else {
                if numa.profile.kernel.has(.x86NodeDataAllocPanics) { throw KernelPanic("Cannot allocate \(size)B for node \(nid).") }
                log.print(.err, "", "Cannot allocate \(size)B for node \(nid).")
                continue
            }
            numa.nodeData[nid] = phys
        }
    }

    /// `setup_max_cpus`: NR_CPUS, `maxcpus=N`, or 0 with `nosmp` (kernel/smp.c).
    static func maxCPUs(_ cmdline: KernelCommandLine, nrCPUs: Int) -> Int {
        var value = nrCPUs
        for word in cmdline.words {
            if word == "nosmp" { value = 0 }
            if word.hasPrefix("maxcpus="), let n = Int(word.dropFirst("maxcpus=".count)), n >= 0 { value = n }
        }
        return value
    }

    /// `numa=noacpi` (x86 `numa_setup`: `disable_srat()`).
    static func numaNoACPI(_ cmdline: KernelCommandLine) -> Bool {
        cmdline.words.contains { $0.hasPrefix("numa=noacpi") }
    }

    /// `max_pfn` = `e820__end_of_ram_pfn()`: the end of the last RAM region (memblock's
    /// memory is e820 RAM trimmed to pages, so its end is the same page frame), never
    /// beyond MAX_ARCH_PFN (2^46 bytes with 4-level paging, 2^52 with 5-level).
    static func maxPFN(_ memblock: Memblock, profile: ArchProfile) -> UInt64 {
        let physBits: UInt64 = profile.pagingMode == .level5 ? 52 : 46
        let maxArchPFN: UInt64 = 1 << (physBits - UInt64(profile.pageShift))
        return min(memblock.endOfDRAM >> UInt64(profile.pageShift), maxArchPFN)
    }

    /// `memblock.current_limit` from `init_mem_mapping()` on: `get_max_mapped()` =
    /// `PFN_PHYS(max_pfn_mapped)`. On x86_64 `init_mem_mapping` maps all RAM below
    /// max_pfn (`memory_map_top_down(ISA_END_ADDRESS, max_pfn << PAGE_SHIFT)`), so it is
    /// `PFN_PHYS(max_pfn)`, as the log's `numa_alloc_distance … max_addr=` shows.
    static func currentLimit(maxPFN: UInt64, profile: ArchProfile) -> UInt64 {
        maxPFN << UInt64(profile.pageShift)
    }

    /// memblock before NUMA init on x86_64: the platform's `memblock.memory` is the e820
    /// RAM as `e820__memblock_setup` adds it (with the BIOS' page 0 already taken out);
    /// without it, the SRAT memory ranges stand in. `memblock_trim_memory(PAGE_SIZE)`
    /// follows (leaving the memory size counter stale, as in real x86 dumps), then the
    /// platform's reserved ranges. With `movable_node`, allocations are bottom-up until
    /// NUMA init; the limit is `get_max_mapped()`. The calls are not traced: the e820
    /// part runs before anything this emulator prints.
    static func initialMemblock(_ platform: Platform, profile: ArchProfile,
                                cmdline: KernelCommandLine) throws(BootError) -> Memblock {
        if case .deviceTree = platform.firmware {
            throw .emulation("x86_64 with device-tree firmware (of_numa_init, x86_flattree_get_config) is not emulated; describe the machine's ACPI tables")
        }
        var memblock = Memblock(profile: profile.memblockProfile)
        var quiet = KernelLog()
        var ram = platform.memblock.memory
        if ram.isEmpty, case .acpi(let acpi) = platform.firmware {
            ram = acpi.memory.filter(\.enabled).map { PhysRange(base: $0.base, size: $0.length) }
        }
        do {
            for range in ram { try memblock.add(range.base, range.size, log: &quiet, caller: "e820__memblock_setup") }
            memblock.trimMemory(align: profile.pageSize)
            for range in platform.memblock.reserved {
                try memblock.reserve(range.base, range.size, log: &quiet, caller: "setup_arch")
            }
        } catch {
            throw .emulation("memblock: \(error.message)")
        }
        if memblock.memory.isEmpty {
            throw .emulation("the platform describes no RAM (memblock.memory: the e820 RAM map, or SRAT memory ranges)")
        }
        memblock.debug = cmdline.memblockDebug
        memblock.movableNode = cmdline.movableNode
        memblock.bottomUp = cmdline.movableNode
        memblock.currentLimit = currentLimit(maxPFN: maxPFN(memblock, profile: profile), profile: profile)
        return memblock
    }

    /// Memblock replayed from a real log's last dump (after NUMA init): the same
    /// current_limit — `last_pfn = %#lx` of the log's `e820__end_of_ram_pfn`, else the
    /// end of the dump's RAM — and `movable_node`'s skipping of hot-pluggable memory.
    /// NUMA init has already made allocations top-down again.
    static func adoptReplayedMemblock(_ memblock: inout Memblock, logText: String, profile: ArchProfile,
                                      cmdline: KernelCommandLine) {
        let pfn = lastPFN(inLog: logText) ?? maxPFN(memblock, profile: profile)
        memblock.currentLimit = currentLimit(maxPFN: pfn, profile: profile)
        memblock.movableNode = cmdline.movableNode
        memblock.bottomUp = cmdline.movableNode && !profile.config.numa
    }

    /// The `last_pfn` of `e820: last_pfn = 0x7ffe0 max_arch_pfn = 0x10000000000`
    /// (printed as `last_pfn = …` by Debian's 6.1), the first such line of the log.
    static func lastPFN(inLog text: String) -> UInt64? {
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            guard let range = line.range(of: "last_pfn = 0x"), line.contains(" max_arch_pfn = ") else { continue }
            let digits = line[range.upperBound...].prefix { $0.isHexDigit }
            if let value = UInt64(digits, radix: 16) { return value }
        }
        return nil
    }
}
