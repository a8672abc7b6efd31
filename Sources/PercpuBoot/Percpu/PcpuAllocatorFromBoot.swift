import PercpuAlloc
import PercpuChunk

extension BootResult {
    /// The dynamic allocator as this boot's `pcpu_setup_first_chunk` leaves it:
    /// its layout globals, the reserved and first chunk, the vmalloc space
    /// (percpu-vm) or contiguous pages (percpu-km, on UP or nommu builds).
    /// nil when the boot did not get that far.
    public func dynamicAllocator(behaviour: PcpuAllocBehaviour? = nil) throws(PcpuAllocError) -> PcpuAllocator? {
        guard outcome == .booted, let setup, let ai = allocInfo, case let base = setup.baseAddr else { return nil }
        let smp = profile.config.smp
        let backend: PcpuChunkBackend = smp && profile.config.mmu ? .vm : .km
        let kernel: PercpuKernel
        switch profile.kernel {
        case .v5_10, .v6_1: kernel = .v6_1
        case .v6_8: kernel = .v6_8
        case .v6_12: kernel = .v6_12
        }
        let early = Boot.earlyVmallocAreasOf(self)
        let geometry = PcpuAllocGeometry(
            pageSize: profile.pageSize, unitPages: Int(ai.unitSize / profile.pageSize), nrUnits: setup.nrUnits,
            atomSize: ai.atomSize, baseAddr: base,
            perCpuStart: platform.arch == .x86_64 ? 0 : (platform.perCPUStart ?? 0),
            groupOffsets: setup.groupOffsets, groupSizes: setup.groupSizes,
            unitOffsets: setup.unitOffsets, unitMap: setup.unitMap,
            lowUnitCPU: setup.lowUnitCPU, highUnitCPU: setup.highUnitCPU,
            chunkStructSize: kernel.debianChunkStructSize, smp: smp, backend: backend,
            vmallocStart: profile.layout.vmallocStart, vmallocEnd: profile.layout.vmallocEnd,
            earlyVmAreas: early.map { VmArea(start: $0.0, end: $0.1) },
            kmBase: base &+ ai.unitSize &* UInt64(max(setup.nrUnits, 1)),
            staticSize: ai.staticSize, reservedSize: ai.reservedSize, dynSize: ai.dynSize, allocSize: ai.allocSize)
        let versionBehaviour: PcpuAllocBehaviour
        switch profile.kernel {
        case .v5_10: versionBehaviour = .v5_10
        case .v6_1: versionBehaviour = .v6_1
        case .v6_8: versionBehaviour = .v6_8
        case .v6_12: versionBehaviour = .v6_12
        }
        return try PcpuAllocator(geometry: geometry, firstChunk: setup.firstChunk, behaviour: behaviour ?? versionBehaviour)
    }
}
