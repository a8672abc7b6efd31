import KernelSupport
import Memblock

/// `drivers/of/of_numa.c` (v6.8; v6.12 where noted): NUMA from a device tree. CPU nodes, then
/// memory nodes, then the `numa-distance-map-v1` node, with the kernel's
/// checks and messages (prefix `OF: NUMA: `).
extension ArchNUMA {
    static let ofPrefix = "OF: NUMA: "

    /// `of_numa_init`: returns 0 or -errno (which makes `numa_init` fall back).
    mutating func ofNumaInit(_ dt: DeviceTreeFirmware, memblock: inout Memblock, log: inout KernelLog) throws(KernelPanic) -> Int {
        ofNumaParseCPUNodes(dt, log: &log)
        let r = ofNumaParseMemoryNodes(dt, memblock: &memblock, log: &log)
        if r != 0 { return r }
        return try ofNumaParseDistanceMap(dt, memblock: &memblock, log: &log)
    }

    /// `of_numa_parse_cpu_nodes`: each cpu node's own `numa-node-id` marks a node parsed.
    mutating func ofNumaParseCPUNodes(_ dt: DeviceTreeFirmware, log: inout KernelLog) {
        for cpu in dt.cpus where !cpu.isFailed {
            guard case .value(let nid) = cpu.numaNodeID else { continue }
            log.dynamicDebug(Self.ofPrefix, "CPU on \(nid)")
            if Int(nid) >= maxNumNodes {
                log.print(.warning, Self.ofPrefix, "Node id \(nid) exceeds maximum value")
            } else {
                parsed.insert(Int(nid))
            }
        }
    }

    /// `of_numa_parse_memory_nodes` (v6.8): memory nodes without the property are
    /// skipped; a bad id or no usable `reg` fails the whole method. From 6.9 on
    /// (the 6.12 profile) the function returns the status of the last memory node
    /// it looked at, initialised to -EINVAL: a last memory node without
    /// `numa-node-id`, or no memory node at all, fails OF NUMA. 6.12.0 did not
    /// `node_set` the memory's node (`ArchNUMA.checkMemoryNodes`); 6.12.y does
    /// (ee4d098cbc91 "of_numa: fix uninitialized memory nodes causing kernel panic",
    /// `.ofNumaMemoryNodesParsed`, in Debian 6.12.117).
    mutating func ofNumaParseMemoryNodes(_ dt: DeviceTreeFirmware, memblock: inout Memblock, log: inout KernelLog) -> Int {
        var lastStatus = -Errno.EINVAL
        for node in dt.memory {
            var r = 0
            var nid: UInt32 = 0
            switch node.numaNodeID {
            case .absent:
                lastStatus = -Errno.EINVAL
                continue
            case .malformed: r = -Errno.EINVAL
            case .value(let v):
                nid = v
                if Int(v) >= maxNumNodes {
                    log.print(.warning, Self.ofPrefix, "Node id \(v) exceeds maximum value")
                    r = -Errno.EINVAL
                }
            }
            var processed = 0
            if r == 0 {
                for reg in node.regs {
                    let (end, overflow) = reg.base.addingReportingOverflow(reg.size)
                    processed += 1
                    // v6.12 records `rsrc.end + 1` as u64 arithmetic (a range ending at 2^64 wraps
                    // to 0 and numa_add_memblk warns about it); 6.8 used the saturated end.
                    let blockEnd = usesNumaMemblks ? end : (overflow ? UInt64.max : end)
                    r = numaAddMemblk(Int(nid), reg.base, blockEnd, memblock: &memblock, log: &log)
                    if r != 0 { break }
                    // ee4d098cbc91 (6.12.y): `if (!r) node_set(nid, numa_nodes_parsed);`
                    if usesNumaMemblks && profile.kernel.has(.ofNumaMemoryNodesParsed) { parsed.insert(Int(nid)) }
                }
            }
            if processed == 0 || r != 0 {
                log.print(.err, Self.ofPrefix, "bad property in memory node")
                return r != 0 ? r : -Errno.EINVAL
            }
            lastStatus = r
        }
        return profile.kernel.has(.ofNumaReturnsLastStatus) ? lastStatus : 0
    }

    /// `of_numa_parse_distance_map_v1` (v6.8 = v6.12): triplets (a, b, distance), validated,
    /// marking a parsed and setting a→b and (if b > a) b→a; leftover cells are ignored.
    /// In v6.12 the first `numa_set_distance` allocates the table.
    mutating func ofNumaParseDistanceMap(_ dt: DeviceTreeFirmware, memblock: inout Memblock,
                                         log: inout KernelLog) throws(KernelPanic) -> Int {
        guard let map = dt.distanceMatrix else { return 0 }
        log.print(.info, Self.ofPrefix, "parsing numa-distance-map-v1")
        guard let matrix = map else {
            log.print(.err, Self.ofPrefix, "No distance-matrix property in distance-map")
            return -Errno.EINVAL
        }
        if matrix.isEmpty {
            log.print(.err, Self.ofPrefix, "Invalid distance-matrix")
            return -Errno.EINVAL
        }
        var i = 0
        while i + 2 < matrix.count {
            // The cells are u32 and compared as such; they reach numa_set_distance(int, int, int)
            // and the %d of the message as signed ints.
            let (nodeA, nodeB, distance) = (matrix[i], matrix[i + 1], matrix[i + 2])
            let (a, b, d) = (Int(Int32(bitPattern: nodeA)), Int(Int32(bitPattern: nodeB)), Int(Int32(bitPattern: distance)))
            i += 3
            if (nodeA == nodeB && distance != UInt32(DistanceTable.localDistance))
                || (nodeA != nodeB && distance <= UInt32(DistanceTable.localDistance)) {
                log.print(.err, Self.ofPrefix, "Invalid distance[node\(a) -> node\(b)] = \(d)")
                return -Errno.EINVAL
            }
            if a >= 0 && a < maxNumNodes { parsed.insert(a) }
            try numaSetDistance(a, b, d, memblock: &memblock, log: &log)
            // "Set default distance of node B->A same as A->B".
            if nodeB > nodeA { try numaSetDistance(b, a, d, memblock: &memblock, log: &log) }
        }
        return 0
    }
}

extension DTCPU {
    /// `for_each_of_cpu_node` skips nodes whose status is "fail" or "fail-…".
    var isFailed: Bool { status?.hasPrefix("fail") ?? false }
}
