/// Chunk slots of mm/percpu.c: chunks are kept on `pcpu_chunk_lists[slot]`
/// sorted by their largest free area; three special slots follow the
/// size-based ones.
import KernelSupport

/// The slot numbers `pcpu_setup_first_chunk` derives from the unit size.
public struct PcpuSlots: Equatable, Sendable, Codable {
    /// `pcpu_sidelined_slot`: isolated, depopulated chunks.
    public var sidelined: Int
    /// `pcpu_free_slot`: entirely free chunks.
    public var free: Int
    /// `pcpu_to_depopulate_slot`: isolated chunks waiting to be depopulated.
    public var toDepopulate: Int
    /// `pcpu_nr_slots`: number of list heads in `pcpu_chunk_lists`.
    public var nrSlots: Int

    public init(sidelined: Int, free: Int, toDepopulate: Int, nrSlots: Int) {
        self.sidelined = sidelined
        self.free = free
        self.toDepopulate = toDepopulate
        self.nrSlots = nrSlots
    }

    /// Bytes of the `pcpu_chunk_lists` array: `nr_slots * sizeof(struct list_head)`.
    public var listHeadsBytes: UInt64 { UInt64(nrSlots) * PcpuConstants.listHeadSize }
}

/// The slot computation of `pcpu_setup_first_chunk` (v6.8; identical in 6.1
/// and 6.12): `sidelined = __pcpu_size_to_slot(pcpu_unit_size) + 1`, then
/// free, to_depopulate and nr_slots each one more.
///
/// `unitSize` is `pcpu_unit_size` (the page-aligned unit size); the kernel's
/// `int` argument is emulated by truncation to 32 bits, so this never traps.
public func pcpuSlots(unitSize: UInt64) -> PcpuSlots {
    let sidelined = pcpuSizeToSlotBase(Int(truncatingIfNeeded: unitSize)) + 1
    return PcpuSlots(sidelined: sidelined, free: sidelined + 1, toDepopulate: sidelined + 2, nrSlots: sidelined + 3)
}

/// `__pcpu_size_to_slot(size)` (v6.8; same in 6.1/6.12): slots are sorted by
/// free bytes, `max(fls(size) - PCPU_SLOT_BASE_SHIFT + 2, 1)`, so 1–15 bytes
/// share slot 1 (the kernel comment's "1-31" is stale) and each further slot
/// doubles.
/// `fls` takes an `unsigned int`, so `size` is reduced to 32 bits like the C call.
public func pcpuSizeToSlotBase(_ size: Int) -> Int {
    let highbit = fls(UInt64(UInt32(truncatingIfNeeded: size)))
    return max(highbit - PcpuConstants.slotBaseShift + 2, 1)
}

/// `pcpu_size_to_slot(size)` (v6.8/6.12; 6.1 identical): a size equal to the
/// unit size (an entirely free chunk) goes to the free slot, anything else to
/// its size-based slot.
public func pcpuSizeToSlot(_ size: Int, unitSize: UInt64) -> Int {
    let unit = Int(truncatingIfNeeded: unitSize)
    if Int32(truncatingIfNeeded: size) == Int32(truncatingIfNeeded: unit) {
        return pcpuSlots(unitSize: unitSize).free
    }
    return pcpuSizeToSlotBase(size)
}

/// `pcpu_chunk_slot(chunk)` (v6.8; same in 6.1/6.12): slot 0 for a chunk with
/// less than PCPU_MIN_ALLOC_SIZE free bytes or no contig hint, otherwise the
/// slot of its contig hint in bytes (`contig_hint * PCPU_MIN_ALLOC_SIZE`).
public func pcpuChunkSlot(_ chunk: PcpuChunk, unitSize: UInt64) -> Int {
    if chunk.freeBytes < Int(PcpuConstants.minAllocSize) || chunk.chunkMD.contigHint == 0 {
        return 0
    }
    return pcpuSizeToSlot(chunk.chunkMD.contigHint &* Int(PcpuConstants.minAllocSize), unitSize: unitSize)
}
