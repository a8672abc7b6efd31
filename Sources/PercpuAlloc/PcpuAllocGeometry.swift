/// The layout `pcpu_setup_first_chunk` leaves in mm/percpu.c's `__ro_after_init`
/// globals, and the build facts the allocator depends on.
import KernelSupport
import PercpuChunk

public struct PcpuAllocGeometry: Sendable, Equatable, Codable {
    /// PAGE_SIZE (= PCPU_BITMAP_BLOCK_SIZE).
    public var pageSize: UInt64
    /// `pcpu_unit_pages`, `pcpu_unit_size`, `pcpu_nr_units`, `pcpu_atom_size`.
    public var unitPages: Int
    public var nrUnits: Int
    public var atomSize: UInt64
    /// `pcpu_base_addr`.
    public var baseAddr: UInt64
    /// `__per_cpu_start` (System.map; 0 on x86_64's zero-based section).
    public var perCpuStart: UInt64
    /// `pcpu_group_offsets[]`, `pcpu_group_sizes[]`.
    public var groupOffsets: [UInt64]
    public var groupSizes: [UInt64]
    /// `pcpu_unit_offsets[cpu]` and `pcpu_unit_map[cpu]` for cpu < nr_cpu_ids
    /// (nil: not possible).
    public var unitOffsets: [UInt64?]
    public var unitMap: [Int?]
    /// `pcpu_low_unit_cpu`, `pcpu_high_unit_cpu`.
    public var lowUnitCPU: Int
    public var highUnitCPU: Int
    /// `sizeof(struct pcpu_chunk)` without `populated[]` (136 for Debian's 6.1).
    public var chunkStructSize: UInt64
    /// CONFIG_SMP: `__addr_to_pcpu_ptr` offsets by `pcpu_base_addr - __per_cpu_start`.
    public var smp: Bool
    /// Which chunk backend.
    public var backend: PcpuChunkBackend
    /// VMALLOC_START / VMALLOC_END, where percpu-vm places chunks.
    public var vmallocStart: UInt64
    public var vmallocEnd: UInt64
    /// vmalloc ranges already taken when the first dynamic chunk is created
    /// (the page first chunk's early vm area).
    public var earlyVmAreas: [VmArea]
    /// percpu-km: where the emulated page allocator puts the first chunk
    /// (the real address depends on the buddy allocator, which is not emulated).
    public var kmBase: UInt64
    /// CONFIG_MEMCG_KMEM: chunks carry `obj_cgroups` and accounted sizes count them.
    public var memcgKmem: Bool
    /// The `pcpu_alloc_info` of the boot, for percpu_stats' "Allocation Info".
    public var staticSize: UInt64
    public var reservedSize: UInt64
    public var dynSize: UInt64
    public var allocSize: UInt64
    /// `PCPU_MIN_UNIT_SIZE` (32 KiB): the largest allocation.
    public var minUnitSize: Int = 32 << 10

    public init(pageSize: UInt64, unitPages: Int, nrUnits: Int, atomSize: UInt64, baseAddr: UInt64,
                perCpuStart: UInt64, groupOffsets: [UInt64], groupSizes: [UInt64], unitOffsets: [UInt64?],
                unitMap: [Int?], lowUnitCPU: Int, highUnitCPU: Int, chunkStructSize: UInt64, smp: Bool,
                backend: PcpuChunkBackend, vmallocStart: UInt64, vmallocEnd: UInt64, earlyVmAreas: [VmArea] = [],
                kmBase: UInt64 = 0, memcgKmem: Bool = true, staticSize: UInt64, reservedSize: UInt64,
                dynSize: UInt64, allocSize: UInt64) {
        self.pageSize = pageSize
        self.unitPages = unitPages
        self.nrUnits = nrUnits
        self.atomSize = atomSize
        self.baseAddr = baseAddr
        self.perCpuStart = perCpuStart
        self.groupOffsets = groupOffsets
        self.groupSizes = groupSizes
        self.unitOffsets = unitOffsets
        self.unitMap = unitMap
        self.lowUnitCPU = lowUnitCPU
        self.highUnitCPU = highUnitCPU
        self.chunkStructSize = chunkStructSize
        self.smp = smp
        self.backend = backend
        self.vmallocStart = vmallocStart
        self.vmallocEnd = vmallocEnd
        self.earlyVmAreas = earlyVmAreas
        self.kmBase = kmBase
        self.memcgKmem = memcgKmem
        self.staticSize = staticSize
        self.reservedSize = reservedSize
        self.dynSize = dynSize
        self.allocSize = allocSize
    }

    /// `pcpu_unit_size`.
    public var unitSize: Int { unitPages * Int(pageSize) }
    /// `nr_cpu_ids`.
    public var nrCPUIDs: Int { unitMap.count }
    /// `num_possible_cpus()`.
    public var nrPossibleCPUs: Int { unitMap.reduce(0) { $0 + ($1 == nil ? 0 : 1) } }
    /// `pcpu_nr_groups`.
    public var nrGroups: Int { groupOffsets.count }
    /// `pcpu_chunk_struct_size = struct_size(chunk, populated, BITS_TO_LONGS(pcpu_unit_pages))`.
    public var chunkStructSizeWithPopulated: UInt64 {
        chunkStructSize + bitsToLongs(UInt64(unitPages)) * PcpuConstants.longSize
    }
    /// `__per_cpu_offset[cpu] = pcpu_base_addr - __per_cpu_start + pcpu_unit_offsets[cpu]`.
    public func perCpuOffset(_ cpu: Int) -> UInt64? {
        guard cpu >= 0, cpu < unitOffsets.count, let off = unitOffsets[cpu] else { return nil }
        return baseAddr &- perCpuStart &+ off
    }

    /// Rejects layouts whose `int` arithmetic or array indexing would not hold.
    func validate() throws(PcpuAllocError) {
        guard pageSize >= 4096, pageSize <= 1 << 20, pageSize & (pageSize - 1) == 0 else {
            throw .invalidGeometry("PAGE_SIZE \(pageSize)")
        }
        guard unitPages > 0, unitPages <= Int(Int32.max) / Int(pageSize) else {
            throw .invalidGeometry("pcpu_unit_pages \(unitPages)")
        }
        guard !groupOffsets.isEmpty, groupOffsets.count == groupSizes.count else {
            throw .invalidGeometry("\(groupOffsets.count) group offsets, \(groupSizes.count) sizes")
        }
        guard atomSize > 0, atomSize & (atomSize - 1) == 0 else { throw .invalidGeometry("atom size \(atomSize)") }
        guard unitMap.count == unitOffsets.count, nrPossibleCPUs > 0 else {
            throw .invalidGeometry("no possible CPU")
        }
    }
}

/// Behaviour that differs between kernel versions, as named switches (the
/// version and upstream commit of each are in its comment), so that callers
/// can wire them to the kernel version model.
public struct PcpuAllocBehaviour: Sendable, Equatable, Codable {
    /// 5.14, f183324133ea ("percpu: implement partial chunk depopulation") and
    /// its series: free_percpu isolates chunks with many empty pages onto
    /// `pcpu_to_depopulate_slot`, the balance work depopulates them
    /// (`pcpu_reclaim_populated`) and sidelines them. Before: no isolation.
    public var partialDepopulation: Bool
    /// Between 6.1 and 6.12 ("mm/percpu.c: print error message too if atomic
    /// alloc failed", Baoquan He; 6.5 to my knowledge, commit id not verified):
    /// pcpu_alloc's "allocation failed" warning is also printed for atomic
    /// allocations (without dump_stack). 6.1: only non-atomic (read in both trees).
    public var warnAtomicFailures: Bool
    /// 6.10 ("mm: percpu: enable per-cpu allocation tagging", memory allocation
    /// profiling series; present in 6.12, commit id not verified):
    /// pcpu_alloc is `pcpu_alloc_noprof` and tags `pcpu_obj_full_size` bytes per
    /// area (memory allocation profiling); it does not change placement.
    public var allocTagging: Bool

    public init(partialDepopulation: Bool, warnAtomicFailures: Bool, allocTagging: Bool) {
        self.partialDepopulation = partialDepopulation
        self.warnAtomicFailures = warnAtomicFailures
        self.allocTagging = allocTagging
    }

    /// 5.10: no partial depopulation.
    public static let v5_10 = PcpuAllocBehaviour(partialDepopulation: false, warnAtomicFailures: false, allocTagging: false)
    /// 6.1 (Debian 6.1.0-56, the recorded traces).
    public static let v6_1 = PcpuAllocBehaviour(partialDepopulation: true, warnAtomicFailures: false, allocTagging: false)
    /// 6.8 and 6.12.
    public static let v6_8 = PcpuAllocBehaviour(partialDepopulation: true, warnAtomicFailures: true, allocTagging: false)
    public static let v6_12 = PcpuAllocBehaviour(partialDepopulation: true, warnAtomicFailures: true, allocTagging: true)
}
