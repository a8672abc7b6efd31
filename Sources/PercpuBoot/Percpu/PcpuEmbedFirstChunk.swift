import KernelSupport

/// A first chunk as one of the allocators placed it.
struct PlacedFirstChunk: Equatable, Sendable {
    var ai: PcpuAllocInfo
    /// The chunk's base address (virtual: linear map for embed, vmalloc for page).
    var baseAddr: UInt64
    /// Physical address of each group's area (embed) — or, for the page chunk,
    /// of every page of every unit in unit order.
    var groupPhys: [UInt64]
    var unitPagesPhys: [UnitPages]
    /// embed: the span of the areas (`max_distance`).
    var maxDistance: UInt64?
}

extension PercpuContext {
    /// `pcpu_embed_first_chunk(reserved_size, dyn_size, atom_size, cpu_distance_fn, cpu_to_nd_fn)`
    /// (mm/percpu.c, v6.8; same in 6.1 and 6.12).
    ///
    /// Across versions: before 4.9 (`.percpuMaxDistanceHighestGroupSpan`,
    /// `.percpuMaxDistanceCheckBeforeCopy`) the distance was the highest group's start
    /// plus one unit, measured after the copy, and a failure leaked the areas; the
    /// summary line carried `@%p` until 5.1 and the `PERCPU: ` prefix until 4.6.
    ///
    /// Each group's units are one memblock allocation on the group's node,
    /// aligned to the atom size. The chunk spans from the lowest to the end of the
    /// highest allocation; if that `max_distance` exceeds 3/4 of the vmalloc
    /// space, later chunks could not be placed in the same shape, so with a page
    /// allocator to fall back to it returns -EINVAL. Unused units and each unit's
    /// tail beyond static+reserved+dynamic are given back to memblock.
    /// Returns 0 or -errno, and the placed chunk on success.
    mutating func pcpuEmbedFirstChunk(reservedSize: UInt64, dynSize: UInt64, atomSize: UInt64,
                                      distance: PcpuDistanceFunction, nodeAware: Bool)
        throws(PercpuEmulationFailure) -> (Int, PlacedFirstChunk?, PcpuSetupResult?) {
        guard var ai = try pcpuBuildAllocInfo(reservedSize: reservedSize, dynSize: dynSize, atomSize: atomSize,
                                              distance: distance) else {
            embedResult = -Errno.ENOMEM
            return (-Errno.ENOMEM, nil, nil)
        }
        let sizeSum = ai.sizeSum
        let areasSize = try pfnAlign(UInt64(ai.groups.count) * 8, "areas array size")
        var rc = 0
        var areas: [UInt64?] = []
        var areasPhys: UInt64?
        var placed: PlacedFirstChunk?
        var setup: PcpuSetupResult?
        do { areasPhys = try memblockAlloc(areasSize, profile.smpCacheBytes, caller: "pcpu_embed_first_chunk") } catch { throw .panic(error) }

        body: do {
            guard areasPhys != nil else { rc = -Errno.ENOMEM; break body }
            // Allocate, one group at a time.
            var base = UInt64.max
            var highestGroup = 0
            for (g, group) in ai.groups.enumerated() {
                guard let cpu = group.cpuMap.first(where: { $0 != ai.emptyUnit }) else {
                    throw .panic(KernelPanic("kernel BUG at mm/percpu.c: pcpu_embed_first_chunk: group \(g) has no CPU"))
                }
                let size = UInt64(group.nrUnits) * ai.unitSize    // bounded: nrUnits ≤ 8192, unit ≤ 1 GiB + atom
                guard let ptr = try pcpuFcAlloc(cpu: cpu, size: size, align: atomSize, nodeAware: nodeAware) else {
                    rc = -Errno.ENOMEM
                    break
                }
                areas.append(ptr)
                base = min(ptr, base)
                if ptr > (areas[highestGroup] ?? 0) { highestGroup = g }
            }
            if rc == 0 {
                let highest = areas[highestGroup]!
                // ≥ 4.9: the highest group's whole span; before, the highest group's start + one unit.
                let maxDistance = profile.kernel.has(.percpuMaxDistanceHighestGroupSpan)
                    ? (highest - base) &+ ai.unitSize &* UInt64(ai.groups[highestGroup].nrUnits)
                    : (highest - base) &+ ai.unitSize
                if profile.kernel.has(.percpuMaxDistanceCheckBeforeCopy) {
                    rc = checkMaxDistance(maxDistance)
                    if rc == 0 {
                        placed = try pcpuEmbedCommit(&ai, areas: areas.map { $0! }, base: base, sizeSum: sizeSum, maxDistance: maxDistance)
                    }
                } else {
                    // ≤ 4.8 copied and trimmed the units first; a failed check then went to
                    // out_free and leaked the areas (9b7396624a7b fixed that in 4.9).
                    let committed = try pcpuEmbedCommit(&ai, areas: areas.map { $0! }, base: base, sizeSum: sizeSum, maxDistance: maxDistance)
                    rc = checkMaxDistance(maxDistance)
                    if rc == 0 { placed = committed } else { areas = [] }
                }
            }
            if rc != 0 {
                // out_free_areas: give back every group allocated so far, whole.
                for (g, area) in areas.enumerated() {
                    if let area { try pcpuFcFree(area, UInt64(ai.groups[g].nrUnits) * ai.unitSize, caller: "pcpu_embed_first_chunk") }
                }
            }
        }
        if let placed, rc == 0 {
            log.print(.info, percpuPrefix, "Embedded \(sizeSum >> UInt64(profile.pageShift)) pages/cpu\(summaryAddress(placed.baseAddr)) s\(ai.staticSize) r\(ai.reservedSize) d\(ai.dynSize) u\(ai.unitSize)")
            setup = try pcpuSetupFirstChunk(ai, baseAddr: placed.baseAddr)
        }
        // out_free: pcpu_free_alloc_info(ai), then the areas array.
        try pcpuFreeAllocInfo(ai, inlinedInto: "pcpu_embed_first_chunk")
        if let areasPhys { try pcpuFcFree(areasPhys, areasSize, caller: "pcpu_embed_first_chunk") }
        embedResult = rc
        return (rc, placed, setup)
    }

    /// The distance check: warn when `max_distance` exceeds 3/4 of VMALLOC_TOTAL (unsigned
    /// long arithmetic, as in C) and fail with -EINVAL when a page first chunk can take over.
    private mutating func checkMaxDistance(_ maxDistance: UInt64) -> Int {
        let vmallocTotal = profile.vmallocTotal
        embedMaxDistance = maxDistance
        guard maxDistance > (vmallocTotal &* 3) / 4 else { return 0 }
        log.print(.warning, percpuPrefix, "max_distance=\(Printk.hexAlt(maxDistance)) too large for vmalloc space \(Printk.hexAlt(vmallocTotal))")
        return profile.config.needPerCpuPageFirstChunk ? -Errno.EINVAL : 0
    }

    /// The success path of `pcpu_embed_first_chunk` after the distance check:
    /// free empty units and unit tails, and set each group's base offset.
    private mutating func pcpuEmbedCommit(_ ai: inout PcpuAllocInfo, areas: [UInt64], base: UInt64,
                                          sizeSum: UInt64, maxDistance: UInt64) throws(PercpuEmulationFailure) -> PlacedFirstChunk {
        for (g, group) in ai.groups.enumerated() {
            var ptr = areas[g]
            for cpu in group.cpuMap {
                if cpu == ai.emptyUnit {
                    try pcpuFcFree(ptr, ai.unitSize, caller: "pcpu_embed_first_chunk")
                } else {
                    // Copy the static image, free the tail (a zero-length free is still issued).
                    try pcpuFcFree(ptr + sizeSum, ai.unitSize - sizeSum, caller: "pcpu_embed_first_chunk")
                }
                ptr += ai.unitSize
            }
        }
        for g in ai.groups.indices { ai.groups[g].baseOffset = areas[g] - base }
        return PlacedFirstChunk(ai: ai, baseAddr: profile.linearVirtual(base, dramStart: dramStart),
                                groupPhys: areas, unitPagesPhys: [], maxDistance: maxDistance)
    }

    /// `pcpu_free_alloc_info(ai)`: `memblock_free(ai, ai->__ai_size)`.
    ///
    /// The trace names the function the compiler left it in: Debian's arm64 6.1
    /// build keeps `pcpu_free_alloc_info`, its x86_64 build inlines it into
    /// `pcpu_embed_first_chunk` (both seen in the recorded logs).
    mutating func pcpuFreeAllocInfo(_ ai: PcpuAllocInfo, inlinedInto caller: String? = nil) throws(PercpuEmulationFailure) {
        let name = profile.arch == .x86_64 ? (caller ?? "pcpu_free_alloc_info") : "pcpu_free_alloc_info"
        try pcpuFcFree(ai.aiPhys, ai.aiSize, caller: name)
    }
}
