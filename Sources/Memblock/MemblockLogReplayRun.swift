import KernelSupport

extension MemblockLogReplay {
    /// Apply the calls to `initial`. Allocations are re-run through the emulator and must land
    /// where the log's following `memblock_reserve: […] memblock_alloc_range_nid` says (or fail
    /// where the log shows no reserve); array doublings they cause must match the logged lines.
    /// Reserve / free / add / remove are applied as logged. The first difference is thrown,
    /// naming file:line, what the log says and what the emulator did. Trace lines go to `log`
    /// when `initial.debug` is set.
    public func replay(log: inout KernelLog) throws(MemblockLogError) -> Memblock {
        var mb = initial
        let keepTrace = mb.debug
        mb.debug = true   // side effects are compared on the trace lines
        for call in calls {
            var local = KernelLog()
            var got: UInt64?
            do throws(KernelPanic) {
                got = try apply(call, to: &mb, log: &local)
            } catch {
                throw MemblockLogError(file: fileName, line: call.line,
                                       message: "\(call.function) from \(call.caller) panics in the emulator: \(error.description)")
            }
            if case .allocation = call.operation {
                try check(call, got: got)
            }
            let ours = local.lines.filter {
                $0.source == .memblockDebug && ($0.text.hasPrefix("memblock: ") || $0.text.hasSuffix(" memblock_double_array"))
            }.map(\.text)
            let theirs = call.sideEffects.map(\.text)
            if ours != theirs {
                throw MemblockLogError(file: fileName, line: call.sideEffects.first?.line ?? call.line,
                                       message: "\(call.function) from \(call.caller): the log shows \(theirs.isEmpty ? "no array doubling" : theirs.joined(separator: " / ")), the emulator printed \(ours.isEmpty ? "none" : ours.joined(separator: " / "))")
            }
            for line in local.lines where keepTrace || line.source != .memblockDebug { log.append(line) }
        }
        mb.debug = keepTrace
        return mb
    }

    /// Run one call; returns the allocation's address (nil for failures and non-allocations).
    func apply(_ call: ReplayedCall, to mb: inout Memblock, log: inout KernelLog) throws(KernelPanic) -> UInt64? {
        switch call.operation {
        case let .allocation(fn, size, align, nid, minAddr, maxAddr):
            return try mb.allocate(fn, size: size, align: align, nid: nid, minAddr: minAddr, maxAddr: maxAddr,
                                   log: &log, caller: call.caller)
        case let .add(base, size):
            try mb.add(base, size, log: &log, caller: call.caller)
        case let .addNode(base, size, nid, flags):
            try mb.addNode(base, size, nid: nid, flags: flags, log: &log, caller: call.caller)
        case let .remove(base, size):
            try mb.remove(base, size, log: &log, caller: call.caller)
        case let .reserve(base, size), let .untracedAllocation(base, size):
            try mb.reserve(base, size, log: &log, caller: call.caller)
        case let .reserveNid(base, size, nid, flags):
            try mb.reserveNid(base, size, nid: nid, flags: flags, log: &log, caller: call.caller)
        case let .physFree(base, size):
            try mb.physFree(base, size, log: &log, caller: call.caller)
        case let .arrayDoubled(type, newMax, base):
            mb.withArray(type) { a in
                a.max = Swift.max(newMax, 1)
                a.address = base
            }
        }
        return nil
    }

    /// Compare an allocation's result with the log.
    func check(_ call: ReplayedCall, got: UInt64?) throws(MemblockLogError) {
        guard case let .allocation(fn, size, align, nid, minAddr, maxAddr) = call.operation else { return }
        let nidText = fn == .physAllocRange ? "" : " nid=\(nid)"
        let what = "\(fn.rawValue)(\(size) bytes align=0x\(Printk.hex(align))\(nidText) from=\(Printk.pa(minAddr)) max_addr=\(Printk.pa(maxAddr))) from \(call.caller)"
        func range(_ base: UInt64) -> String { "[\(Printk.pa(base))-\(Printk.pa(base &+ size &- 1))]" }
        switch (call.expected, got) {
        case (nil, nil):
            return
        case let (e?, g?) where e.base == g:
            return
        case let (e?, g?):
            throw MemblockLogError(file: fileName, line: call.line,
                                   message: "\(what): expected \(range(e.base)) (line \(e.line)), got \(range(g))")
        case let (e?, nil):
            throw MemblockLogError(file: fileName, line: call.line,
                                   message: "\(what): expected \(range(e.base)) (line \(e.line)), got no memory")
        case let (nil, g?):
            throw MemblockLogError(file: fileName, line: call.line,
                                   message: "\(what): expected a failure (no memblock_reserve follows), got \(range(g))")
        }
    }
}
