/// The documented, stable JSON view of one boot (`--format json`).
///
/// Unlike a dump of `BootResult`, this is a view model written for readers
/// and scripts: camelCase keys that do not follow internal renames, every
/// address and offset a `"0x…"` hex string (JSON numbers above 2^53 lose
/// precision in jq and JavaScript), sizes and counts plain integers. Fields
/// that do not apply to a boot (e.g. `maxDistance` for a page first chunk) are
/// omitted. `docs/json-format.md` describes every field; bump
/// `formatVersion` when a field changes meaning or disappears.
public struct BootReportJSON: Codable, Equatable, Sendable {
    public static let currentFormatVersion = 1

    public var formatVersion: Int
    public var platform: PlatformSummary
    public var profile: ProfileSummary
    public var outcome: Outcome
    /// `embed`, `page` or `up`; absent when no first chunk was built.
    public var firstChunkKind: String?
    /// `-errno` of a failed embed attempt before the page fallback (e.g. -22).
    public var embedFailure: Int?
    /// Every emulated line, pr_debug and memblock=debug lines included (filter on `source`).
    public var kernelLog: [LogLine]
    public var topology: TopologyJSON?
    public var allocInfo: AllocInfoJSON?
    public var groups: [GroupJSON]
    /// The `__per_cpu_offset[]` table: one entry per possible CPU.
    public var cpus: [CPUJSON]
    public var firstChunk: FirstChunkJSON?
    /// memblock when `setup_per_cpu_areas` returned.
    public var memblock: MemblockJSON
    /// Embed: the largest distance between group areas (hex); also the
    /// distance of a failed embed attempt that was too large.
    public var maxDistance: String?
    /// `VMALLOC_TOTAL * 3 / 4` (hex).
    public var maxDistanceThreshold: String
    /// `maxDistance <= maxDistanceThreshold`, when a distance was computed.
    public var maxDistanceWithinThreshold: Bool?
    /// Where `pcpu_get_vm_areas` would put the next dynamic chunks (percpu-vm only).
    public var dynamicChunks: DynamicChunksJSON?

    public struct DynamicChunksJSON: Codable, Equatable, Sendable {
        /// The span one chunk needs in the vmalloc space (hex).
        public var span: String
        /// Bases of the chunks that fit, top-down (hex), up to the search limit.
        public var placedBases: [String]
        /// True when the search stopped at its limit with room left.
        public var reachedLimit: Bool
        /// Why the next chunk cannot be placed; absent when it can.
        public var failure: String?
        /// What the kernel then prints when an allocation needs a new chunk.
        public var kernelMessage: String?
    }

    public struct PlatformSummary: Codable, Equatable, Sendable {
        public var name: String
        public var description: String
        public var arch: String
        public var kernel: String
        public var cmdline: String
        public var staticSize: UInt64
        public var nrCpus: Int
        public var maxNumNodes: Int
        public var pageSize: UInt64
        public var vaBits: Int?
        /// The paging mode that runs (riscv64, x86_64), after `no4lvl`/`no5lvl`.
        public var pagingMode: String?
        public var smp: Bool
        public var mmu: Bool
        public var numa: Bool
        public var modules: Bool
    }

    public struct ProfileSummary: Codable, Equatable, Sendable {
        public var pageShift: Int
        public var pageOffset: String
        public var vmallocStart: String
        public var vmallocEnd: String
        public var vmallocTotal: String
        public var moduleReserve: UInt64
        public var dynamicReserve: UInt64
        public var dynamicEarlySize: UInt64
        public var minUnitSize: UInt64
    }

    public struct Outcome: Codable, Equatable, Sendable {
        /// `booted` or `panicked`.
        public var status: String
        public var panicMessage: String?
    }

    public struct LogLine: Codable, Equatable, Sendable {
        /// `emerg`, `alert`, `crit`, `err`, `warn`, `notice`, `info` or `debug`.
        public var level: String
        /// `kernel`, `memblock-debug` or `dynamic-debug` (pr_debug).
        public var source: String
        public var text: String
    }

    public struct TopologyJSON: Codable, Equatable, Sendable {
        /// `device-tree`, `acpi`, `dummy` or `none`.
        public var method: String
        public var numaOff: Bool
        public var nrCpuIds: Int
        public var possibleCpus: [Int]
        public var nodes: [NodeJSON]
        /// `early_cpu_to_node` of every possible CPU (-1: NUMA_NO_NODE).
        public var cpus: [CPUNode]
        public var distances: Distances
    }

    public struct NodeJSON: Codable, Equatable, Sendable {
        public var id: Int
        public var cpus: [Int]
        public var size: UInt64
        public var memory: [RangeJSON]
        /// Physical address of NODE_DATA.
        public var nodeData: String?
    }

    public struct CPUNode: Codable, Equatable, Sendable {
        public var cpu: Int
        public var node: Int
    }

    /// `matrix[i][j]` = `node_distance(nodes[i], nodes[j])`, for the nodes that exist.
    public struct Distances: Codable, Equatable, Sendable {
        public var nodes: [Int]
        public var matrix: [[Int]]
    }

    /// `[start, end)`.
    public struct RangeJSON: Codable, Equatable, Sendable {
        public var start: String
        public var end: String
        public var size: UInt64
    }

    public struct AllocInfoJSON: Codable, Equatable, Sendable {
        public var staticSize: UInt64
        public var reservedSize: UInt64
        public var dynSize: UInt64
        public var unitSize: UInt64
        public var atomSize: UInt64
        public var allocSize: UInt64
        public var unitsPerAlloc: Int
        public var pagesPerCpu: UInt64
        public var nrGroups: Int
        public var nrUnits: Int
        public var wastedUnits: Int
        /// CONFIG_NR_CPUS: the `cpu_map` value of an empty unit.
        public var emptyUnit: Int
        public var aiSize: UInt64
        public var aiPhys: String
    }

    public struct GroupJSON: Codable, Equatable, Sendable {
        public var index: Int
        public var baseOffset: String
        public var nrUnits: Int
        /// CPU of each unit; null for an empty unit.
        public var cpuMap: [Int?]
        public var nodes: [Int]
        public var wastedUnits: Int
        /// Where the group's units lie in physical memory (embed, UP).
        public var physical: RangeJSON?
    }

    public struct CPUJSON: Codable, Equatable, Sendable {
        public var cpu: Int
        public var node: Int
        public var group: Int
        public var unit: Int
        public var unitOffset: String
        /// Virtual address of the CPU's unit.
        public var address: String
        /// `__per_cpu_offset[cpu]` where `__per_cpu_start` is modelled (x86_64).
        public var perCpuOffset: String?
        /// Physical address of the unit's first byte.
        public var physical: String?
        /// Page first chunk: the unit's physical pages in allocation order, as runs of
        /// adjacent pages (one run per unit, usually: memblock hands them out top-down).
        public var pageRuns: [PageRunJSON]?
    }

    /// `pages` physical pages from `first`, each `step` bytes (±PAGE_SIZE) after the previous.
    public struct PageRunJSON: Codable, Equatable, Sendable {
        public var first: String
        public var pages: UInt64
        public var step: Int64
    }

    public struct FirstChunkJSON: Codable, Equatable, Sendable {
        public var baseAddr: String
        /// static, reserved, dynamic, free tail: offsets within a unit.
        public var unitLayout: [SegmentJSON]
        public var staticAligned: UInt64
        public var dynamicSize: UInt64
        public var nrUnits: Int
        public var lowUnitCpu: Int
        public var highUnitCpu: Int
        public var nrEmptyPopPages: Int
        public var nrPopulated: Int
        public var slots: SlotsJSON
        /// The reserved chunk (if any), then the dynamic chunk.
        public var chunks: [ChunkJSON]
    }

    public struct SegmentJSON: Codable, Equatable, Sendable {
        public var name: String
        public var offset: String
        public var size: UInt64
    }

    public struct SlotsJSON: Codable, Equatable, Sendable {
        public var sidelined: Int
        public var free: Int
        public var toDepopulate: Int
        public var nrSlots: Int
    }

    public struct ChunkJSON: Codable, Equatable, Sendable {
        /// `reserved` or `dynamic`.
        public var role: String
        public var baseAddr: String
        /// `baseAddr - pcpu_base_addr`: where the chunk's first page lies in a unit.
        public var unitOffset: String
        public var startOffset: Int
        public var endOffset: Int
        public var regionStart: String
        public var regionEnd: String
        public var nrPages: Int
        public var nrPopulated: Int
        public var freeBytes: Int
        public var nrEmptyPopPages: Int
        /// The slot list it is on; absent for the reserved chunk.
        public var slot: Int?
        public var chunkMd: BlockJSON
        public var mdBlocks: [BlockJSON]
    }

    /// `struct pcpu_block_md`, all in bits of 4 bytes.
    public struct BlockJSON: Codable, Equatable, Sendable {
        public var contigHint: Int
        public var contigHintStart: Int
        public var scanHint: Int
        public var scanHintStart: Int
        public var leftFree: Int
        public var rightFree: Int
        public var firstFree: Int
        public var nrBits: Int
    }

    public struct MemblockJSON: Codable, Equatable, Sendable {
        public var memory: [RegionJSON]
        public var reserved: [RegionJSON]
    }

    public struct RegionJSON: Codable, Equatable, Sendable {
        public var base: String
        public var end: String
        public var size: UInt64
        /// Absent when the region has no node (MAX_NUMNODES).
        public var nid: Int?
        /// MEMBLOCK_* flags (1 hotplug, 2 mirror, 4 nomap, 8 driver managed, 16 rsrv noinit).
        public var flags: UInt32
    }
}
