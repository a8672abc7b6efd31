/// The dynamic per-CPU allocator of mm/percpu.c as one value: the globals of
/// the file (`pcpu_chunk_lists`, `pcpu_nr_empty_pop_pages`, `pcpu_nr_populated`,
/// the reserved and first chunk, the balance work's flags), every chunk, and
/// what happened (`events`).
///
/// Built from the first chunk that `pcpu_setup_first_chunk` left (the boot
/// emulation) and the layout it recorded (`PcpuAllocGeometry`); every kernel
/// function is a method named for it in the file named for it.
import KernelSupport
import PercpuChunk

/// `struct pcpu_chunk` beyond the bitmap metadata of `PcpuChunk`: the fields
/// only the dynamic allocator uses.
public struct PcpuAllocChunk: Sendable, Equatable {
    /// Bitmaps, block metadata, counters (`alloc_map`, `bound_map`, `md_blocks`, `chunk_md` ...).
    public var md: PcpuChunk
    /// `isolated`: on the to_depopulate or sidelined slot, out of `pcpu_nr_empty_pop_pages`.
    public var isolated: Bool = false
    /// CONFIG_PERCPU_STATS `nr_alloc` and `max_alloc_size`.
    public var nrAlloc: Int = 0
    public var maxAllocSize: Int = 0
    /// `obj_cgroups[]` (CONFIG_MEMCG_KMEM; 6.10+ `obj_exts[].cgroup`): the bytes
    /// charged by each accounted area, by its bit offset (the kernel's vector has
    /// an entry per bit; kept sparse here, so memory grows with the accounted
    /// areas, not with the chunks): the area's size (the charge is
    /// `pcpu_obj_full_size(size)`).
    public var charged: [Int: UInt16] = [:]
    /// Index of the vmalloc areas (`chunk->data`) in `PcpuAllocator.vmAreas`, percpu-vm only.
    public var vmAreas: [VmArea] = []
    /// The slot list the chunk is on (nil: on none, e.g. the reserved chunk).
    public var listSlot: Int?
    /// False once `pcpu_destroy_chunk` freed it.
    public var alive = true

    public init(md: PcpuChunk) { self.md = md }
}

/// One vmalloc area of a chunk: `[start, end)`.
public struct VmArea: Sendable, Equatable, Codable {
    public var start: UInt64
    public var end: UInt64

    public init(start: UInt64, end: UInt64) {
        self.start = start
        self.end = end
    }
}

/// Which chunk backend the kernel was built with.
public enum PcpuChunkBackend: String, Sendable, Codable, CaseIterable {
    /// mm/percpu-vm.c: chunks in the vmalloc space, populated page by page (MMU kernels).
    case vm
    /// mm/percpu-km.c: one contiguous page allocation per chunk, always populated
    /// (CONFIG_NEED_PER_CPU_KM: UP or !MMU).
    case km
}

/// What the allocator did, in order: the trace format's events.
public enum PcpuEvent: Sendable, Equatable {
    case alloc(size: Int, align: Int, reserved: Bool, gfp: UInt32, ptr: UInt64, chunk: Int, off: Int)
    case allocFailed(size: Int, align: Int, reserved: Bool, gfp: UInt32, reason: String)
    case free(ptr: UInt64, chunk: Int, off: Int, size: Int)
    case populated(chunk: Int, start: Int, end: Int)
    case depopulated(chunk: Int, start: Int, end: Int)
    case balance
    case createChunk(chunk: Int, base: UInt64)
    case destroyChunk(chunk: Int, base: UInt64)
}

/// Why a call could not be replayed (not a kernel failure: those are events).
public enum PcpuAllocError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidGeometry(String)
    case badPointer(UInt64, String)
    /// More live chunks than the emulator keeps (`PcpuAllocator.maximumLiveChunks`).
    case emulationLimit(String)

    public var description: String {
        switch self {
        case .invalidGeometry(let why): "invalid allocator layout: \(why)"
        case .badPointer(let p, let why): "free_percpu(0x\(Printk.hex(p))): \(why)"
        case .emulationLimit(let why): "emulation limit: \(why)"
        }
    }
}

public struct PcpuAllocator: Sendable {
    public let geometry: PcpuAllocGeometry
    public let behaviour: PcpuAllocBehaviour
    public let slots: PcpuSlots

    /// Every chunk ever created, by id (destroyed ones keep their slot with
    /// `alive` false). Not optional, so that hot paths borrow a chunk in place
    /// instead of copying it out of an Optional.
    var storage: [PcpuAllocChunk] = []
    /// Every chunk ever created, by id; destroyed chunks are nil.
    public var chunks: [PcpuAllocChunk?] { storage.map { $0.alive ? $0 : nil } }
    /// Chunk `id` if it exists and was not destroyed.
    public func chunk(_ id: Int) -> PcpuAllocChunk? {
        storage.indices.contains(id) && storage[id].alive ? storage[id] : nil
    }
    /// `pcpu_chunk_lists`: a doubly linked list per slot, as the kernel's
    /// `list_head`s (list order decides which chunk serves an allocation).
    var lists: ChunkLists
    /// The base address of every chunk ever created, by id (kept after destruction).
    public internal(set) var chunkBases: [UInt64] = []
    /// Live dynamic chunks (not first/reserved) sorted by base, for the address search.
    var liveBases: [(base: UInt64, id: Int)] = []
    /// `pcpu_reserved_chunk` and `pcpu_first_chunk` (chunk ids).
    public let reservedChunk: Int?
    public let firstChunk: Int
    /// `pcpu_nr_empty_pop_pages`.
    public internal(set) var nrEmptyPopPages: Int
    /// `pcpu_nr_populated` (pages per unit).
    public internal(set) var nrPopulated: Int
    /// `pcpu_atomic_alloc_failed`.
    public internal(set) var atomicAllocFailed = false
    /// `schedule_work(&pcpu_balance_work)` was called and the work has not run yet.
    public internal(set) var balancePending = false
    /// The vmalloc space as pcpu_get_vm_areas sees it (percpu-vm).
    var vmalloc: VmallocFreeSpace
    /// Areas of destroyed chunks waiting for the lazy vmap purge.
    var lazyAreas: [VmArea] = []
    /// percpu-km: the next address handed out for a chunk (the page allocator is not emulated).
    var kmNextBase: UInt64
    /// CONFIG_PERCPU_STATS `pcpu_stats`.
    public internal(set) var stats: PcpuStats
    /// Bytes charged to memory cgroups (MEMCG_PERCPU_B summed over cgroups).
    public internal(set) var memcgChargedBytes = 0
    /// The most dynamic chunks the emulator keeps alive at once. A chunk's metadata
    /// costs the emulator about 10 KiB (bitmaps and block hints of a 32-page unit),
    /// so this bounds a runaway workload to a few hundred MiB; the kernel itself is
    /// bounded by the vmalloc space and the RAM its chunks populate, which are not
    /// emulated to that extent (the page allocator is not). 32,768 chunks of even
    /// 8 CPUs x 128 KiB units are 32 GiB of per-CPU memory.
    public static let maximumLiveChunks = 32_768
    /// This allocator's limit (`maximumLiveChunks`; tests lower it).
    public var chunkLimit = PcpuAllocator.maximumLiveChunks
    /// Set when `pcpu_create_chunk` was refused for `maximumLiveChunks`: the
    /// replay or workload stops with `PcpuAllocError.emulationLimit`.
    public internal(set) var chunkLimitReached = false

    /// Throws once the chunk limit was reached.
    func checkEmulationLimit() throws(PcpuAllocError) {
        guard chunkLimitReached else { return }
        throw .emulationLimit("the allocations need more than \(chunkLimit) live chunks, the most pcpu-boot keeps "
                              + "(the kernel would go on until the vmalloc space or the RAM the chunks populate runs out)")
    }

    /// What happened, when `recordEvents` is on.
    public var events: [PcpuEvent] = []
    public var recordEvents = true
    /// What a tracepoint replay could not place, and what a workload did.
    public internal(set) var observed = PcpuObservedSummary()
    public internal(set) var workloadSummary = PcpuWorkloadSummary()
    /// Trace lines that could not be replayed (a free of an address no emulated area starts at).
    public internal(set) var replayErrors: [String] = []
    /// Trace lines taken as the recording's second report of the event before them.
    public internal(set) var duplicateReports: [Int] = []
    /// pcpu_alloc's `warn_limit` and the messages it printed.
    var warnLimit = 10
    public internal(set) var warnings: [String] = []

    /// The allocator right after `pcpu_setup_first_chunk`: the reserved chunk
    /// (on no list), the first chunk relocated onto its slot, the global counts.
    public init(geometry: PcpuAllocGeometry, firstChunk: PcpuFirstChunk,
                behaviour: PcpuAllocBehaviour = .v6_1) throws(PcpuAllocError) {
        try geometry.validate()
        self.geometry = geometry
        self.behaviour = behaviour
        self.slots = firstChunk.slots
        self.lists = ChunkLists(nrSlots: firstChunk.slots.nrSlots)
        var reserved: Int?
        if let r = firstChunk.reservedChunk {
            storage.append(PcpuAllocChunk(md: r))
            reserved = 0
        }
        storage.append(PcpuAllocChunk(md: firstChunk.dynamicChunk))
        chunkBases = storage.map(\.md.baseAddr)
        self.reservedChunk = reserved
        self.firstChunk = storage.count - 1
        self.nrEmptyPopPages = firstChunk.nrEmptyPopPages
        self.nrPopulated = firstChunk.nrPopulated
        self.vmalloc = VmallocFreeSpace(ranges: [(geometry.vmallocStart, geometry.vmallocEnd)])
        for area in geometry.earlyVmAreas { vmalloc.occupy(area.start, area.end) }
        self.kmNextBase = geometry.kmBase
        self.stats = PcpuStats(unitSize: geometry.unitSize)
        stats.nrChunks = 1
        stats.nrMaxChunks = 1
        ensureListCapacity()
        pcpuChunkRelocate(self.firstChunk, oslot: -1)
    }

    /// `pcpu_chunk_map_bits` of the chunks created later (`pcpu_unit_pages` pages).
    var unitMapBits: Int { geometry.unitPages * bitsPerBlock }
    var bitsPerBlock: Int { Int(geometry.pageSize / PcpuConstants.minAllocSize) }

    /// `__addr_to_pcpu_ptr(addr)`.
    public func addrToPcpuPtr(_ addr: UInt64) -> UInt64 {
        geometry.smp ? addr &- geometry.baseAddr &+ geometry.perCpuStart : addr
    }

    /// `__pcpu_ptr_to_addr(ptr)`.
    public func pcpuPtrToAddr(_ ptr: UInt64) -> UInt64 {
        geometry.smp ? ptr &+ geometry.baseAddr &- geometry.perCpuStart : ptr
    }

    mutating func record(_ event: PcpuEvent) {
        guard recordEvents else { return }
        if events.count < eventLimit { events.append(event) } else { eventsNotKept += 1 }
    }

    /// The most events kept for the reports (about 128 MiB); later ones are counted.
    public static let maximumRecordedEvents = 2_000_000
    /// This allocator's limit (`maximumRecordedEvents`; tests lower it).
    public var eventLimit = PcpuAllocator.maximumRecordedEvents
    /// Events past `maximumRecordedEvents`, counted and not kept.
    public internal(set) var eventsNotKept = 0

    /// Chunk ids on `slot`, in list order.
    public func chunksOnSlot(_ slot: Int) -> [Int] { lists.entries(slot) }

    /// The base address of a chunk (also of a destroyed one, from the events).
    public func chunkBase(_ id: Int) -> UInt64? { chunk(id)?.md.baseAddr }

    /// Makes room in the list nodes for every chunk id.
    mutating func ensureListCapacity() { lists.ensureCapacity(storage.count) }
}
