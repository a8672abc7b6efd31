import KernelSupport

/// How two CPUs' distance is judged when grouping (`pcpu_fc_cpu_distance_fn_t`).
enum PcpuDistanceFunction {
    /// NULL: every CPU in one group (generic setup, page first chunk).
    case none
    /// A node-to-node distance over `early_cpu_to_node` (arch_numa `pcpu_cpu_distance`,
    /// x86 `pcpu_cpu_distance` = 10 if same node else 20).
    case nodes((Int, Int) -> Int)
}

extension PercpuContext {
    /// `pcpu_build_alloc_info(reserved_size, dyn_size, atom_size, cpu_distance_fn)`
    /// (mm/percpu.c, v6.8; identical in 6.1 and 6.12).
    ///
    /// Groups the possible CPUs (a CPU joins the group of the lowest remaining
    /// CPU iff both distances to it are LOCAL_DISTANCE), picks the units per
    /// allocation (upa) that gives the fewest allocations without wasting more
    /// than a third of the CPUs' units, and lays the groups out back to back.
    /// The structure itself is allocated from memblock (`pcpu_alloc_alloc_info`),
    /// which is why this needs the context. Returns nil on -ENOMEM.
    mutating func pcpuBuildAllocInfo(reservedSize: UInt64, dynSize requestedDyn: UInt64, atomSize: UInt64,
                                     distance: PcpuDistanceFunction) throws(PercpuEmulationFailure) -> PcpuAllocInfo? {
        let constants = profile.percpu
        let pageSize = profile.pageSize
        // size_sum = PFN_ALIGN(static + reserved + max(dyn, EARLY_SIZE)); the dynamic area absorbs the round-up.
        let wanted = try add(try add(staticSize, reservedSize, "static + reserved size"),
                             max(requestedDyn, constants.dynamicEarlySize), "per-CPU size sum")
        let sizeSum = try pfnAlign(wanted, "per-CPU size sum")
        let dynSize = sizeSum - staticSize - reservedSize
        let minUnitSize = max(sizeSum, constants.minUnitSize)
        let allocSize = try roundUp(minUnitSize, atomSize, "allocation size")

        // Largest upa whose unit is a page-aligned divisor of the allocation.
        var maxUPA = allocSize / minUnitSize
        while maxUPA > 1 && (allocSize % maxUPA != 0 || (allocSize / maxUPA) % pageSize != 0) { maxUPA -= 1 }

        let groups = pcpuGroupCPUs(distance)
        let groupCounts = groups.map(\.count)
        let possible = UInt64(numPossibleCPUs)

        // Smallest upa that still achieves the allocation count of the first acceptable (largest) upa.
        var lastAllocs = UInt64.max
        var bestUPA: UInt64 = 0
        var upa = maxUPA
        while upa > 0 {
            defer { upa -= 1 }
            if allocSize % upa != 0 || (allocSize / upa) % pageSize != 0 { continue }
            var allocs: UInt64 = 0
            var wasted: UInt64 = 0
            for count in groupCounts {
                let thisAllocs = divRoundUp(UInt64(count), upa)
                allocs += thisAllocs
                wasted += thisAllocs * upa - UInt64(count)
            }
            // Don't accept if wastage is over 1/3; upa == 1 always passes.
            if wasted > possible / 3 { continue }
            if allocs > lastAllocs { break }
            lastAllocs = allocs
            bestUPA = upa
        }
        precondition(bestUPA > 0, "pcpu_build_alloc_info: BUG_ON(!best_upa)")  // unreachable: upa 1 never wastes
        let upaInt = Int(bestUPA)
        let unitsPerGroup = groupCounts.map { ($0 + upaInt - 1) / upaInt * upaInt }
        let nrUnits = unitsPerGroup.reduce(0, +)

        // pcpu_alloc_alloc_info: one memblock_alloc(PFN_ALIGN(ai_size), PAGE_SIZE).
        let aiSize = try pfnAlign(PcpuAllocInfo.structureSize(nrGroups: groups.count, nrUnits: nrUnits), "alloc info size")
        let aiPhys: UInt64?
        do { aiPhys = try memblockAlloc(aiSize, pageSize, caller: "pcpu_build_alloc_info") } catch { throw .panic(error) }
        guard let aiPhys else { return nil }

        let unitSize = allocSize / bestUPA
        var infos: [PcpuGroupInfo] = []
        var unit = 0
        for (g, cpus) in groups.enumerated() {
            var map = cpus
            map.append(contentsOf: repeatElement(nrCPUs, count: unitsPerGroup[g] - cpus.count))
            infos.append(PcpuGroupInfo(nrUnits: unitsPerGroup[g], baseOffset: UInt64(unit) * unitSize, cpuMap: map))
            unit += unitsPerGroup[g]
        }
        return PcpuAllocInfo(staticSize: staticSize, reservedSize: reservedSize, dynSize: dynSize,
                             unitSize: unitSize, atomSize: atomSize, allocSize: allocSize, groups: infos,
                             emptyUnit: nrCPUs, aiSize: aiSize, aiPhys: aiPhys)
    }

    /// The grouping loop of `pcpu_build_alloc_info`: repeatedly take the lowest
    /// ungrouped CPU and every ungrouped CPU at LOCAL_DISTANCE both ways from it
    /// (v5.11+, commit d7d29ac76f7e "mm/percpu: reduce the number of cpu distance
    /// comparisons"; before it, a first-fit loop that gives the same groups when
    /// only a node's own distance is LOCAL, as numa_set_distance and the SLIT and
    /// distance-map checks guarantee).
    ///
    /// The kernel's loop is O(CPUs²) distance calls. The distance depends only on
    /// the two CPUs' nodes, and a node's own distance is LOCAL_DISTANCE (the
    /// diagonal numa_set_distance enforces; x86 compares nodes), so CPUs are
    /// bucketed by node in order of their first CPU and whole buckets join or
    /// stay: O(CPUs + nodes²) with plain arrays, the same groups in the same order.
    func pcpuGroupCPUs(_ distance: PcpuDistanceFunction) -> [[Int]] {
        let cpus = topology.possibleCPUs
        guard case .nodes(let fn) = distance else { return cpus.isEmpty ? [] : [cpus] }
        var bucketOfNode: [Int: Int] = [:]
        var buckets: [[Int]] = []
        var bucketNode: [Int] = []
        for cpu in cpus {
            let node = topology.node(ofCPU: cpu)
            if let b = bucketOfNode[node] {
                buckets[b].append(cpu)
            } else {
                bucketOfNode[node] = buckets.count
                buckets.append([cpu])
                bucketNode.append(node)
            }
        }
        let local = DistanceTable.localDistance
        var consumed = [Bool](repeating: false, count: buckets.count)
        var grouped: [[Int]] = []
        for leader in buckets.indices where !consumed[leader] {
            // Buckets are in order of their first CPU: the first unconsumed one holds the lowest ungrouped CPU.
            consumed[leader] = true
            let leaderNode = bucketNode[leader]
            var members = buckets[leader]
            var joined = false
            for other in (leader + 1)..<buckets.count where !consumed[other] {
                let node = bucketNode[other]
                if fn(leaderNode, node) == local && fn(node, leaderNode) == local {
                    members += buckets[other]
                    consumed[other] = true
                    joined = true
                }
            }
            grouped.append(joined ? members.sorted() : members)
        }
        return grouped
    }

    private func add(_ a: UInt64, _ b: UInt64, _ what: String) throws(PercpuEmulationFailure) -> UInt64 {
        do { return try Checked.add(a, b, what) } catch { throw .input(.overflow(error.what)) }
    }

    private func roundUp(_ a: UInt64, _ b: UInt64, _ what: String) throws(PercpuEmulationFailure) -> UInt64 {
        do { return try Checked.roundUp(a, b, what) } catch { throw .input(.overflow(error.what)) }
    }
}

/// What can stop the per-CPU emulation: an emulated kernel panic, or input the
/// emulator cannot represent.
enum PercpuEmulationFailure: Error {
    case panic(KernelPanic)
    case input(PercpuError)
}
