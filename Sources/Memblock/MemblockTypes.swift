import KernelSupport

// Values and types of include/linux/memblock.h and include/linux/numa.h (v6.8).

/// `NUMA_NO_NODE` (include/linux/numa.h): "any node".
public let NUMA_NO_NODE: Int = -1
/// `MEMBLOCK_ALLOC_ANYWHERE` (`~(phys_addr_t)0`), also `PHYS_ADDR_MAX`.
public let MEMBLOCK_ALLOC_ANYWHERE: UInt64 = ~0
/// `PHYS_ADDR_MAX`: the largest physical address (`~(phys_addr_t)0`).
public let PHYS_ADDR_MAX: UInt64 = ~0
/// `MEMBLOCK_ALLOC_ACCESSIBLE`: an `end` of 0 means "up to `memblock.current_limit`".
public let MEMBLOCK_ALLOC_ACCESSIBLE: UInt64 = 0
/// `MEMBLOCK_ALLOC_NOLEAKTRACE`: like ACCESSIBLE, but the block is not registered with kmemleak.
public let MEMBLOCK_ALLOC_NOLEAKTRACE: UInt64 = 1
/// `MEMBLOCK_LOW_LIMIT`: the default lower bound of `memblock_alloc*`.
public let MEMBLOCK_LOW_LIMIT: UInt64 = 0

/// `enum memblock_flags` (v6.8). RSRV_NOINIT is new in 6.5 (absent in 6.1).
public struct MemblockFlags: OptionSet, Sendable, Hashable, Codable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// `MEMBLOCK_HOTPLUG`: hotpluggable region.
    public static let hotplug = MemblockFlags(rawValue: 0x1)
    /// `MEMBLOCK_MIRROR`: mirrored region.
    public static let mirror = MemblockFlags(rawValue: 0x2)
    /// `MEMBLOCK_NOMAP`: not added to the kernel direct mapping.
    public static let nomap = MemblockFlags(rawValue: 0x4)
    /// `MEMBLOCK_DRIVER_MANAGED`: always detected via a driver.
    public static let driverManaged = MemblockFlags(rawValue: 0x8)
    /// `MEMBLOCK_RSRV_NOINIT`: reserved memory whose struct pages are not initialised.
    public static let reservedNoInit = MemblockFlags(rawValue: 0x10)
    /// `MEMBLOCK_RSRV_KERN` (6.16+, `memblockReserveKern`): reserved by memblock allocations
    /// or `memblock_reserve_kern()`.
    public static let reservedKern = MemblockFlags(rawValue: 0x20)
}

/// `struct memblock_region`: one contiguous range of a memblock type.
public struct MemblockRegion: Equatable, Sendable, Codable {
    public var base: UInt64
    public var size: UInt64
    public var flags: MemblockFlags
    /// `memblock_get_region_node()`; `MAX_NUMNODES` for "no node" (what memblock_add/memblock_reserve use).
    public var nid: Int

    public init(base: UInt64, size: UInt64, flags: MemblockFlags = [], nid: Int) {
        self.base = base
        self.size = size
        self.flags = flags
        self.nid = nid
    }

    /// `base + size` (exclusive end). Regions are capped so this fits; saturates rather than trap.
    public var end: UInt64 {
        let (e, o) = base.addingReportingOverflow(size)
        return o ? UInt64.max : e
    }
}


/// Build-time facts memblock depends on.
public struct MemblockProfile: Sendable, Equatable {
    public var kernel: KernelVersion
    /// `MAX_NUMNODES = 1 << CONFIG_NODES_SHIFT`: the nid memblock_add/memblock_reserve tag regions with.
    public var maxNumNodes: Int
    /// `SMP_CACHE_BYTES`: the alignment used when a caller passes align 0.
    public var smpCacheBytes: UInt64
    /// `PAGE_SIZE`: the lowest address memblock ever hands out, and the doubled-array alignment.
    public var pageSize: UInt64
    /// `INIT_MEMBLOCK_MEMORY_REGIONS` (128; arm64 with EFI: 1024).
    public var memoryCapacity: Int
    /// `INIT_MEMBLOCK_RESERVED_REGIONS` (128; arm64 with EFI and GICv3 ITS: 128 + NR_CPUS + 1).
    public var reservedCapacity: Int
    /// `memblock_allow_resize()` has run (true by the time setup_per_cpu_areas runs).
    public var canResize: Bool
    /// `sizeof(struct memblock_region)`: 24 on 64-bit, with or without CONFIG_NUMA
    /// (base 8, size 8, flags 4, nid 4 or padding) — "reserved is doubled to 256 at [X-X+0x17ff]".
    public var regionStructSize: UInt64
    /// CONFIG_NUMA. Without it regions carry no nid (`memblock_get_region_node()` is 0),
    /// memblock_set_node() does nothing and the dump never says " on node".
    public var numa: Bool

    public init(kernel: KernelVersion, maxNumNodes: Int, smpCacheBytes: UInt64, pageSize: UInt64 = 4096,
                memoryCapacity: Int = 128, reservedCapacity: Int = 128, canResize: Bool = true,
                regionStructSize: UInt64 = 24, numa: Bool = true) {
        self.kernel = kernel
        self.maxNumNodes = maxNumNodes
        self.smpCacheBytes = smpCacheBytes
        self.pageSize = pageSize
        self.memoryCapacity = memoryCapacity
        self.reservedCapacity = reservedCapacity
        self.canResize = canResize
        self.regionStructSize = regionStructSize
        self.numa = numa
    }
}

/// The two `struct memblock_type`s of `struct memblock`.
public enum MemblockTypeName: String, Sendable, Equatable, Hashable, Codable, CaseIterable {
    case memory, reserved

    /// `type->name` as the kernel prints it.
    public var name: String { rawValue }
}

/// One `struct memblock_type`: its regions (without the kernel's dummy entry), `max`, where the
/// array lives (`nil` = the static `memblock_*_init_regions` array, else the physical address
/// `memblock_double_array()` placed it at), and `total_size`.
public struct MemblockRegionArray: Equatable, Sendable {
    public internal(set) var regions: [MemblockRegion]
    public internal(set) var max: Int
    public internal(set) var address: UInt64?
    /// `type->total_size`: a counter the kernel maintains on insert/remove, not a sum —
    /// `memblock_trim_memory()` resizes regions without updating it, so it can be stale (x86 boots
    /// show `memory size` 0xc00 above the sum of the regions).
    public internal(set) var totalSize: UInt64

    public init(regions: [MemblockRegion] = [], max: Int, address: UInt64? = nil, totalSize: UInt64? = nil) {
        self.regions = regions
        self.max = max
        self.address = address
        self.totalSize = totalSize ?? regions.reduce(0) { $0 &+ $1.size }
    }
}
