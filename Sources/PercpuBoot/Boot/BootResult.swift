import KernelSupport
import Memblock

/// One run of the pipeline: what the emulated kernel printed and concluded.
public struct BootResult: Sendable, Codable {
    public enum Outcome: Equatable, Sendable, Codable {
        /// setup_per_cpu_areas completed.
        case booted
        /// The emulated kernel panicked (or hit a BUG) with this message.
        case panicked(String)
    }

    public var platform: Platform
    public var profile: ArchProfile
    public var cmdline: KernelCommandLine
    public var log: KernelLog
    public var outcome: Outcome
    public var topology: Topology?
    /// Which allocator built the first chunk.
    public var firstChunkKind: FirstChunkKind?
    /// -errno of an embed attempt that failed before the page fallback.
    public var embedFailure: Int?
    /// The layout (`pcpu_alloc_info`) with final group base offsets.
    public var allocInfo: PcpuAllocInfo?
    /// Embed: `max_distance` and the threshold it was held against.
    public var maxDistance: UInt64?
    /// The first chunk's base (`pcpu_base_addr`).
    public var baseAddr: UInt64?
    /// Physical address of each group's area (embed, UP).
    public var groupPhys: [UInt64]
    /// Physical pages of each unit (page first chunk), in unit order.
    public var unitPagesPhys: [UnitPages]
    /// What pcpu_setup_first_chunk built.
    public var setup: PcpuSetupResult?
    /// One row per possible CPU.
    public var cpus: [PerCPUArea]
    /// Where the next dynamic chunks would go in the vmalloc space (percpu-vm
    /// backend only): `pcpu_get_vm_areas` for chunks of the first chunk's shape.
    public var dynamicChunks: DynamicChunkOutlook?
    /// memblock when setup_per_cpu_areas returned.
    public var memblockMemory: [MemblockRegion]
    public var memblockReserved: [MemblockRegion]

    /// `VMALLOC_TOTAL * 3 / 4` as the kernel computes it.
    public var maxDistanceThreshold: UInt64 { (profile.vmallocTotal &* 3) / 4 }
}

/// A CPU's per-CPU area: the `__per_cpu_offset[]` table row.
public struct PerCPUArea: Equatable, Sendable, Codable {
    public var cpu: Int
    public var node: Int
    public var group: Int
    /// pcpu_unit_map[cpu].
    public var unit: Int
    /// pcpu_unit_offsets[cpu].
    public var unitOffset: UInt64
    /// Virtual address of the CPU's unit (`pcpu_base_addr + unit offset`).
    public var address: UInt64
    /// `__per_cpu_offset[cpu]` when `__per_cpu_start` is known (x86_64's per-CPU
    /// section is zero-based, so it is the address itself); nil otherwise.
    public var perCPUOffset: UInt64?
    /// Physical address of the unit's first byte.
    public var physical: UInt64?
}
