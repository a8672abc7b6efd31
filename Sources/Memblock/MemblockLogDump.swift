import KernelSupport

/// Reading a `MEMBLOCK configuration:` dump (`__memblock_dump_all`) back into a `Memblock`.
enum MemblockDumpReader {
    /// Parse the dump whose header is at `lines[header]`; returns the rebuilt memblock and the
    /// index of the first line after the dump. Every deviation from the kernel format is an error
    /// naming the line and what was expected.
    static func read(_ lines: [Substring], header: Int, file: String, profile: MemblockProfile,
                     capacities: [MemblockTypeName: (max: Int, address: UInt64)]) throws(MemblockLogError) -> (Memblock, Int) {
        var i = header + 1
        func fail(_ at: Int, _ message: String) -> MemblockLogError {
            MemblockLogError(file: file, line: at + 1, message: message)
        }
        func text(_ at: Int) -> Substring? { at < lines.count ? MemblockLogText.message(lines[at]) : nil }

        guard let sizes = text(i) else { throw fail(i, "expected ' memory size = %pa reserved size = %pa', found end of log") }
        var sc = LineScanner(sizes)
        guard sc.take(" memory size = "), let memTotal = sc.hex(), sc.take(" reserved size = "),
              let rsvTotal = sc.hex(), sc.isAtEnd else {
            throw fail(i, "expected ' memory size = %pa reserved size = %pa', found '\(sizes)'")
        }
        i += 1

        var mb = Memblock(profile: profile)
        mb.debug = true
        for (type, total) in [(MemblockTypeName.memory, memTotal), (.reserved, rsvTotal)] {
            // total_size is taken as printed: it may legitimately differ from the sum of the
            // regions (memblock_trim_memory does not update it).
            let regions = try readType(type, lines, &i, file: file, profile: profile)
            let cap = capacities[type]
            let max = Swift.max(1, cap?.max ?? (type == .memory ? profile.memoryCapacity : profile.reservedCapacity))
            guard regions.count <= max else {
                throw fail(header, "the dump has \(regions.count) \(type.name) regions but the array holds \(max) (profile capacity, no doubling logged before the dump)")
            }
            mb.withArray(type) { a in
                a.regions = regions
                a.max = max
                a.address = cap?.address
                a.totalSize = total
            }
        }
        // An optional physmem dump (CONFIG_HAVE_MEMBLOCK_PHYS_MAP) is read and ignored.
        if let t = text(i), t.hasPrefix(" physmem.cnt") {
            _ = try readType(nil, lines, &i, file: file, profile: profile)
        }
        mb.hasMirror = mb.memory.contains { $0.flags.contains(.mirror) }
        return (mb, i)
    }

    /// ` %s.cnt  = 0x%lx` and its region lines; the ≤ 6.8 dummy entry of an empty array reads as no regions.
    static func readType(_ type: MemblockTypeName?, _ lines: [Substring], _ i: inout Int, file: String,
                         profile: MemblockProfile) throws(MemblockLogError) -> [MemblockRegion] {
        let name = type?.name ?? "physmem"
        func fail(_ at: Int, _ message: String) -> MemblockLogError {
            MemblockLogError(file: file, line: at + 1, message: message)
        }
        guard i < lines.count else { throw fail(i, "expected ' \(name).cnt  = 0x%lx', found end of log") }
        let header = MemblockLogText.message(lines[i])
        var sc = LineScanner(header)
        guard sc.take(" \(name).cnt  = "), let cnt = sc.hex(), sc.isAtEnd else {
            throw fail(i, "expected ' \(name).cnt  = 0x%lx', found '\(header)'")
        }
        guard cnt <= 1 << 24 else { throw fail(i, "implausible \(name).cnt \(Printk.hexAlt(cnt))") }
        i += 1

        var regions: [MemblockRegion] = []
        var previousEnd: UInt64 = 0
        for idx in 0 ..< Int(cnt) {
            guard i < lines.count else { throw fail(i, "expected \(name)[\(Printk.hexAlt(UInt64(idx)))], found end of log") }
            let text = MemblockLogText.message(lines[i])
            let expected = "' \(name)[\(Printk.hexAlt(UInt64(idx)))]\\t[%pa-%pa], %pa bytes[ on node %d] flags: %#x'"
            var sc = LineScanner(text)
            guard sc.take(" \(name)["), let n = sc.hex(), n == UInt64(idx), sc.take("]\t["),
                  let base = sc.hex(), sc.take("-"), let last = sc.hex(), sc.take("], "),
                  let size = sc.hex(), sc.take(" bytes") else {
                throw fail(i, "expected \(expected), found '\(text)'")
            }
            // No " on node": MAX_NUMNODES (memblock_add, and memblock_reserve before 6.16); since
            // `memblockReserveKern` every reservation carries a nid and NUMA_NO_NODE is the unnamed one.
            var nid = profile.numa ? profile.maxNumNodes : 0
            if profile.numa, name == "reserved", profile.kernel.has(.memblockReserveKern) { nid = NUMA_NO_NODE }
            if sc.take(" on node ") {
                guard let n = sc.signed() else { throw fail(i, "expected a node number after 'on node', found '\(text)'") }
                nid = n
            }
            guard sc.take(" flags: "), let flags = sc.hex(), sc.isAtEnd else {
                throw fail(i, "expected \(expected), found '\(text)'")
            }
            guard flags <= UInt64(UInt32.max) else { throw fail(i, "flags \(Printk.hexAlt(flags)) do not fit enum memblock_flags") }
            guard last &- base &+ 1 == size else {
                throw fail(i, "[\(Printk.pa(base))-\(Printk.pa(last))] is not \(Printk.pa(size)) bytes")
            }
            if size == 0 {
                // The empty-array dummy entry (≤ 6.8): the only entry, base 0.
                guard cnt == 1, base == 0 else { throw fail(i, "a zero-size region other than the empty-array dummy") }
                i += 1
                continue
            }
            guard base.addingReportingOverflow(size).overflow == false else {
                throw fail(i, "region [\(Printk.pa(base))-\(Printk.pa(last))] ends beyond PHYS_ADDR_MAX")
            }
            guard regions.isEmpty || base >= previousEnd else {
                throw fail(i, "region at \(Printk.pa(base)) overlaps or precedes the previous one (ends \(Printk.pa(previousEnd)))")
            }
            regions.append(MemblockRegion(base: base, size: size, flags: MemblockFlags(rawValue: UInt32(flags)), nid: nid))
            previousEnd = base &+ size
            i += 1
        }
        return regions
    }
}
