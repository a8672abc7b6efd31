import Testing
import KernelSupport
@testable import Memblock

// The set-up of the kernel's own memblock test suite, tools/testing/memblock (v6.8 tree, built
// with `make NUMA=1`), re-expressed for the emulator. Facts carried over:
//
// - tests/common.h: MEM_SIZE = SZ_32K, NUMA_NODES = 8, INIT_MEMBLOCK_(RESERVED_)REGIONS = 128.
// - scripts/Makefile.include, NUMA=1: `-D CONFIG_NUMA -D CONFIG_NODES_SHIFT=4`, so MAX_NUMNODES = 16.
// - tools/include/linux/cache.h: L1_CACHE_SHIFT 5, so SMP_CACHE_BYTES = 32; PAGE_SIZE is 4096.
// - tests/common.c: reset_memblock_regions() empties both arrays (cnt 1 = the dummy entry, max 128,
//   total_size 0); reset_memblock_attributes() restores top-down and current_limit ANYWHERE;
//   setup_memblock() adds [base, base + MEM_SIZE); setup_numa_memblock() adds node i with
//   MEM_SIZE * node_fracs[i] / 10000 bytes, consecutively, flagged MEMBLOCK_HOTPLUG (the default
//   run, without --movable-node).
// - The suite malloc()s its "physical memory" and uses the pointer as its base; here the base is
//   fixed at DUMMY_BASE (page aligned, far above page 0 and the low addresses some tests reserve),
//   and every expected value is written relative to it, as the kernel tests write them relative to
//   memblock_start_of_DRAM() / memblock_end_of_DRAM() or a node's region.
// - assert_mem_content() (zeroed memory for memblock_alloc*, untouched filler for the _raw variants)
//   checks the contents of the allocated bytes. The emulator models memblock's state, not memory
//   contents, so that part of each scenario is not expressible; instead every allocation checks
//   that the variant asked for really ran (its memblock=debug trace names the kernel function).

let SZ_2: UInt64 = 0x2, SZ_4: UInt64 = 0x4, SZ_8: UInt64 = 0x8, SZ_16: UInt64 = 0x10, SZ_32: UInt64 = 0x20
let SZ_64: UInt64 = 0x40, SZ_128: UInt64 = 0x80, SZ_256: UInt64 = 0x100, SZ_512: UInt64 = 0x200
let SZ_1K: UInt64 = 0x400, SZ_2K: UInt64 = 0x800, SZ_4K: UInt64 = 0x1000, SZ_8K: UInt64 = 0x2000
let SZ_16K: UInt64 = 0x4000, SZ_32K: UInt64 = 0x8000, SZ_64K: UInt64 = 0x1_0000, SZ_128K: UInt64 = 0x2_0000
let SZ_512K: UInt64 = 0x8_0000, SZ_1M: UInt64 = 0x10_0000, SZ_2M: UInt64 = 0x20_0000, SZ_4M: UInt64 = 0x40_0000
let SZ_8M: UInt64 = 0x80_0000, SZ_16M: UInt64 = 0x100_0000, SZ_32M: UInt64 = 0x200_0000, SZ_64M: UInt64 = 0x400_0000
let SZ_128M: UInt64 = 0x800_0000, SZ_256M: UInt64 = 0x1000_0000, SZ_512M: UInt64 = 0x2000_0000
let SZ_1G: UInt64 = 0x4000_0000, SZ_2G: UInt64 = 0x8000_0000

/// `MEM_SIZE` (tests/common.h).
let MEM_SIZE: UInt64 = SZ_32K
/// `SMP_CACHE_BYTES` of the suite's build (tools/include/linux/cache.h).
let SMP_CACHE_BYTES: UInt64 = 32
/// `NUMA_NODES` (tests/common.h).
let NUMA_NODES = 8
/// `INIT_MEMBLOCK_REGIONS` = `INIT_MEMBLOCK_RESERVED_REGIONS` (tests/common.h).
let INIT_MEMBLOCK_REGIONS = 128
/// `sizeof(struct memblock_region)` on 64-bit.
let MEMBLOCK_REGION_SIZE: UInt64 = 24
/// The stand-in for `dummy_physical_memory_base()`.
let DUMMY_BASE: UInt64 = 0x1000_0000

/// `PAGE_ALIGN(x)` with the suite's 4K pages.
func pageAlign(_ x: UInt64) -> UInt64 { (x + 0xfff) & ~0xfff }

/// The build the suite runs: v6.8 memblock.c, CONFIG_NUMA with MAX_NUMNODES 16, 128-entry arrays
/// and, as the static `memblock_can_resize`, no resizing until a test calls memblock_allow_resize().
let kernelSuiteProfile = MemblockProfile(kernel: .v6_8, maxNumNodes: 16, smpCacheBytes: SMP_CACHE_BYTES,
                                         pageSize: 4096, memoryCapacity: INIT_MEMBLOCK_REGIONS,
                                         reservedCapacity: INIT_MEMBLOCK_REGIONS, canResize: false,
                                         regionStructSize: MEMBLOCK_REGION_SIZE, numa: true)

/// `node_fractions[]` of alloc_nid_api.c and alloc_exact_nid_api.c, in basis points:
/// 1/4, 1/16, 1/8, 1/8, 1/16, 1/16, 1/4, 1/16 of MEM_SIZE.
let nodeFractions: [UInt64] = [2500, 625, 1250, 1250, 625, 625, 2500, 625]

/// The direction a scenario runs in: `run_top_down()` / `run_bottom_up()`, i.e. `memblock_set_bottom_up()`.
enum Direction: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case topDown = "top-down", bottomUp = "bottom-up"
    var testDescription: String { rawValue }
}

/// The functions alloc_api.c runs every scenario with (`TEST_F_NONE`, `TEST_F_RAW`).
enum AllocVariant: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// `memblock_alloc()` (traces as memblock_alloc_try_nid).
    case zeroed = "memblock_alloc"
    /// `memblock_alloc_raw()` (traces as memblock_alloc_try_nid_raw).
    case raw = "memblock_alloc_raw"
    var testDescription: String { rawValue }
    var traced: MemblockAllocFunction { self == .zeroed ? .tryNid : .tryNidRaw }
}

/// The functions the alloc_nid_api.c scenarios run with: `TEST_F_NONE`, `TEST_F_RAW` and (range
/// checks only, from alloc_exact_nid_api.c) `TEST_F_RAW | TEST_F_EXACT`.
enum NidVariant: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case tryNid = "memblock_alloc_try_nid"
    case tryNidRaw = "memblock_alloc_try_nid_raw"
    case exactNidRaw = "memblock_alloc_exact_nid_raw"
    var testDescription: String { rawValue }
    /// The variants `memblock_alloc_nid_checks()` runs the NUMA checks with.
    static let fallbackVariants: [NidVariant] = [.tryNid, .tryNidRaw]
    var traced: MemblockAllocFunction {
        switch self {
        case .tryNid: .tryNid
        case .tryNidRaw: .tryNidRaw
        case .exactNidRaw: .exactNidRaw
        }
    }
}

/// One `struct memblock_region` as the kernel tests read it: base and size.
struct Span: Equatable, CustomStringConvertible {
    var base: UInt64
    var size: UInt64
    init(_ base: UInt64, _ size: UInt64) { self.base = base; self.size = size }
    /// `region_end()`.
    var end: UInt64 { base &+ size }
    var description: String { "[\(Printk.pa(base)) +0x\(Printk.hex(size))]" }
}

/// The global `memblock` of the suite's simulator, with the entry points the tests call. Every
/// entry point traces (memblock=debug), so a scenario can check which allocator ran.
struct SuiteMemblock {
    var mb: Memblock
    var log = KernelLog()

    /// `reset_memblock_regions()` + `reset_memblock_attributes()`, then `memblock_set_bottom_up()`.
    init(_ direction: Direction = .topDown) {
        mb = Memblock(profile: kernelSuiteProfile)
        mb.debug = true
        mb.bottomUp = direction == .bottomUp
    }

    /// `setup_memblock()`: one memory region [DUMMY_BASE, DUMMY_BASE + MEM_SIZE).
    static func setup(_ direction: Direction = .topDown) throws -> SuiteMemblock {
        var s = SuiteMemblock(direction)
        try s.add(DUMMY_BASE, MEM_SIZE)
        return s
    }

    /// `setup_numa_memblock(node_fractions)`: nodes 0 ..< NUMA_NODES laid out one after the other
    /// from DUMMY_BASE, each `MEM_SIZE * fraction / 10000` bytes, MEMBLOCK_HOTPLUG (movable_node off).
    static func setupNUMA(_ direction: Direction = .topDown) throws -> SuiteMemblock {
        var s = SuiteMemblock(direction)
        var base = DUMMY_BASE
        for nid in 0 ..< NUMA_NODES {
            let size = MEM_SIZE * nodeFractions[nid] / 10000
            try s.addNode(base, size, nid: nid, flags: .hotplug)
            base += size
        }
        return s
    }

    mutating func add(_ base: UInt64, _ size: UInt64) throws { try mb.add(base, size, log: &log, caller: "test") }
    mutating func addNode(_ base: UInt64, _ size: UInt64, nid: Int, flags: MemblockFlags) throws {
        try mb.addNode(base, size, nid: nid, flags: flags, log: &log, caller: "test")
    }
    mutating func reserve(_ base: UInt64, _ size: UInt64) throws { try mb.reserve(base, size, log: &log, caller: "test") }
    mutating func remove(_ base: UInt64, _ size: UInt64) throws { try mb.remove(base, size, log: &log, caller: "test") }
    /// `memblock_free((void *)base, size)`: the suite's pointers are physical addresses.
    mutating func free(_ base: UInt64, _ size: UInt64) throws { try mb.physFree(base, size, log: &log, caller: "test") }

    /// `memblock.<type>.regions[i]`: slot 0 of an empty array is the dummy entry (base 0, size 0).
    func region(_ type: MemblockTypeName, _ i: Int) -> Span {
        let rs = mb.regions(type)
        return i < rs.count ? Span(rs[i].base, rs[i].size) : Span(0, 0)
    }
    func memory(_ i: Int) -> Span { region(.memory, i) }
    func reserved(_ i: Int) -> Span { region(.reserved, i) }
    /// `memblock.<type>.cnt` (1 for an empty array: the dummy).
    func cnt(_ type: MemblockTypeName) -> Int { mb.count(type) }
    /// `memblock.<type>.max`.
    func max(_ type: MemblockTypeName) -> Int { mb.capacity(type) }
    /// `memblock.<type>.total_size`.
    func totalSize(_ type: MemblockTypeName) -> UInt64 { mb.array(type).totalSize }
    var startOfDRAM: UInt64 { mb.startOfDRAM }
    var endOfDRAM: UInt64 { mb.endOfDRAM }

    /// Runs one allocator and checks, from its trace line, that it was the function asked for.
    private mutating func traced(_ function: MemblockAllocFunction, _ location: SourceLocation,
                                 _ body: (inout Memblock, inout KernelLog) throws -> UInt64?) throws -> UInt64? {
        var callLog = KernelLog()
        let addr = try body(&mb, &callLog)
        let first = callLog.lines.first { $0.source == .memblockDebug }?.text ?? ""
        #expect(first.hasPrefix("\(function.rawValue): "), "expected a \(function.rawValue) call, traced \(first)",
                sourceLocation: location)
        log.append(contentsOf: callLog)
        return addr
    }

    /// `memblock_alloc(size, align)` or `memblock_alloc_raw(size, align)`.
    mutating func alloc(_ variant: AllocVariant, _ size: UInt64, _ align: UInt64,
                        sourceLocation: SourceLocation = #_sourceLocation) throws -> UInt64? {
        try traced(variant.traced, sourceLocation) { mb, log in
            switch variant {
            case .zeroed: try mb.alloc(size: size, align: align, log: &log, caller: "test")
            case .raw: try mb.allocRaw(size: size, align: align, log: &log, caller: "test")
            }
        }
    }

    /// `memblock_alloc_from(size, align, min_addr)`.
    mutating func allocFrom(_ size: UInt64, _ align: UInt64, _ minAddr: UInt64,
                            sourceLocation: SourceLocation = #_sourceLocation) throws -> UInt64? {
        try traced(.tryNid, sourceLocation) { mb, log in
            try mb.allocFrom(size: size, align: align, minAddr: minAddr, log: &log, caller: "test")
        }
    }

    /// `run_memblock_alloc_nid()`: memblock_alloc_try_nid(_raw) or memblock_alloc_exact_nid_raw.
    mutating func allocNid(_ variant: NidVariant, _ size: UInt64, _ align: UInt64, _ minAddr: UInt64,
                           _ maxAddr: UInt64, nid: Int,
                           sourceLocation: SourceLocation = #_sourceLocation) throws -> UInt64? {
        try traced(variant.traced, sourceLocation) { mb, log in
            try mb.allocate(variant.traced, size: size, align: align, nid: nid, minAddr: minAddr,
                            maxAddr: maxAddr, log: &log, caller: "test")
        }
    }

    /// `memblock_alloc_node(size, align, nid)`.
    mutating func allocNode(_ size: UInt64, _ align: UInt64, nid: Int,
                            sourceLocation: SourceLocation = #_sourceLocation) throws -> UInt64? {
        try traced(.tryNid, sourceLocation) { mb, log in
            try mb.allocNode(size: size, align: align, nid: nid, log: &log, caller: "test")
        }
    }
}
