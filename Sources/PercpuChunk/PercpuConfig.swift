/// Kernel versions, build configuration and errors of the first-chunk metadata.
///
/// Everything here describes *how* mm/percpu.c sizes its boot-time metadata;
/// the algorithms live in `PcpuChunk+Hints.swift` and `FirstChunk.swift`.
import KernelSupport

/// `sizeof(struct pcpu_chunk)` of a Debian-like 64-bit SMP build (MEMCG on,
/// PERCPU_STATS off, 64-byte cache lines): 136 before `.percpuChunkBaseAddrCachelineAligned`
/// (matches the 144-byte chunk allocations of a real Debian 6.1 arm64 boot), 192 after.
/// `PcpuChunkStructOptions.size(for:)` derives both numbers. The first-chunk bitmap and
/// hint logic itself is the same in every release since the bitmap allocator (4.14).
/// 7.x (`percpuChunkCountersBeforeObjExts`): 128 (a real 7.2.13 boot allocates 136 = 128 + 8
/// bytes for the first chunk's struct with its one-word populated bitmap).
public func debianChunkStructSize(_ kernel: KernelVersion) -> UInt64 {
    if kernel.has(.percpuChunkCountersBeforeObjExts) { return 128 }
    return kernel.has(.percpuChunkBaseAddrCachelineAligned) ? 192 : 136
}

/// Build parameters of the emulated percpu allocator.
public struct PcpuChunkConfig: Sendable, Equatable, Codable {
    public var kernel: KernelVersion
    /// PAGE_SIZE. `PCPU_BITMAP_BLOCK_SIZE == PAGE_SIZE` in every supported
    /// version, so one metadata block covers one page (`pageSize / 4` bits).
    public var pageSize: UInt64
    /// `sizeof(struct pcpu_chunk)`, i.e. `struct_size(chunk, populated, 0)`.
    public var chunkStructSize: UInt64
    /// `sizeof(struct pcpu_block_md)`: eight `int`s.
    public var mdBlockSize: UInt64

    /// `chunkStructSize` defaults to the kernel's Debian-like value.
    public init(kernel: KernelVersion, pageSize: UInt64, chunkStructSize: UInt64? = nil, mdBlockSize: UInt64 = 32) {
        self.kernel = kernel
        self.pageSize = pageSize
        self.chunkStructSize = chunkStructSize ?? debianChunkStructSize(kernel)
        self.mdBlockSize = mdBlockSize
    }

    /// Bits per metadata block: `PCPU_BITMAP_BLOCK_BITS = PCPU_BITMAP_BLOCK_SIZE >> PCPU_MIN_ALLOC_SHIFT`.
    public var bitsPerBlock: Int { Int(truncatingIfNeeded: pageSize / PcpuConstants.minAllocSize) }

    /// PAGE_SIZE must be a power of two between 4 KiB and 1 MiB (so that a
    /// block is a whole number of 64-bit words and `int` arithmetic holds).
    func validate() throws(PcpuChunkError) {
        guard pageSize >= 4096, pageSize <= 1 << 20, pageSize & (pageSize - 1) == 0 else {
            throw .invalidPageSize(pageSize)
        }
    }
}

/// Constants of include/linux/percpu.h and mm/percpu.c used here.
public enum PcpuConstants {
    /// `PCPU_MIN_ALLOC_SIZE` (1 << PCPU_MIN_ALLOC_SHIFT): one bitmap bit.
    public static let minAllocSize: UInt64 = 4
    /// `PCPU_SLOT_BASE_SHIFT`.
    public static let slotBaseShift = 5
    /// `sizeof(struct list_head)` on a 64-bit kernel (one slot list head).
    public static let listHeadSize: UInt64 = 16
    /// `sizeof(unsigned long)` on a 64-bit kernel (bitmap word).
    public static let longSize: UInt64 = 8
}

/// The configuration options that change `sizeof(struct pcpu_chunk)`
/// (mm/percpu-internal.h) on a 64-bit kernel.
///
/// Layout assumptions (LP64: int 4, pointer/long/size_t 8, bool 1):
/// - `struct pcpu_block_md` = 8 ints = 32 bytes, alignment 4.
/// - 6.1: `[nr_alloc, max_alloc_size]` (PERCPU_STATS), list_head, free_bytes,
///   chunk_md, base_addr, alloc_map, bound_map, md_blocks, data, immutable,
///   isolated, start_offset, end_offset, `obj_cgroups` (MEMCG_KMEM), nr_pages,
///   nr_populated, nr_empty_pop_pages, `populated[]` (unsigned long).
/// - 6.8 (since 6.5's false-sharing re-layout): bound_map moves up after
///   chunk_md and `base_addr` is `____cacheline_aligned_in_smp`, so the whole
///   struct takes cache-line alignment on SMP builds.
/// - 6.12: as 6.8, with `obj_cgroups` replaced in place by
///   `struct pcpuobj_ext *obj_exts` under NEED_PCPUOBJ_EXT
///   (MEMCG || MEM_ALLOC_PROFILING). Position taken from the 6.10 patch and a
///   6.11 copy; a later tree moves it after nr_empty_pop_pages (which would
///   give 128 with the same options), so 6.12 is an informed assumption.
/// `struct_size()` adds `BITS_TO_LONGS(nr_pages) * 8` to `sizeof`, which
/// includes tail padding up to the struct's alignment.
public struct PcpuChunkStructOptions: Sendable, Equatable, Codable {
    /// CONFIG_PERCPU_STATS (Debian: off).
    public var percpuStats: Bool
    /// 6.1/6.8 CONFIG_MEMCG_KMEM, 6.12 NEED_PCPUOBJ_EXT (Debian: on).
    public var objectExtension: Bool
    /// CONFIG_SMP: `____cacheline_aligned_in_smp` is empty on UP builds.
    public var smp: Bool
    /// L1_CACHE_BYTES (arm64 64, x86_64 64 with the generic CPU choice).
    public var cacheLineBytes: UInt64

    public init(percpuStats: Bool = false, objectExtension: Bool = true, smp: Bool = true, cacheLineBytes: UInt64 = 64) {
        self.percpuStats = percpuStats
        self.objectExtension = objectExtension
        self.smp = smp
        self.cacheLineBytes = cacheLineBytes
    }

    /// Debian-like: MEMCG on, PERCPU_STATS off, SMP, 64-byte lines.
    public static let debian = PcpuChunkStructOptions()

    /// `sizeof(struct pcpu_chunk)` for `kernel` with these options, laid out
    /// as the C compiler does (natural alignment, tail padding).
    public func size(for kernel: KernelVersion) throws(PcpuChunkError) -> UInt64 {
        guard cacheLineBytes >= 8, cacheLineBytes <= 4096, cacheLineBytes & (cacheLineBytes - 1) == 0 else {
            throw .invalidCacheLine(cacheLineBytes)
        }
        var layout = CStructLayout()
        if percpuStats {
            layout.field(size: 4, align: 4)          // nr_alloc
            layout.field(size: 8, align: 8)          // max_alloc_size
        }
        layout.field(size: 16, align: 8)             // list
        layout.field(size: 4, align: 4)              // free_bytes
        layout.field(size: 32, align: 4)             // chunk_md
        if kernel.has(.percpuChunkBaseAddrCachelineAligned) {
            layout.field(size: 8, align: 8)          // bound_map
            layout.field(size: 8, align: smp ? cacheLineBytes : 8) // base_addr ____cacheline_aligned_in_smp
            layout.field(size: 8, align: 8)          // alloc_map
        } else {
            layout.field(size: 8, align: 8)          // base_addr
            layout.field(size: 8, align: 8)          // alloc_map
            layout.field(size: 8, align: 8)          // bound_map
        }
        layout.field(size: 8, align: 8)              // md_blocks
        layout.field(size: 8, align: 8)              // data
        layout.field(size: 1, align: 1)              // immutable
        layout.field(size: 1, align: 1)              // isolated
        layout.field(size: 4, align: 4)              // start_offset
        layout.field(size: 4, align: 4)              // end_offset
        // 7.x (`percpuChunkCountersBeforeObjExts`) moved the three counters up into the hole
        // after end_offset: 128 bytes instead of 192 with 64-byte lines.
        let countersFirst = kernel.has(.percpuChunkCountersBeforeObjExts)
        if countersFirst { Self.counters(&layout) }
        if objectExtension {
            layout.field(size: 8, align: 8)          // obj_cgroups / obj_exts
        }
        if !countersFirst { Self.counters(&layout) }
        layout.field(size: 0, align: 8)              // populated[]
        return layout.sizeof
    }

    /// nr_pages, nr_populated, nr_empty_pop_pages.
    private static func counters(_ layout: inout CStructLayout) {
        for _ in 0..<3 { layout.field(size: 4, align: 4) }
    }
}

/// Natural-alignment C struct layout (all sizes here are tiny constants).
struct CStructLayout {
    private(set) var offset: UInt64 = 0
    private(set) var alignment: UInt64 = 1

    mutating func field(size: UInt64, align: UInt64) {
        offset = (offset + align - 1) / align * align + size
        alignment = max(alignment, align)
    }

    var sizeof: UInt64 { (offset + alignment - 1) / alignment * alignment }
}

/// Why the first-chunk metadata could not be built. Inputs that would make
/// the kernel's `int` arithmetic overflow or index outside its arrays are
/// rejected here instead of being emulated.
public enum PcpuChunkError: Error, Equatable, Sendable, CustomStringConvertible {
    /// PAGE_SIZE is not a power of two in [4 KiB, 1 MiB].
    case invalidPageSize(UInt64)
    /// L1_CACHE_BYTES is not a power of two in [8, 4096].
    case invalidCacheLine(UInt64)
    /// `map_size` must be positive.
    case invalidMapSize(Int)
    /// `tmp_addr` and `map_size` must be PCPU_MIN_ALLOC_SIZE (4) aligned;
    /// otherwise the kernel would hint-allocate zero bits past the bitmap.
    case unalignedRegion(tmpAddr: UInt64, mapSize: Int)
    /// A size the kernel keeps in an `int` exceeds INT_MAX.
    case regionTooLarge(what: String, value: UInt64)
    /// An address or size computation does not fit 64 bits.
    case overflow(ArithmeticOverflow)
    /// An area `[bitOff, bitOff+bits)` outside the chunk's bitmap or empty.
    case areaOutOfRange(bitOff: Int, bits: Int, regionBits: Int)
    /// A chunk whose bitmaps and blocks disagree (e.g. a hand-edited decode).
    case inconsistentChunk(String)

    public var description: String {
        switch self {
        case .invalidPageSize(let p): "invalid PAGE_SIZE \(p)"
        case .invalidCacheLine(let c): "invalid L1_CACHE_BYTES \(c)"
        case .invalidMapSize(let m): "invalid first chunk map_size \(m)"
        case .unalignedRegion(let a, let m):
            "first chunk region at \(Printk.hexAlt(a)) size \(m) is not \(PcpuConstants.minAllocSize)-byte aligned"
        case .regionTooLarge(let what, let v): "\(what) = \(v) does not fit an int"
        case .overflow(let o): o.description
        case .areaOutOfRange(let off, let bits, let region):
            "area [\(off), \(off)+\(bits)) outside chunk bitmap of \(region) bits"
        case .inconsistentChunk(let why): "inconsistent chunk: \(why)"
        }
    }
}

/// Runs a `Checked` computation, mapping its overflow into `PcpuChunkError`.
@inline(__always)
func checked<T>(_ body: () throws(ArithmeticOverflow) -> T) throws(PcpuChunkError) -> T {
    do { return try body() } catch { throw .overflow(error) }
}

/// A non-negative size the kernel holds in an `int`.
@inline(__always)
func kernelInt(_ value: UInt64, _ what: String) throws(PcpuChunkError) -> Int {
    guard value <= UInt64(Int32.max) else { throw .regionTooLarge(what: what, value: value) }
    return Int(value)
}
