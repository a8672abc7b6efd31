import KernelSupport

/// `node-spacing`: node k's memory (in node-id order) moved to start at node
/// 0's start + k × spacing, carrying the reservations and memblock ranges that
/// lie inside it.
enum NodeSpacing {
    /// One node's memory: where it was and where it goes.
    struct Move {
        var oldStart: UInt64
        var oldEnd: UInt64
        var newStart: UInt64

        func contains(_ base: UInt64, _ size: UInt64) -> Bool {
            base >= oldStart && size <= oldEnd - base
        }

        func moved(_ base: UInt64) -> UInt64 { base - oldStart + newStart }
    }

    static func apply(_ spacing: UInt64, to platform: Platform) -> Result<Platform, SweepError> {
        var p = platform
        // Each node's ranges, by node id (device-tree numa-node-id or SRAT proximity domain).
        var spans: [UInt32: (start: UInt64, end: UInt64)] = [:]
        func note(_ node: UInt32, _ base: UInt64, _ size: UInt64) {
            let end = base &+ size
            let old = spans[node] ?? (base, end)
            spans[node] = (min(old.start, base), max(old.end, end))
        }
        switch platform.firmware {
        case .deviceTree(let dt):
            for memory in dt.memory {
                guard case .value(let node) = memory.numaNodeID else { continue }
                for reg in memory.regs { note(node, reg.base, reg.size) }
            }
        case .acpi(let acpi):
            for memory in acpi.memory { note(memory.proximityDomain, memory.base, memory.length) }
        }
        let nodes = spans.keys.sorted()
        guard nodes.count >= 2 else {
            return .failure(SweepError("node-spacing needs memory on at least two NUMA nodes; \(platform.name) has \(nodes.count)"))
        }
        let first = spans[nodes[0]]!.start
        var moves: [UInt32: Move] = [:]
        for (k, node) in nodes.enumerated() {
            let span = spans[node]!
            guard let offset = try? Checked.mul(UInt64(k), spacing),
                  let newStart = try? Checked.add(first, offset),
                  (try? Checked.add(newStart, span.end - span.start)) != nil else {
                return .failure(SweepError("node \(node) at spacing \(Printk.hexAlt(spacing)) would end past 2^64"))
            }
            if k + 1 < nodes.count, span.end - span.start > spacing {
                return .failure(SweepError("node \(node)'s memory spans \(Printk.hexAlt(span.end - span.start)), "
                                           + "more than the spacing \(Printk.hexAlt(spacing)): nodes would overlap"))
            }
            moves[node] = Move(oldStart: span.start, oldEnd: span.end, newStart: newStart)
        }
        let all = Array(moves.values)
        func relocate(_ range: PhysRange) -> PhysRange {
            guard let move = all.first(where: { $0.contains(range.base, range.size) }) else { return range }
            var r = range
            r.base = move.moved(range.base)
            return r
        }
        switch platform.firmware {
        case .deviceTree(var dt):
            for i in dt.memory.indices {
                guard case .value(let node) = dt.memory[i].numaNodeID, let move = moves[node] else { continue }
                dt.memory[i].regs = dt.memory[i].regs.map { var r = $0; r.base = move.moved($0.base); return r }
            }
            dt.reservations = dt.reservations.map(relocate)
            p.firmware = .deviceTree(dt)
        case .acpi(var acpi):
            for i in acpi.memory.indices {
                guard let move = moves[acpi.memory[i].proximityDomain] else { continue }
                acpi.memory[i].base = move.moved(acpi.memory[i].base)
            }
            p.firmware = .acpi(acpi)
        }
        p.memblock.memory = p.memblock.memory.map(relocate)
        p.memblock.reserved = p.memblock.reserved.map(relocate)
        return .success(p)
    }
}

/// `cpus`: the firmware's CPUs replaced by `count` CPUs; CPU i takes the node
/// (and flags) of original CPU ⌊i × original / count⌋, so each node keeps its
/// share in the same order. The original CPUs' hardware ids are kept for the
/// first ones (the boot CPU stays first); the rest get fresh ids above them.
enum CPUCount {
    static func apply(_ count: UInt64, to platform: Platform) -> Result<Platform, SweepError> {
        guard count >= 1, count <= 65536 else { return .failure(SweepError("CPU count \(count) is outside 1 ... 65536")) }
        let n = Int(count)
        var p = platform
        switch platform.firmware {
        case .deviceTree(var dt):
            let original = dt.cpus
            guard !original.isEmpty else { return .failure(SweepError("\(platform.name) has no CPUs to replicate")) }
            let top = original.compactMap(\.hardwareID).max() ?? 0
            dt.cpus = (0..<n).map { i in
                var cpu = original[i * original.count / n]
                cpu.hardwareID = i < original.count ? original[i].hardwareID : top &+ UInt64(i - original.count + 1)
                cpu.path = "/cpus/cpu@\(String(cpu.hardwareID ?? UInt64(i), radix: 16))"
                return cpu
            }
            p.firmware = .deviceTree(dt)
        case .acpi(var acpi):
            let original = acpi.processors
            guard !original.isEmpty else { return .failure(SweepError("\(platform.name) has no CPUs to replicate")) }
            let top = original.map(\.hardwareID).max() ?? 0
            acpi.processors = (0..<n).map { i in
                var cpu = original[i * original.count / n]
                cpu.hardwareID = i < original.count ? original[i].hardwareID : top &+ UInt64(i - original.count + 1)
                return cpu
            }
            p.firmware = .acpi(acpi)
        }
        return .success(p)
    }
}
