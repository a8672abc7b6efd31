/// One behavioural difference between kernel releases that pcpu-boot emulates.
///
/// Every place where a line, an address or a choice depends on the kernel asks
/// `kernel.has(.change)`; the entry (in `KernelChange+Table.swift`) says what
/// changed, the first mainline release that has it, the upstream commit and the
/// files. To add a change: add a case here (grouped by subsystem), its entry in
/// the table, and use it; `docs/kernel-versions.md` walks through an example.
public enum KernelChange: String, CaseIterable, Sendable, Codable {
    // mm/percpu.c messages
    case percpuPrFmt
    case printkHashedPointers
    case percpuNoAddressInSummary
    // the allocator
    case percpuBitmapAllocator
    case percpuPartialDepopulation
    case percpuWarnAtomicFailures
    case percpuAllocTagging
    // include/linux/percpu.h constants and pcpu_build_alloc_info
    case percpuDynamicReserve28K
    case percpuDynamicEarlySize20K
    case percpuDynamicSizeShift
    case percpuDynamicSizeShiftLockdep
    case percpuModuleReserveAllocTags
    case percpuMaxDistanceHighestGroupSpan
    case percpuMaxDistanceCheckBeforeCopy
    case percpuSetupNoDynSizeCheck
    case percpuChunkBaseAddrCachelineAligned
    case percpuInitFailPrintsErr
    case percpuGenericFcAlloc
    case percpuChunkCountersBeforeObjExts
    // first chunk choices per architecture
    case arm64PageFirstChunk
    case needPerCpuKMForNommu
    // memblock
    case memblockMirrorNeedsKernelcore
    case memblockMergeAroundTouchedRange
    case memblockInsertWhenHalfFull
    case memblockDoubleArrayPanicsEarly
    case memblockNumaValidNode
    case memblockNoDummyRegion
    case memblockAllocOrPanic
    case memblockReserveKern
    case memblockNumaCoverageZeroThreshold
    // NUMA init
    case arm64NUMA
    case archNumaDriver
    case riscvNUMA
    case numaMemblks
    case archNumaValidatesCoverage
    case numaDistanceTableLinePrDebug
    case ofNumaReturnsLastStatus
    case ofNumaMemoryNodesParsed
    case x86SratAffinityLinesDebug
    case x86MemorylessNodeMessageDropped
    case x86NodeDataAllocPanics
    case x86AllocOfflineNodeData
    case x86MemorylessNodesInFreeAreaInit
    // x86 CPUs and setup_percpu
    case arm64GICCOnlineCapable
    case x86BootCPUNotListedFallbackDropped
    case x86CPUTopologyRewrite
    case x86NrCpumaskBitsIsNrCpuIds
    case x86CPULocalMasksOnlySibling
    // virtual layouts
    case arm64VmallocAfterModulesOnly
    case arm64ModulesRegion2G
    case arm64VmemmapBelowFixmap
    case arm64LPA2
    case arm64VA52On48BitHardware
    // CPU enumeration
    case riscvCPUStatusIsAvailability
    case riscvDisabledHartSilent
    case riscvSv39LinearMap128G
    // MARK: old kernels (3.10–5.19): architectures, NUMA, layouts
    case riscvArch
    case riscvSv48
    case riscvSv57
    case riscvPageFirstChunk
    case riscvSv39PageOffsetD8
    case arm64NUMAPrFmt
    case arm64NUMAVerboseLinesDropped
    case arm64KernelImageInVmalloc
    case arm64BPFRegion
    case arm64FlippedVA
    case x86AllocNodeData
    case x86MemorylessNodesOnline
    case x86NodeMinSizeDropped
    case x86PageOffsetLDTRemapMoved
    case x86FiveLevelPaging
    case x86FiveLevelBootSwitch
    case x86SratMemoryLineACPIPrefix
    case memblockPhysFreeRename
    case arm64ACPINUMA
    case arm64VABits52
    case arm64DummyNodeSpansDRAM
    case riscvNommu
    case riscvSatpModeFromFDT
}

extension KernelChange {
    /// `since` and `until` of every change, in `allCases` order, read from the table
    /// once: `has()` is asked in the emulator's inner loops, and `entry` builds the
    /// whole entry (strings, file lists) each time it is read.
    static let windows: [(since: KernelVersion, until: KernelVersion?)] = allCases.map { ($0.entry.since, $0.entry.until) }

    /// The change's position in `allCases`.
    static let indices: [KernelChange: Int] = Dictionary(uniqueKeysWithValues: allCases.enumerated().map { ($1, $0) })

    var index: Int { Self.indices[self] ?? 0 }
}

/// What the table says of one change.
public struct KernelChangeEntry: Sendable, Equatable {
    /// The first mainline release that has the change.
    public var since: KernelVersion
    /// The first release that no longer has it (a later commit undid it), if any.
    public var until: KernelVersion?
    /// `12-hex-id ("subject")` of the upstream commit, or nil where no commit could be
    /// pinned (then `source` says how the boundary was established).
    public var commit: String?
    /// The kernel files the change touches that pcpu-boot re-expresses.
    public var files: [String]
    /// What differs, before → after, in a sentence.
    public var summary: String
    /// How the boundary was established: the trees or logs compared.
    public var source: String
    /// The architectures it matters on (empty: all).
    public var arches: [String]

    public init(since: KernelVersion, until: KernelVersion? = nil, commit: String?, files: [String],
                summary: String, source: String, arches: [String] = []) {
        self.since = since
        self.until = until
        self.commit = commit
        self.files = files
        self.summary = summary
        self.source = source
        self.arches = arches
    }
}
