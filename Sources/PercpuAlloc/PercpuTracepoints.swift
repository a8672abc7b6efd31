/// The kernel's own `percpu:` tracepoints (include/trace/events/percpu.h,
/// 4.14+; format unchanged to 6.12) as users can record them on any machine:
/// printed on the console with `trace_event=percpu:* tp_printk` (add
/// `no_hash_pointers`, else `%p` prints hashed addresses), or read from
/// tracefs `trace_pipe`. Tracing starts after the first allocations of the
/// boot, so only what was observed can be replayed.
import KernelSupport

/// One tracepoint record.
public enum PercpuTracepoint: Sendable, Equatable {
    /// `percpu_alloc_percpu`: "call_site=%pS reserved=%d is_atomic=%d size=%zu
    /// align=%zu base_addr=%p off=%d ptr=%p bytes_alloc=%zu gfp_flags=%s".
    case alloc(reserved: Bool, atomic: Bool, size: Int, align: Int, base: UInt64, off: Int, ptr: UInt64, gfp: String)
    /// `percpu_free_percpu`: "base_addr=%p off=%d ptr=%p".
    case free(base: UInt64, off: Int, ptr: UInt64)
    /// `percpu_alloc_percpu_fail`: "reserved=%d is_atomic=%d size=%zu align=%zu".
    case allocFail(reserved: Bool, atomic: Bool, size: Int, align: Int)
    /// `percpu_create_chunk` / `percpu_destroy_chunk`: "base_addr=%p".
    case createChunk(base: UInt64)
    case destroyChunk(base: UInt64)
}

public enum PercpuTracepointParser {
    static let names = ["percpu_alloc_percpu_fail", "percpu_alloc_percpu", "percpu_free_percpu",
                        "percpu_create_chunk", "percpu_destroy_chunk"]

    /// Does the text contain percpu tracepoint records at all?
    public static func looksLikeTracepoints(_ text: String) -> Bool {
        names.contains { text.containsBytes(of: $0 + ": ") }
    }

    /// Every well-formed record, in order; lines broken by interleaved console
    /// output are counted in `skipped`.
    public static func parse(_ text: String) -> (records: [PercpuTracepoint], skipped: Int) {
        var records: [PercpuTracepoint] = []
        var skipped = 0
        for raw in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            guard raw.containsBytes(of: "percpu_") else { continue }
            var matched = false
            for name in names {
                guard let range = raw.byteRange(of: name + ": ") else { continue }
                matched = true
                if let record = parseRecord(name, raw[range.upperBound...]) { records.append(record) } else { skipped += 1 }
                break
            }
            _ = matched
        }
        return (records, skipped)
    }

    static func parseRecord(_ name: String, _ body: Substring) -> PercpuTracepoint? {
        var fields: [Substring: Substring] = [:]
        for word in body.split(separator: " ") {
            guard let eq = word.firstIndex(of: "=") else { continue }
            var value = word[word.index(after: eq)...]
            if value.hasSuffix("\r") { value = value.dropLast() }
            fields[word[..<eq]] = value
        }
        func int(_ key: Substring) -> Int? { fields[key].flatMap { Int($0) } }
        func pointer(_ key: Substring) -> UInt64? {
            guard var v = fields[key] else { return nil }
            if v.hasPrefix("0x") { v = v.dropFirst(2) }
            return UInt64(v, radix: 16)
        }
        switch name {
        case "percpu_alloc_percpu":
            guard let r = int("reserved"), let a = int("is_atomic"), let size = int("size"), let align = int("align"),
                  let base = pointer("base_addr"), let off = int("off"), let ptr = pointer("ptr"),
                  size >= 0, align >= 0, off >= 0 else { return nil }
            return .alloc(reserved: r != 0, atomic: a != 0, size: size, align: align, base: base, off: off, ptr: ptr,
                          gfp: String(fields["gfp_flags"] ?? ""))
        case "percpu_free_percpu":
            guard let base = pointer("base_addr"), let off = int("off"), let ptr = pointer("ptr"), off >= 0 else { return nil }
            return .free(base: base, off: off, ptr: ptr)
        case "percpu_alloc_percpu_fail":
            guard let r = int("reserved"), let a = int("is_atomic"), let size = int("size"), let align = int("align") else { return nil }
            return .allocFail(reserved: r != 0, atomic: a != 0, size: size, align: align)
        case "percpu_create_chunk":
            return pointer("base_addr").map { .createChunk(base: $0) }
        case "percpu_destroy_chunk":
            return pointer("base_addr").map { .destroyChunk(base: $0) }
        default:
            return nil
        }
    }

    /// `show_gfp_flags` names back to bits (include/trace/events/mmflags.h, the
    /// combinations pcpu_alloc's callers pass); unknown names are ignored.
    public static func gfpValue(_ names: String) -> UInt32 {
        let table: [String: UInt32] = [
            "GFP_KERNEL": GFP.kernel, "GFP_KERNEL_ACCOUNT": GFP.kernelAccount, "GFP_ATOMIC": GFP.atomic,
            "GFP_NOWAIT": GFP.noWait, "GFP_NOIO": 0xc00, "GFP_NOFS": 0xc40, "GFP_USER": 0x100cc0,
            "__GFP_ZERO": GFP.zero, "__GFP_NOWARN": GFP.noWarn, "__GFP_NORETRY": GFP.noRetry,
            "__GFP_NOFAIL": GFP.noFail, "__GFP_ACCOUNT": GFP.account, "__GFP_IO": GFP.io, "__GFP_FS": GFP.fs,
            "__GFP_DIRECT_RECLAIM": GFP.directReclaim, "__GFP_KSWAPD_RECLAIM": GFP.kswapdReclaim,
            "__GFP_HIGH": 0x20,
        ]
        var value: UInt32 = 0
        for name in names.split(separator: "|") {
            if let bits = table[String(name)] { value |= bits } else if name.hasPrefix("0x"), let v = UInt32(name.dropFirst(2), radix: 16) { value |= v }
        }
        return value
    }
}

/// What an observed replay could not place.
public struct PcpuObservedSummary: Sendable, Equatable {
    public var records = 0
    public var skippedLines = 0
    /// Frees of areas allocated before tracing started (their size is unknown).
    public var unobservedFrees = 0
    /// Allocations whose area was already taken in the emulated view.
    public var conflicts = 0
    /// Records naming a chunk the emulator does not know.
    public var unknownChunks = 0
}

extension PcpuAllocator {
    /// Replays tracepoint records as observed: each area is put where the
    /// kernel put it (`pcpu_alloc_area` bookkeeping at that offset), frees of
    /// observed areas are `pcpu_free_area`, chunks are created and destroyed at
    /// the recorded addresses. Allocations made before tracing started are not
    /// in the view; pages are populated as pcpu_alloc does for each observed
    /// area (the balance work is not traced, so populated counts are a lower bound).
    public mutating func replayObserved(_ text: String) throws(PcpuAllocError) {
        let parsed = PercpuTracepointParser.parse(text)
        observed.records = parsed.records.count
        observed.skippedLines = parsed.skipped
        for entry in parsed.records {
            switch entry {
            case let .alloc(reserved, atomic, size, align, base, off, _, gfpNames):
                guard let id = chunkID(base: base) ?? adoptChunk(base: base) else {
                    observed.unknownChunks += 1
                    continue
                }
                var gfp = PercpuTracepointParser.gfpValue(gfpNames)
                if atomic { gfp &= ~GFP.directReclaim } else if gfp == 0 { gfp = GFP.kernel }
                if !placeObserved(id, off: off, size: size, align: align, reserved: reserved, gfp: gfp) {
                    observed.conflicts += 1
                }
            case let .free(base, off, ptr):
                guard let id = chunkID(base: base), let chunk = chunk(id) else {
                    observed.unknownChunks += 1
                    continue
                }
                let bit = off / 4
                guard off % 4 == 0, chunk.md.allocMap.test(bit), chunk.md.boundMap.test(bit) else {
                    observed.unobservedFrees += 1
                    continue
                }
                let size = pcpuFreeArea(id, off: off)
                record(.free(ptr: ptr, chunk: id, off: off, size: size))
                pcpuMemcgFreeHook(id, off: off)
            case let .allocFail(reserved, atomic, size, align):
                record(.allocFailed(size: size, align: align, reserved: reserved, gfp: atomic ? GFP.atomic : GFP.kernel,
                                    reason: "percpu_alloc_percpu_fail"))
            case .createChunk(let base):
                if chunkID(base: base) == nil { _ = adoptChunk(base: base) }
            case .destroyChunk(let base):
                guard let id = chunkID(base: base) else {
                    observed.unknownChunks += 1
                    continue
                }
                for run in setRuns(storage[id].md.populated, limit: storage[id].md.nrPages) {
                    pcpuChunkDepopulated(id, start: run.lowerBound, end: run.upperBound)
                }
                pcpuDestroyChunk(id)
            }
        }
    }

    /// The live chunk whose `base_addr` is `base`.
    func chunkID(base: UInt64) -> Int? {
        if chunkBases[firstChunk] == base { return firstChunk }
        if let r = reservedChunk, chunkBases[r] == base { return r }
        return liveBases.first { $0.base == base }?.id
    }

    /// A chunk created at a recorded base (`percpu_create_chunk`), put on its slot.
    mutating func adoptChunk(base: UInt64) -> Int? {
        guard base != 0 else { return nil }
        var chunk = pcpuAllocChunk()
        chunk.md.baseAddr = base
        if geometry.backend == .vm {
            chunk.vmAreas = zip(geometry.groupOffsets, geometry.groupSizes).map {
                VmArea(start: base &+ $0, end: base &+ $0 &+ $1)
            }
            for area in chunk.vmAreas { vmalloc.occupy(area.start, area.end) }
        }
        let id = storage.count
        storage.append(chunk)
        chunkBases.append(base)
        insertLiveBase(base, id: id)
        ensureListCapacity()
        if geometry.backend == .km { pcpuChunkPopulated(id, start: 0, end: geometry.unitPages) }
        stats.nrChunks += 1
        stats.nrMaxChunks = max(stats.nrMaxChunks, stats.nrChunks)
        record(.createChunk(chunk: id, base: base))
        pcpuChunkRelocate(id, oslot: -1)
        return id
    }

    /// One observed area at `off`: false when the emulated view has it taken.
    mutating func placeObserved(_ id: Int, off: Int, size: Int, align: Int, reserved: Bool, gfp: UInt32) -> Bool {
        let minAlloc = 4
        let bytes = alignUp(max(size, 1), minAlloc)
        let bits = bytes / minAlloc
        guard off % minAlloc == 0, storage[id].alive, case let md = storage[id].md, off / minAlloc + bits <= md.regionBits,
              md.allocMap.findNextSet(from: off / minAlloc, limit: off / minAlloc + bits) == off / minAlloc + bits else {
            return false
        }
        let placed = pcpuAllocArea(id, allocBits: bits, align: 1, start: off / minAlloc)
        guard placed == off else { return false }
        stats.areaAlloc(size: bytes)
        storage[id].nrAlloc += 1
        storage[id].maxAllocSize = max(storage[id].maxAllocSize, bytes)
        let ptr = addrToPcpuPtr(chunkBases[id] &+ UInt64(off))
        record(.alloc(size: size, align: align, reserved: reserved, gfp: gfp, ptr: ptr, chunk: id, off: off))
        if gfp & GFP.directReclaim != 0 {
            let page = Int(geometry.pageSize)
            for run in storage[id].md.populated.clearRuns(from: off / page, limit: (off + bytes + page - 1) / page) {
                pcpuChunkPopulated(id, start: run.lowerBound, end: run.upperBound)
            }
        }
        pcpuMemcgPostAllocHook(id, off: off, size: bytes, gfp: gfp)
        return true
    }
}
