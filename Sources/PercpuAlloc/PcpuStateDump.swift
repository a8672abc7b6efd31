/// The allocator state as the recording's gdb script reads it at `panic()`
/// (shared/tools/percpu-calls.py): the globals, every CPU's offsets, the
/// groups and every chunk on `pcpu_chunk_lists`, slot by slot in list order.
import KernelSupport
import PercpuChunk

extension PcpuAllocator {
    /// The lines after `# state at panic()`, formatted as the script's
    /// Python `%#x`/`%d` do (so 0 is `0x0`).
    public func stateLines() -> [String] {
        let g = geometry
        func hx(_ v: UInt64) -> String { "0x" + Printk.hex(v) }
        func hxInt(_ v: Int) -> String { hx(UInt64(bitPattern: Int64(v))) }
        var lines: [String] = []
        lines.append("nr_cpu_ids \(g.nrCPUIDs)")
        lines.append("__per_cpu_start \(hx(g.perCpuStart))")
        lines.append("pcpu_base_addr \(hx(g.baseAddr))")
        lines.append("pcpu_unit_size \(hxInt(g.unitSize))")
        lines.append("pcpu_nr_units \(hxInt(g.nrUnits))")
        lines.append("pcpu_atom_size \(hx(g.atomSize))")
        lines.append("pcpu_nr_groups \(hxInt(g.nrGroups))")
        lines.append("pcpu_nr_slots \(hxInt(slots.nrSlots))")
        lines.append("pcpu_sidelined_slot \(hxInt(slots.sidelined))")
        lines.append("pcpu_free_slot \(hxInt(slots.free))")
        lines.append("pcpu_to_depopulate_slot \(hxInt(slots.toDepopulate))")
        lines.append("pcpu_nr_empty_pop_pages \(hxInt(nrEmptyPopPages))")
        lines.append("pcpu_nr_populated \(hxInt(nrPopulated))")
        lines.append("pcpu_chunk_struct_size \(hx(g.chunkStructSizeWithPopulated))")
        lines.append("pcpu_low_unit_cpu \(hxInt(g.lowUnitCPU))")
        lines.append("pcpu_high_unit_cpu \(hxInt(g.highUnitCPU))")
        if let r = reservedChunk {
            lines.append("pcpu_reserved_chunk->base_addr \(hx(chunkBases[r]))")
        } else {
            // gdb reading base_addr through a NULL pointer: its offset in struct pcpu_chunk.
            lines.append("pcpu_reserved_chunk->base_addr ? (Cannot access memory at address \(hx(baseAddrFieldOffset)))")
        }
        lines.append("pcpu_first_chunk->base_addr \(hx(chunkBases[firstChunk]))")
        for cpu in 0 ..< g.nrCPUIDs {
            // An impossible CPU keeps unit_map UINT_MAX and a zero offset.
            let unitOff = g.unitOffsets[cpu] ?? 0
            let unit = g.unitMap[cpu].map(String.init) ?? String(UInt32.max)
            let offset = g.perCpuOffset(cpu) ?? 0
            lines.append("__per_cpu_offset[\(cpu)] \(hx(offset))  pcpu_unit_offsets[\(cpu)] \(hx(unitOff))  pcpu_unit_map[\(cpu)] \(unit)")
        }
        for (i, (offset, size)) in zip(g.groupOffsets, g.groupSizes).enumerated() {
            lines.append("pcpu_group_offsets[\(i)] \(hx(offset))  pcpu_group_sizes[\(i)] \(hx(size))")
        }
        for slot in 0 ..< slots.nrSlots {
            for id in lists.entries(slot) {
                guard let chunk = chunk(id) else { continue }
                lines.append(chunkLine(chunk, slot: slot))
            }
        }
        return lines
    }

    /// One `chunk slot=... ` line.
    func chunkLine(_ chunk: PcpuAllocChunk, slot: Int) -> String {
        let c = chunk.md
        let m = c.chunkMD
        return "chunk slot=\(slot) base_addr=0x\(Printk.hex(c.baseAddr)) start_offset=\(c.startOffset) "
            + "end_offset=\(c.endOffset) nr_pages=\(c.nrPages) nr_populated=\(c.nrPopulated) "
            + "nr_empty_pop_pages=\(c.nrEmptyPopPages) free_bytes=\(c.freeBytes) immutable=\(c.immutable ? 1 : 0) "
            + "isolated=\(chunk.isolated ? 1 : 0) contig_hint=\(m.contigHint) contig_hint_start=\(m.contigHintStart) "
            + "scan_hint=\(m.scanHint) scan_hint_start=\(m.scanHintStart) first_free=\(m.firstFree) "
            + "left_free=\(m.leftFree) right_free=\(m.rightFree)"
    }

    /// `offsetof(struct pcpu_chunk, base_addr)` without CONFIG_PERCPU_STATS:
    /// list (16), free_bytes (4), chunk_md (32) → 56 in 6.1; 6.5+ aligns it to
    /// a cache line (64).
    var baseAddrFieldOffset: UInt64 { geometry.chunkStructSize > 136 ? 64 : 56 }
}
