/// `pcpu_alloc_first_chunk` and the first-chunk tail of `pcpu_setup_first_chunk`
/// (mm/percpu.c): the reserved and dynamic chunks carved out of the first
/// chunk, their metadata allocations and the slot bookkeeping.
import KernelSupport

/// One `memblock_alloc(size, SMP_CACHE_BYTES)` the kernel makes for the
/// first-chunk metadata, in call order. The caller performs it.
public struct PcpuMetadataAllocation: Equatable, Sendable, Codable {
    public var size: UInt64
    /// `chunk_lists`, `chunk`, `alloc_map`, `bound_map` or `md_blocks`.
    public var what: String

    public init(size: UInt64, what: String) {
        self.size = size
        self.what = what
    }

    public static let chunkLists = "chunk_lists"
    public static let chunk = "chunk"
    public static let allocMap = "alloc_map"
    public static let boundMap = "bound_map"
    public static let mdBlocks = "md_blocks"

    /// The function whose `__func__` names a failure of this allocation:
    /// the slot list heads come from `pcpu_setup_first_chunk`, the rest from
    /// `pcpu_alloc_first_chunk`.
    public var function: String {
        what == Self.chunkLists ? "pcpu_setup_first_chunk" : "pcpu_alloc_first_chunk"
    }

    /// The message of the `panic()` on failure (6.1–6.12; 6.13 moved to
    /// memblock_alloc_or_panic): `"%s: Failed to allocate %zu bytes"`.
    public var panicMessage: String { "\(function): Failed to allocate \(size) bytes" }
}

/// `pcpu_alloc_first_chunk(tmp_addr, map_size)` (v6.8; 6.1 and 6.12 differ
/// in form only): builds the chunk that serves `[tmpAddr, tmpAddr+mapSize)`.
///
/// The base is `tmp_addr` rounded down to a page and the region end rounded up
/// to a page (6.1: to `lcm(PAGE_SIZE, PCPU_BITMAP_BLOCK_SIZE)`, the same
/// number), so the bitmap holds whole blocks. The bytes before and after the
/// served region are hidden by marking them allocated and hint-allocating them,
/// which is what leaves the hints, first_free and empty-page counts the boot
/// ends up with. Allocations, in order: the chunk (`struct_size(chunk,
/// populated, BITS_TO_LONGS(nr_pages))`), alloc_map, bound_map, md_blocks.
public func pcpuAllocFirstChunk(tmpAddr: UInt64, mapSize: Int, config: PcpuChunkConfig)
    throws(PcpuChunkError) -> (chunk: PcpuChunk, allocations: [PcpuMetadataAllocation]) {
    try config.validate()
    let page = config.pageSize
    let minAlloc = PcpuConstants.minAllocSize
    guard mapSize > 0 else { throw .invalidMapSize(mapSize) }
    guard tmpAddr % minAlloc == 0, UInt64(mapSize) % minAlloc == 0 else {
        throw .unalignedRegion(tmpAddr: tmpAddr, mapSize: mapSize)
    }
    let map = try kernelInt(UInt64(mapSize), "map_size")

    // Region calculations.
    let alignedAddr = tmpAddr & ~(page - 1)
    let startOffset = Int(tmpAddr - alignedAddr)
    let regionSize64 = try checked { () throws(ArithmeticOverflow) in
        try Checked.roundUp(UInt64(startOffset) + UInt64(map), page, "first chunk region size")
    }
    let regionSize = try kernelInt(regionSize64, "first chunk region_size")
    _ = try checked { () throws(ArithmeticOverflow) in
        try Checked.add(alignedAddr, regionSize64, "first chunk region end")
    }
    let nrPages = regionSize / Int(page)
    let endOffset = regionSize - startOffset - map

    var chunk = PcpuChunk(baseAddr: alignedAddr, pageSize: page, startOffset: startOffset,
                          endOffset: endOffset, nrPages: nrPages, freeBytes: map)
    let allocations = try checked { () throws(ArithmeticOverflow) in
        [
            PcpuMetadataAllocation(
                size: try Checked.add(config.chunkStructSize,
                                      bitsToLongs(UInt64(nrPages)) * PcpuConstants.longSize,
                                      "struct_size(chunk, populated, nr_pages)"),
                what: PcpuMetadataAllocation.chunk),
            PcpuMetadataAllocation(size: chunk.allocMap.byteSize, what: PcpuMetadataAllocation.allocMap),
            PcpuMetadataAllocation(size: chunk.boundMap.byteSize, what: PcpuMetadataAllocation.boundMap),
            PcpuMetadataAllocation(
                size: try Checked.mul(UInt64(nrPages), config.mdBlockSize, "nr_blocks * sizeof(pcpu_block_md)"),
                what: PcpuMetadataAllocation.mdBlocks),
        ]
    }

    // Manage populated page bitmap.
    chunk.immutable = true
    chunk.populated.fill()
    chunk.nrPopulated = nrPages
    chunk.nrEmptyPopPages = nrPages

    let regionBits = chunk.regionBits
    if startOffset != 0 {
        // Hide the beginning of the bitmap.
        let offsetBits = startOffset / Int(minAlloc)
        chunk.allocMap.set(0 ..< offsetBits)
        chunk.boundMap.set(0)
        chunk.boundMap.set(offsetBits)
        chunk.chunkMD.firstFree = offsetBits
        chunk.blockUpdateHintAlloc(bitOff: 0, bits: offsetBits)
    }
    if endOffset != 0 {
        // Hide the end of the bitmap.
        let offsetBits = endOffset / Int(minAlloc)
        chunk.allocMap.set(regionBits - offsetBits ..< regionBits)
        chunk.boundMap.set((startOffset + map) / Int(minAlloc))
        chunk.boundMap.set(regionBits)
        chunk.blockUpdateHintAlloc(bitOff: regionBits - offsetBits, bits: offsetBits)
    }
    return (chunk, allocations)
}

/// The first chunk as `pcpu_setup_first_chunk` leaves it.
public struct PcpuFirstChunk: Equatable, Sendable, Codable {
    /// `pcpu_reserved_chunk` (nil without a reserved region; never on a slot list).
    public var reservedChunk: PcpuChunk?
    /// `pcpu_first_chunk`: the chunk serving the dynamic region.
    public var dynamicChunk: PcpuChunk
    public var slots: PcpuSlots
    /// The slot `pcpu_chunk_relocate(pcpu_first_chunk, -1)` puts the dynamic chunk on.
    public var dynamicChunkSlot: Int
    /// `pcpu_nr_empty_pop_pages` := the dynamic chunk's count.
    public var nrEmptyPopPages: Int
    /// `pcpu_nr_populated` += PFN_DOWN(static + reserved + dyn).
    public var nrPopulated: Int
    /// `static_size = ALIGN(ai->static_size, PCPU_MIN_ALLOC_SIZE)`.
    public var staticAligned: UInt64
    /// `dyn_size = ai->dyn_size - (static_size - ai->static_size)`: what the
    /// dynamic chunk serves.
    public var dynamicSize: UInt64

    public init(reservedChunk: PcpuChunk?, dynamicChunk: PcpuChunk, slots: PcpuSlots, dynamicChunkSlot: Int,
                nrEmptyPopPages: Int, nrPopulated: Int, staticAligned: UInt64, dynamicSize: UInt64) {
        self.reservedChunk = reservedChunk
        self.dynamicChunk = dynamicChunk
        self.slots = slots
        self.dynamicChunkSlot = dynamicChunkSlot
        self.nrEmptyPopPages = nrEmptyPopPages
        self.nrPopulated = nrPopulated
        self.staticAligned = staticAligned
        self.dynamicSize = dynamicSize
    }
}

/// The tail of `pcpu_setup_first_chunk(ai, base_addr)` (v6.8): from the slot
/// setup to `pcpu_nr_populated`. The caller has done the sanity checks, the
/// group/unit tables and the dump.
///
/// Order of the memblock allocations: the `pcpu_chunk_lists` heads
/// (`nr_slots * 16`), then the reserved chunk's four (if `reservedSize`), then
/// the dynamic chunk's four. The reserved chunk serves
/// `[base + static_al, +reserved)`, the dynamic chunk `[base + static_al +
/// reserved, +dyn')`. 6.1 builds the same two chunks through a
/// `map_size = reserved_size ?: dyn_size` variable; 6.12 is as 6.8.
public func pcpuFirstChunk(baseAddr: UInt64, staticSize: UInt64, reservedSize: UInt64, dynSize: UInt64,
                           unitSize: UInt64, config: PcpuChunkConfig)
    throws(PcpuChunkError) -> (PcpuFirstChunk, allocations: [PcpuMetadataAllocation]) {
    try config.validate()
    let page = config.pageSize

    // pcpu_unit_pages = unit_size >> PAGE_SHIFT; pcpu_unit_size = pages << PAGE_SHIFT (ints).
    let unitSizeInt = try kernelInt(unitSize.roundedDown(to: page), "pcpu_unit_size")
    let slots = pcpuSlots(unitSize: UInt64(unitSizeInt))
    var allocations = [PcpuMetadataAllocation(size: slots.listHeadsBytes, what: PcpuMetadataAllocation.chunkLists)]

    let minAlloc = PcpuConstants.minAllocSize
    let (staticAligned, dynamicSize, reservedStart, dynStart, sizeSum) = try checked { () throws(ArithmeticOverflow) in
        let staticAligned = try Checked.roundUp(staticSize, minAlloc, "ALIGN(static_size, PCPU_MIN_ALLOC_SIZE)")
        let dynamicSize = try Checked.sub(dynSize, staticAligned - staticSize, "dyn_size - (static_al - static_size)")
        let reservedStart = try Checked.add(baseAddr, staticAligned, "base_addr + static_size")
        let dynStart = try Checked.add(reservedStart, reservedSize, "base_addr + static_size + reserved_size")
        let sizeSum = try Checked.add(try Checked.add(staticSize, reservedSize, "size_sum"), dynSize, "size_sum")
        return (staticAligned, dynamicSize, reservedStart, dynStart, sizeSum)
    }

    var reservedChunk: PcpuChunk?
    if reservedSize != 0 {
        let reserved = try kernelInt(reservedSize, "reserved_size")
        let built = try pcpuAllocFirstChunk(tmpAddr: reservedStart, mapSize: reserved, config: config)
        reservedChunk = built.chunk
        allocations += built.allocations
    }
    let dynamic = try kernelInt(dynamicSize, "dyn_size")
    let built = try pcpuAllocFirstChunk(tmpAddr: dynStart, mapSize: dynamic, config: config)
    allocations += built.allocations

    let firstChunk = PcpuFirstChunk(
        reservedChunk: reservedChunk,
        dynamicChunk: built.chunk,
        slots: slots,
        dynamicChunkSlot: pcpuChunkSlot(built.chunk, unitSize: UInt64(unitSizeInt)),
        nrEmptyPopPages: built.chunk.nrEmptyPopPages,
        nrPopulated: Int(truncatingIfNeeded: sizeSum / page),
        staticAligned: staticAligned,
        dynamicSize: dynamicSize)
    return (firstChunk, allocations)
}
