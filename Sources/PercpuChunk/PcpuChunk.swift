/// `struct pcpu_chunk` (mm/percpu-internal.h), reduced to what the boot-time
/// first chunk determines: its region, bitmaps, block metadata and counters.
///
/// Layout of a first chunk (one unit; `|` are page = block boundaries):
///
///     base_addr (page aligned)
///     |<- start_offset ->|<------------ map_size ------------>|<- end_offset ->|
///     |##################..................................................####|
///      hidden, allocated   served region (free at boot)           hidden, allocated
///
/// `alloc_map` has one bit per 4 bytes of the whole page-aligned region;
/// `bound_map` has one more bit and marks where each allocation starts (and
/// where the last one ends).
public struct PcpuChunk: Equatable, Sendable, Codable {
    /// `base_addr`: `tmp_addr & PAGE_MASK` (a virtual address, or an offset if
    /// the caller passed offsets).
    public var baseAddr: UInt64
    /// PAGE_SIZE the chunk was built with (= PCPU_BITMAP_BLOCK_SIZE).
    public var pageSize: UInt64
    /// Bytes between `baseAddr` and the served region.
    public var startOffset: Int
    /// Bytes between the served region's end and the page-aligned region end.
    public var endOffset: Int
    /// Pages (= metadata blocks) of the region.
    public var nrPages: Int
    /// `free_bytes`: bytes still free (map_size at boot).
    public var freeBytes: Int
    /// `immutable`: the first chunk can never be [de]populated.
    public var immutable: Bool
    /// `nr_populated`: every first-chunk page is populated.
    public var nrPopulated: Int
    /// `nr_empty_pop_pages`: populated pages whose block is entirely free.
    public var nrEmptyPopPages: Int
    /// `alloc_map`: region_bits bits, set = allocated (or hidden).
    public var allocMap: PcpuBitmap
    /// `bound_map`: region_bits + 1 bits, set = an allocation boundary.
    public var boundMap: PcpuBitmap
    /// `populated[]`: nr_pages bits, all set for the first chunk.
    public var populated: PcpuBitmap
    /// `chunk_md`: the hints of the whole chunk (nr_bits = region_bits).
    public var chunkMD: PcpuBlockMD
    /// `md_blocks[]`: one per page-sized block.
    public var mdBlocks: [PcpuBlockMD]

    /// `PCPU_BITMAP_BLOCK_BITS`: bits per metadata block (PAGE_SIZE / 4).
    public var bitsPerBlock: Int { Int(truncatingIfNeeded: pageSize / PcpuConstants.minAllocSize) }
    /// `pcpu_chunk_map_bits(chunk)`: nr_pages * PAGE_SIZE / 4.
    public var regionBits: Int { allocMap.count }
    /// `pcpu_chunk_nr_blocks(chunk)`.
    public var nrBlocks: Int { mdBlocks.count }
    /// First byte served: `base_addr + start_offset`.
    public var regionStart: UInt64 { baseAddr &+ UInt64(startOffset) }
    /// One past the last byte served: `base_addr + nr_pages * PAGE_SIZE - end_offset`
    /// (the `pcpu_addr_in_chunk` bounds).
    public var regionEnd: UInt64 { baseAddr &+ UInt64(nrPages) &* pageSize &- UInt64(endOffset) }

    /// A freshly created chunk of `nrPages` pages: zeroed maps, every block
    /// initialised by `pcpu_init_md_blocks`, nothing hidden yet. `nrPages`
    /// and `pageSize` have been validated by the caller.
    public init(baseAddr: UInt64, pageSize: UInt64, startOffset: Int, endOffset: Int, nrPages: Int, freeBytes: Int) {
        let bitsPerBlock = Int(pageSize / PcpuConstants.minAllocSize)
        let regionBits = nrPages * bitsPerBlock
        self.baseAddr = baseAddr
        self.pageSize = pageSize
        self.startOffset = startOffset
        self.endOffset = endOffset
        self.nrPages = nrPages
        self.freeBytes = freeBytes
        self.immutable = false
        self.nrPopulated = 0
        self.nrEmptyPopPages = 0
        self.allocMap = PcpuBitmap(count: regionBits)
        self.boundMap = PcpuBitmap(count: regionBits + 1)
        self.populated = PcpuBitmap(count: nrPages)
        // pcpu_init_md_blocks(): chunk_md covers the region, each block one page.
        self.chunkMD = PcpuBlockMD(nrBits: regionBits)
        self.mdBlocks = Array(repeating: PcpuBlockMD(nrBits: bitsPerBlock), count: nrPages)
    }

    /// The bookkeeping half of `pcpu_alloc_area(chunk, alloc_bits, align, start)`
    /// (v6.8; same in 6.1/6.12) for an area already chosen by the caller:
    /// marks `[bitOff, bitOff+bits)` in alloc_map, sets the boundary bits,
    /// lowers free_bytes, advances chunk first_free if the area starts there
    /// and runs `pcpu_block_update_hint_alloc`. Returns the byte offset
    /// (`bit_off * PCPU_MIN_ALLOC_SIZE`) as the kernel does.
    ///
    /// The boot path itself only hint-allocates the hidden head and tail; this
    /// is the general entry point and what the hint-algorithm tests drive.
    /// Like the kernel, it does not check that the area was free.
    @discardableResult
    public mutating func allocateArea(bitOff: Int, bits: Int) throws(PcpuChunkError) -> Int {
        try validateConsistency()
        guard bits > 0, bitOff >= 0, bitOff <= regionBits - bits else {
            throw .areaOutOfRange(bitOff: bitOff, bits: bits, regionBits: regionBits)
        }
        allocMap.set(bitOff ..< bitOff + bits)
        boundMap.set(bitOff)
        boundMap.clear(bitOff + 1 ..< bitOff + bits)
        boundMap.set(bitOff + bits)
        freeBytes -= bits * Int(PcpuConstants.minAllocSize)
        if bitOff == chunkMD.firstFree {
            chunkMD.firstFree = allocMap.findNextZero(from: bitOff + bits, limit: regionBits)
        }
        blockUpdateHintAlloc(bitOff: bitOff, bits: bits)
        return bitOff * Int(PcpuConstants.minAllocSize)
    }

    /// Checks the invariants the hint algorithms index by, so that a chunk
    /// decoded from hand-edited data cannot make them trap.
    func validateConsistency() throws(PcpuChunkError) {
        let bpb = bitsPerBlock
        guard pageSize >= 4096, pageSize <= 1 << 20, pageSize & (pageSize - 1) == 0 else {
            throw .inconsistentChunk("page size \(pageSize)")
        }
        guard nrPages == mdBlocks.count, allocMap.count == nrPages * bpb,
              boundMap.count == allocMap.count + 1, populated.count == nrPages else {
            throw .inconsistentChunk("\(nrPages) pages, \(mdBlocks.count) blocks, \(allocMap.count)/\(boundMap.count) map bits")
        }
        guard chunkMD.nrBits == allocMap.count, mdBlocks.allSatisfy({ $0.nrBits == bpb }) else {
            throw .inconsistentChunk("metadata block sizes")
        }
        let inBlock: (PcpuBlockMD, Int) -> Bool = { md, limit in
            [md.scanHint, md.scanHintStart, md.contigHint, md.contigHintStart,
             md.leftFree, md.rightFree, md.firstFree].allSatisfy { $0 >= 0 && $0 <= limit }
        }
        guard inBlock(chunkMD, allocMap.count), mdBlocks.allSatisfy({ inBlock($0, bpb) }) else {
            throw .inconsistentChunk("hint outside its block")
        }
    }
}
