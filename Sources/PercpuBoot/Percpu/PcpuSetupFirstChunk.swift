import KernelSupport
import PercpuChunk

/// What `pcpu_setup_first_chunk` established.
public struct PcpuSetupResult: Equatable, Sendable, Codable {
    /// pcpu_base_addr.
    public var baseAddr: UInt64
    /// pcpu_unit_map[cpu] (nil for CPUs that are not possible), indexed by cpu < nr_cpu_ids.
    public var unitMap: [Int?]
    /// pcpu_unit_offsets[cpu].
    public var unitOffsets: [UInt64?]
    public var groupOffsets: [UInt64]
    public var groupSizes: [UInt64]
    /// pcpu_nr_units (empty units included).
    public var nrUnits: Int
    /// pcpu_low_unit_cpu / pcpu_high_unit_cpu.
    public var lowUnitCPU: Int
    public var highUnitCPU: Int
    /// The reserved and dynamic chunks with their bitmap metadata, slots and counters.
    public var firstChunk: PcpuFirstChunk
}

extension PercpuContext {
    /// `pcpu_setup_first_chunk(ai, base_addr)` (mm/percpu.c, v6.8; 6.1 adds the
    /// `!ai->dyn_size` check).
    ///
    /// Validates the layout (a failed check is the kernel's
    /// `failed to initialize, <condition>` emergency and BUG), allocates the
    /// group and unit tables, maps every possible CPU to its unit, dumps the
    /// layout at KERN_DEBUG, and builds the reserved and dynamic chunks.
    mutating func pcpuSetupFirstChunk(_ ai: PcpuAllocInfo, baseAddr: UInt64) throws(PercpuEmulationFailure) -> PcpuSetupResult {
        let c = profile.percpu
        let pageSize = profile.pageSize
        let sizeSum = ai.sizeSum
        let smp = profile.config.smp
        let checks: [(Bool, String)] = [
            (ai.groups.count <= 0, "ai->nr_groups <= 0"),
            (smp && ai.staticSize == 0, "!ai->static_size"),
            (baseAddr == 0, "!base_addr"),
            (baseAddr % pageSize != 0, "offset_in_page(base_addr)"),
            (ai.unitSize < sizeSum, "ai->unit_size < size_sum"),
            (ai.unitSize % pageSize != 0, "offset_in_page(ai->unit_size)"),
            (ai.unitSize < c.minUnitSize, "ai->unit_size < PCPU_MIN_UNIT_SIZE"),
            (ai.unitSize % pageSize != 0, "!IS_ALIGNED(ai->unit_size, PCPU_BITMAP_BLOCK_SIZE)"),
            (ai.dynSize < c.dynamicEarlySize, "ai->dyn_size < PERCPU_DYNAMIC_EARLY_SIZE"),
            (!profile.kernel.has(.percpuSetupNoDynSizeCheck) && ai.dynSize == 0, "!ai->dyn_size"),
            (ai.reservedSize % c.minAllocSize != 0, "!IS_ALIGNED(ai->reserved_size, PCPU_MIN_ALLOC_SIZE)"),
        ]
        for (failed, condition) in checks where failed { throw setupBug(ai, condition) }
        if !pcpuVerifyAllocInfo(ai) { throw setupBug(ai, "pcpu_verify_alloc_info(ai) < 0") }

        let nrCPUIDs = topology.nrCPUIDs
        let groupCount = UInt64(ai.groups.count)
        for (size, _) in [(groupCount * 8, "group_offsets"), (groupCount * 8, "group_sizes"),
                          (UInt64(nrCPUIDs) * 4, "unit_map"), (UInt64(nrCPUIDs) * 8, "unit_off")] {
            try setupAlloc(size, caller: "pcpu_setup_first_chunk")
        }

        var unitMap = [Int?](repeating: nil, count: nrCPUIDs)
        var unitOffsets = [UInt64?](repeating: nil, count: nrCPUIDs)
        var groupOffsets: [UInt64] = []
        var groupSizes: [UInt64] = []
        var lowUnitCPU = -1, highUnitCPU = -1
        var unit = 0
        let possible = Set(topology.possibleCPUs)
        for group in ai.groups {
            groupOffsets.append(group.baseOffset)
            groupSizes.append(UInt64(group.nrUnits) * ai.unitSize)
            for (i, cpu) in group.cpuMap.enumerated() where cpu != ai.emptyUnit {
                if cpu >= nrCPUIDs { throw setupBug(ai, "cpu >= nr_cpu_ids") }
                if !possible.contains(cpu) { throw setupBug(ai, "!cpu_possible(cpu)") }
                if unitMap[cpu] != nil { throw setupBug(ai, "unit_map[cpu] != UINT_MAX") }
                let offset = group.baseOffset + UInt64(i) * ai.unitSize
                unitMap[cpu] = unit + i
                unitOffsets[cpu] = offset
                if lowUnitCPU < 0 || offset < unitOffsets[lowUnitCPU]! { lowUnitCPU = cpu }
                if highUnitCPU < 0 || offset > unitOffsets[highUnitCPU]! { highUnitCPU = cpu }
            }
            unit += group.nrUnits
        }
        for cpu in topology.possibleCPUs where cpu >= nrCPUIDs || unitMap[cpu] == nil {
            throw setupBug(ai, "unit_map[cpu] == UINT_MAX")
        }
        pcpuDumpAllocInfo(.debug, ai)

        let config = PcpuChunkConfig(kernel: profile.kernel, pageSize: pageSize)
        let chunks: PcpuFirstChunk
        let allocations: [PcpuMetadataAllocation]
        do {
            (chunks, allocations) = try pcpuFirstChunk(baseAddr: baseAddr, staticSize: ai.staticSize,
                                                       reservedSize: ai.reservedSize, dynSize: ai.dynSize,
                                                       unitSize: ai.unitSize, config: config)
        } catch { throw .panic(KernelPanic("pcpu_setup_first_chunk: \(error)")) }
        for allocation in allocations {
            try setupAlloc(allocation.size, caller: allocation.function)
        }
        return PcpuSetupResult(baseAddr: baseAddr, unitMap: unitMap, unitOffsets: unitOffsets,
                               groupOffsets: groupOffsets, groupSizes: groupSizes, nrUnits: unit,
                               lowUnitCPU: lowUnitCPU, highUnitCPU: highUnitCPU, firstChunk: chunks)
    }

    /// `memblock_alloc(size, SMP_CACHE_BYTES)` + `panic("%s: Failed to allocate %zu bytes\n")`;
    /// since `memblockAllocOrPanic` (6.14) `memblock_alloc_or_panic()`, traced from
    /// `__memblock_alloc_or_panic` and panicking with the size as `%pap`.
    mutating func setupAlloc(_ size: UInt64, caller: String) throws(PercpuEmulationFailure) {
        let phys: UInt64?
        do { phys = try memblockAlloc(size, profile.smpCacheBytes, caller: orPanicCaller(caller)) } catch { throw .panic(error) }
        guard phys == nil else { return }
        let shown = profile.kernel.has(.memblockAllocOrPanic) ? Printk.pa(size) : "\(size)"
        throw .panic(KernelPanic("\(caller): Failed to allocate \(shown) bytes"))
    }

    /// `PCPU_SETUP_BUG_ON(cond)`: the emergency lines, the dump at KERN_EMERG, BUG().
    private mutating func setupBug(_ ai: PcpuAllocInfo, _ condition: String) -> PercpuEmulationFailure {
        log.print(.emerg, percpuPrefix, "failed to initialize, \(condition)")
        log.print(.emerg, percpuPrefix, "cpu_possible_mask=\(cpuMaskBitmap(topology.possibleCPUs, bits: topology.nrCPUIDs))")
        pcpuDumpAllocInfo(.emerg, ai)
        return .panic(KernelPanic("kernel BUG at mm/percpu.c: pcpu_setup_first_chunk"))
    }

    /// `pcpu_verify_alloc_info` of the chunk backend: percpu-vm accepts anything;
    /// percpu-km (UP or nommu) needs one group and warns about the pages a
    /// power-of-two chunk allocation wastes.
    mutating func pcpuVerifyAllocInfo(_ ai: PcpuAllocInfo) -> Bool {
        guard !profile.config.smp || !profile.config.mmu else { return true }
        if ai.groups.count != 1 {
            log.print(.crit, Self.prefix, profile.kernel.has(.percpuPrFmt) ? "can't handle more than one group" : "can't handle more than one groups")
            return false
        }
        let nrPages = UInt64(ai.groups[0].nrUnits) * ai.unitSize >> UInt64(profile.pageShift)
        if let rounded = roundUpPowerOfTwo(nrPages), rounded > nrPages {
            log.print(.warning, Self.prefix, "wasting \(rounded - nrPages) pages per chunk")
        }
        return true
    }
}

/// `%*pbl`-style CPU list (`0-3,8`), as `cpumask_pr_args` prints with `%*pbl`.
func cpuMaskList(_ cpus: [Int]) -> String {
    var parts: [String] = []
    var i = 0
    while i < cpus.count {
        var j = i
        while j + 1 < cpus.count && cpus[j + 1] == cpus[j] + 1 { j += 1 }
        parts.append(i == j ? "\(cpus[i])" : "\(cpus[i])-\(cpus[j])")
        i = j + 1
    }
    return parts.joined(separator: ",")
}

/// `%*pb` of a cpumask with `bits` bits: hex in 32-bit chunks, most
/// significant first, comma separated; the first chunk as wide as its bits need.
func cpuMaskBitmap(_ cpus: [Int], bits: Int) -> String {
    guard bits > 0 else { return "" }
    var words = [UInt32](repeating: 0, count: (bits + 31) / 32)
    for cpu in cpus where cpu >= 0 && cpu < bits { words[cpu / 32] |= 1 << UInt32(cpu % 32) }
    var parts: [String] = []
    for index in stride(from: words.count - 1, through: 0, by: -1) {
        let chunkBits = index == words.count - 1 && bits % 32 != 0 ? bits % 32 : 32
        parts.append(Printk.hex(UInt64(words[index]), minDigits: (chunkBits + 3) / 4))
    }
    return parts.joined(separator: ",")
}
