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
        // Before the bitmap allocator (4.14) chunks kept area maps, which pcpu-boot does not emulate.
        guard profile.kernel.has(.percpuBitmapAllocator) else {
            throw .invalidGeometry("kernel \(profile.kernel) allocates with the area-map allocator of mm/percpu.c, which "
                                   + "pcpu-boot does not emulate (the bitmap allocator is \(KernelChange.percpuBitmapAllocator.entry.since) and later)")
        }
        let early = Boot.earlyVmallocAreasOf(self)
        let geometry = PcpuAllocGeometry(
            pageSize: profile.pageSize, unitPages: Int(ai.unitSize / profile.pageSize), nrUnits: setup.nrUnits,
            atomSize: ai.atomSize, baseAddr: base,
            perCpuStart: platform.arch == .x86_64 ? 0 : (platform.perCPUStart ?? 0),
            groupOffsets: setup.groupOffsets, groupSizes: setup.groupSizes,
            unitOffsets: setup.unitOffsets, unitMap: setup.unitMap,
            lowUnitCPU: setup.lowUnitCPU, highUnitCPU: setup.highUnitCPU,
            chunkStructSize: debianChunkStructSize(profile.kernel), smp: smp, backend: backend,
            vmallocStart: profile.layout.vmallocStart, vmallocEnd: profile.layout.vmallocEnd,
            earlyVmAreas: early.map { VmArea(start: $0.0, end: $0.1) },
            kmBase: base &+ ai.unitSize &* UInt64(max(setup.nrUnits, 1)),
            staticSize: ai.staticSize, reservedSize: ai.reservedSize, dynSize: ai.dynSize, allocSize: ai.allocSize)
        return try PcpuAllocator(geometry: geometry, firstChunk: setup.firstChunk,
                                 behaviour: behaviour ?? PcpuAllocBehaviour(kernel: profile.kernel))
    }
}
