import KernelSupport

/// One memblock call seen in a memblock=debug log between the last configuration dump and the
/// first per-CPU allocation.
public struct ReplayedCall: Sendable, Equatable {
    /// What the call does.
    public enum Operation: Sendable, Equatable {
        /// A traced allocator with its arguments as logged (nid NUMA_NO_NODE for phys_alloc_range).
        case allocation(MemblockAllocFunction, size: UInt64, align: UInt64, nid: Int, minAddr: UInt64, maxAddr: UInt64)
        case add(base: UInt64, size: UInt64)
        case addNode(base: UInt64, size: UInt64, nid: Int, flags: MemblockFlags)
        case remove(base: UInt64, size: UInt64)
        case reserve(base: UInt64, size: UInt64)
        /// `__memblock_reserve(base, size, nid, flags)` as 6.16+ logs it (allocations' reserves
        /// with no traced allocation before them included).
        case reserveNid(base: UInt64, size: UInt64, nid: Int, flags: MemblockFlags)
        /// `memblock_phys_free`, or `memblock_free` as kernels before 5.16 named it.
        case physFree(base: UInt64, size: UInt64)
        /// A `memblock_reserve … memblock_alloc_range_nid` with no traced allocation before it
        /// (memblock_phys_alloc_try_nid and friends): applied as the reserve it logged.
        case untracedAllocation(base: UInt64, size: UInt64)
        /// A logged array doubling no traced call in the window explains: applied as logged.
        case arrayDoubled(MemblockTypeName, newMax: Int, base: UInt64)
    }

    /// Where an allocation landed according to the log.
    public struct Placement: Sendable, Equatable {
        public var base: UInt64
        public var size: UInt64
        /// The line of the `memblock_reserve: […] memblock_alloc_range_nid` that says so.
        public var line: Int
    }

    /// A memblock=debug line the call caused besides its own trace (array doubling and the free and
    /// reserve that come with it), with the caller's offsets stripped.
    public struct SideEffect: Sendable, Equatable {
        public var line: Int
        public var text: String
    }

    /// 1-based line of the call's trace line.
    public var line: Int
    /// The memblock function as logged (`memblock_alloc_try_nid`, `memblock_reserve`, …).
    public var function: String
    /// The `%pS` caller without `+0x…/0x…`.
    public var caller: String
    public var operation: Operation
    /// For allocations: the logged placement; nil = the log shows the allocation failing.
    public var expected: Placement?
    public var sideEffects: [SideEffect]
}

/// A real boot log's memblock state just before setup_per_cpu_areas, and the calls that led there.
public struct MemblockLogReplay: Sendable {
    public var fileName: String
    /// Memblock as the last `MEMBLOCK configuration:` dump before the first pcpu_ call shows it
    /// (debug on, capacities from the profile or from doublings logged before the dump).
    public var initial: Memblock
    public var calls: [ReplayedCall]
    /// 1-based line of that dump's header.
    public var dumpLine: Int
    /// 1-based line of the first memblock call made by a `pcpu_` function.
    public var firstPcpuLine: Int

    /// Parse a console log (lines may carry `[    0.000000] ` timestamps): find the first memblock
    /// trace whose caller starts with `pcpu_`, the last `MEMBLOCK configuration:` dump before it,
    /// rebuild memory and reserved from the dump (nid from ` on node N`, else MAX_NUMNODES; flags),
    /// and collect every memblock call logged between the dump and that pcpu_ call.
    public static func parse(_ text: String, fileName: String, profile: MemblockProfile) throws(MemblockLogError) -> MemblockLogReplay {
        let lines = MemblockLogText.lines(text)
        func fail(_ index: Int, _ message: String) -> MemblockLogError {
            MemblockLogError(file: fileName, line: index + 1, message: message)
        }
        let messages = lines.map { MemblockLogText.message($0) }

        guard let pcpu = messages.firstIndex(where: { MemblockTrace.callerSymbol($0)?.hasPrefix("pcpu_") == true }) else {
            throw fail(Swift.max(lines.count - 1, 0), "no memblock call from a pcpu_ function (was the log recorded with memblock=debug?)")
        }
        guard let dump = messages[..<pcpu].lastIndex(where: { $0 == "MEMBLOCK configuration:" }) else {
            throw fail(pcpu, "no 'MEMBLOCK configuration:' dump before the first pcpu_ memblock call")
        }

        // Arrays doubled before the dump: their size and place carry over.
        var capacities: [MemblockTypeName: (max: Int, address: UInt64)] = [:]
        for i in 0 ..< dump where messages[i].hasPrefix("memblock: ") {
            if case let .doubled(type, newMax, base, _)? = try? MemblockTrace.parse(messages[i], file: fileName, line: i + 1) {
                capacities[type] = (newMax, base)
            }
        }
        let (initial, afterDump) = try MemblockDumpReader.read(lines, header: dump, file: fileName, profile: profile,
                                                                capacities: capacities)
        guard afterDump <= pcpu else { throw fail(pcpu, "the memblock dump runs into the first pcpu_ call") }

        var calls: [ReplayedCall] = []
        var i = afterDump
        while i < pcpu {
            guard let trace = try MemblockTrace.parse(messages[i], file: fileName, line: i + 1) else { i += 1; continue }
            switch trace {
            case let .alloc(fn, size, align, nid, from, max, caller):
                var call = ReplayedCall(line: i + 1, function: fn.rawValue, caller: caller,
                                        operation: .allocation(fn, size: size, align: align, nid: nid ?? NUMA_NO_NODE,
                                                               minAddr: from, maxAddr: max),
                                        expected: nil, sideEffects: [])
                var j = i + 1
                while j < pcpu, MemblockTrace.functionName(messages[j]) == nil { j += 1 }
                if j < pcpu, case let .range(reserveName, base, end, _, _, "memblock_alloc_range_nid")? =
                    try MemblockTrace.parse(messages[j], file: fileName, line: j + 1),
                    reserveName == "memblock_reserve" || reserveName == "__memblock_reserve" {
                    let reserved = end &- base &+ 1
                    guard reserved == size else {
                        throw fail(j, "memblock_reserve of \(reserved) bytes follows an allocation of \(size) bytes (line \(i + 1))")
                    }
                    call.expected = ReplayedCall.Placement(base: base, size: reserved, line: j + 1)
                    i = j
                }
                calls.append(call)
            case let .range(name, base, end, nid, flags, caller):
                let size = end &- base &+ 1
                if caller == "memblock_double_array", !calls.isEmpty {
                    calls[calls.count - 1].sideEffects.append(.init(line: i + 1, text: trace.normalizedText))
                    break
                }
                let op: ReplayedCall.Operation
                switch name {
                case "memblock_reserve" where caller == "memblock_alloc_range_nid": op = .untracedAllocation(base: base, size: size)
                case "memblock_reserve": op = .reserve(base: base, size: size)
                case "__memblock_reserve":
                    guard let f = flags, f <= UInt64(UInt32.max) else { throw fail(i, "__memblock_reserve flags do not fit enum memblock_flags") }
                    op = .reserveNid(base: base, size: size, nid: nid ?? NUMA_NO_NODE, flags: MemblockFlags(rawValue: UInt32(f)))
                case "memblock_phys_free", "memblock_free": op = .physFree(base: base, size: size)
                case "memblock_add": op = .add(base: base, size: size)
                case "memblock_add_node":
                    guard let f = flags, f <= UInt64(UInt32.max) else { throw fail(i, "memblock_add_node flags do not fit enum memblock_flags") }
                    op = .addNode(base: base, size: size, nid: nid ?? NUMA_NO_NODE, flags: MemblockFlags(rawValue: UInt32(f)))
                case "memblock_remove": op = .remove(base: base, size: size)
                default: throw fail(i, "\(name) cannot be replayed (physmem and late frees are not emulated)")
                }
                calls.append(ReplayedCall(line: i + 1, function: name, caller: caller, operation: op, expected: nil, sideEffects: []))
            case let .doubled(type, newMax, base, _):
                if calls.isEmpty {
                    calls.append(ReplayedCall(line: i + 1, function: "memblock_double_array", caller: "",
                                              operation: .arrayDoubled(type, newMax: newMax, base: base),
                                              expected: nil, sideEffects: []))
                } else {
                    calls[calls.count - 1].sideEffects.append(.init(line: i + 1, text: trace.normalizedText))
                }
            }
            i += 1
        }
        return MemblockLogReplay(fileName: fileName, initial: initial, calls: calls, dumpLine: dump + 1,
                                 firstPcpuLine: pcpu + 1)
    }
}
