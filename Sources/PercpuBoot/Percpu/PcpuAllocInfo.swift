import KernelSupport

/// `struct pcpu_group_info` (include/linux/percpu.h).
public struct PcpuGroupInfo: Equatable, Sendable, Codable {
    /// Aligned to the allocation's units per allocation (upa).
    public var nrUnits: Int
    /// Offset of the group's units from the first chunk's base address.
    public var baseOffset: UInt64
    /// CPU of each unit; `NR_CPUS` marks an empty unit.
    public var cpuMap: [Int]
}

/// `struct pcpu_alloc_info`: how the first chunk is laid out.
public struct PcpuAllocInfo: Equatable, Sendable, Codable {
    public var staticSize: UInt64
    public var reservedSize: UInt64
    public var dynSize: UInt64
    public var unitSize: UInt64
    public var atomSize: UInt64
    public var allocSize: UInt64
    public var groups: [PcpuGroupInfo]
    /// The fill value of empty units (CONFIG_NR_CPUS).
    public var emptyUnit: Int
    /// `__ai_size`: the page-aligned size memblock gave the structure, and where.
    public var aiSize: UInt64
    public var aiPhys: UInt64

    /// Units per allocation.
    public var unitsPerAlloc: Int { unitSize == 0 ? 0 : Int(allocSize / unitSize) }
    /// static + reserved + dynamic.
    public var sizeSum: UInt64 { staticSize &+ reservedSize &+ dynSize }
    /// Total units (including empty ones).
    public var nrUnits: Int { groups.reduce(0) { $0 + $1.nrUnits } }

    /// The size `pcpu_alloc_alloc_info` asks for before page alignment (64-bit):
    /// `ALIGN(sizeof(pcpu_alloc_info) + nr_groups * sizeof(pcpu_group_info), 4)` + 4 × nr_units,
    /// with sizeof(pcpu_alloc_info) = 64 and sizeof(pcpu_group_info) = 24.
    static func structureSize(nrGroups: Int, nrUnits: Int) -> UInt64 {
        UInt64(64 + 24 * nrGroups) + 4 * UInt64(nrUnits)
    }
}
