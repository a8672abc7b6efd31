import KernelSupport
import Memblock

/// Which first-chunk allocator built the first chunk.
public enum FirstChunkKind: String, Sendable, Codable {
    /// `pcpu_embed_first_chunk`: units in the linear map.
    case embed
    /// `pcpu_page_first_chunk`: pages mapped into vmalloc space.
    case page
    /// UP `setup_per_cpu_areas`: one identity-mapped unit.
    case up
}

/// What `setup_per_cpu_areas` produced.
struct PercpuOutcome {
    var kind: FirstChunkKind?
    var placed: PlacedFirstChunk?
    var setup: PcpuSetupResult?
    /// The embed attempt that failed before a fallback, with its -errno.
    var embedFailure: Int?
}

/// `pcpu_fc_names[]`.
enum PcpuFirstChunkChoice: String {
    case auto, embed, page
}

extension PercpuContext {
    /// `percpu_alloc_setup` (early param `percpu_alloc=`, SMP only): exact
    /// names, each accepted only when its allocator is configured.
    static func chosenFirstChunk(_ cmdline: KernelCommandLine, profile: ArchProfile, log: inout KernelLog) -> PcpuFirstChunkChoice {
        let config = profile.config
        guard config.smp, let value = cmdline.percpuAlloc else { return .auto }
        if value.isEmpty { return .auto }       // "Malformed early option" is printed by the parser
        if value == "embed" && config.needPerCpuEmbedFirstChunk { return .embed }
        if value == "page" && config.needPerCpuPageFirstChunk { return .page }
        log.print(.warning, profile.kernel.has(.percpuPrFmt) ? prefix : "PERCPU: ", "unknown allocator \(value) specified")
        return .auto
    }

    /// `setup_per_cpu_areas` of `drivers/base/arch_numa.c` (v6.8; arm64 and
    /// riscv64 with CONFIG_NUMA): embed with node distances unless
    /// `percpu_alloc=page`, then the page allocator if embed failed.
    /// Before v5.16 (5.10 profile) arm64 had no page fallback.
    mutating func setupPerCpuAreasArchNUMA(choice: PcpuFirstChunkChoice) throws(PercpuEmulationFailure) -> PercpuOutcome {
        var outcome = PercpuOutcome()
        let c = profile.percpu
        let topology = self.topology
        var rc = -Errno.EINVAL
        if choice != .page {
            let distance = PcpuDistanceFunction.nodes { topology.distances.distance($0, $1) }
            let (embedRC, placed, setup) = try pcpuEmbedFirstChunk(reservedSize: c.moduleReserve, dynSize: c.dynamicReserve,
                                                                   atomSize: profile.pageSize, distance: distance, nodeAware: true)
            rc = embedRC
            if rc == 0 {
                outcome.kind = .embed
                outcome.placed = placed
                outcome.setup = setup
            } else {
                outcome.embedFailure = rc
                if profile.config.needPerCpuPageFirstChunk {
                    log.print(.warning, "NUMA: ", "PERCPU: \(choice.rawValue) allocator failed (\(rc)), falling back to page size")
                }
            }
        }
        if rc < 0 && profile.config.needPerCpuPageFirstChunk {
            let (pageRC, placed, setup) = try pcpuPageFirstChunk(nodeAware: true, reservedSize: c.moduleReserve)
            rc = pageRC
            if rc == 0 {
                outcome.kind = .page
                outcome.placed = placed
                outcome.setup = setup
            }
        }
        if rc < 0 {
            throw .panic(KernelPanic(!profile.kernel.has(.percpuInitFailPrintsErr) ? "Failed to initialize percpu areas."
                                                             : "Failed to initialize percpu areas (err=\(rc))."))
        }
        return outcome
    }

    /// The generic SMP `setup_per_cpu_areas` of mm/percpu.c (v6.8), used without
    /// CONFIG_NUMA and on nommu: embed only, one group, atom PAGE_SIZE.
    mutating func setupPerCpuAreasGeneric() throws(PercpuEmulationFailure) -> PercpuOutcome {
        let c = profile.percpu
        let (rc, placed, setup) = try pcpuEmbedFirstChunk(reservedSize: c.moduleReserve, dynSize: c.dynamicReserve,
                                                          atomSize: profile.pageSize, distance: .none, nodeAware: false)
        if rc < 0 { throw .panic(KernelPanic("Failed to initialize percpu areas.")) }
        return PercpuOutcome(kind: .embed, placed: placed, setup: setup)
    }

    /// The UP `setup_per_cpu_areas` of mm/percpu.c (v6.8, !CONFIG_SMP): one unit of
    /// roundup_pow_of_two(max(PCPU_MIN_UNIT_SIZE, PERCPU_DYNAMIC_RESERVE)) bytes,
    /// all of it dynamic, identity mapped.
    mutating func setupPerCpuAreasUP() throws(PercpuEmulationFailure) -> PercpuOutcome {
        let c = profile.percpu
        guard let unitSize = roundUpPowerOfTwo(max(c.minUnitSize, c.dynamicReserve)) else {
            throw .input(.overflow("UP unit size"))
        }
        let aiSize = try pfnAlign(PcpuAllocInfo.structureSize(nrGroups: 1, nrUnits: 1), "alloc info size")
        let goal = profile.perCPUAllocationGoal(dramStart: dramStart)
        let aiPhys: UInt64?, fc: UInt64?
        do {
            aiPhys = try memblockAlloc(aiSize, profile.pageSize, caller: "setup_per_cpu_areas")
            fc = try memblock.allocFrom(size: unitSize, align: profile.pageSize, minAddr: goal, log: &log, caller: "setup_per_cpu_areas")
        } catch { throw .panic(error) }
        guard let aiPhys, let fc else { throw .panic(KernelPanic("Failed to allocate memory for percpu areas.")) }
        let ai = PcpuAllocInfo(staticSize: 0, reservedSize: 0, dynSize: unitSize, unitSize: unitSize, atomSize: unitSize,
                               allocSize: unitSize, groups: [PcpuGroupInfo(nrUnits: 1, baseOffset: 0, cpuMap: [0])],
                               emptyUnit: nrCPUs, aiSize: aiSize, aiPhys: aiPhys)
        // Identity mapping: the unit's address is its linear-map address (nommu: the physical one).
        let base = profile.linearVirtual(fc, dramStart: dramStart)
        let setup = try pcpuSetupFirstChunk(ai, baseAddr: base)
        try pcpuFreeAllocInfo(ai)
        let placed = PlacedFirstChunk(ai: ai, baseAddr: base, groupPhys: [fc], unitPagesPhys: [], maxDistance: nil)
        return PercpuOutcome(kind: .up, placed: placed, setup: setup)
    }
}
