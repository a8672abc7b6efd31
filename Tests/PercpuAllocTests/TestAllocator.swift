import PercpuAlloc
import PercpuChunk

/// A small allocator worked by hand in the tests: 4 KiB pages, a unit of 8
/// pages (0x8000) holding static 0x2000, reserved 0x1000 and dynamic 0x5000
/// bytes; one group of two units (0x10000); `pcpu_base_addr`
/// 0xffff000000100000, `__per_cpu_start` 0xffff800000000000, vmalloc space
/// [0xffff800010000000, 0xffff800020000000).
///
/// Slots: `__pcpu_size_to_slot(0x8000)` = fls(0x8000) - 5 + 2 = 13, so sidelined
/// 14, free 15, to_depopulate 16, 17 slots. The first chunk serves
/// [base + 0x3000, +0x5000): page aligned, 5 pages, no hidden head or tail.
enum TestAllocator {
    static let base: UInt64 = 0xffff_0000_0010_0000
    static let perCpuStart: UInt64 = 0xffff_8000_0000_0000
    static let vmallocStart: UInt64 = 0xffff_8000_1000_0000
    static let vmallocEnd: UInt64 = 0xffff_8000_2000_0000

    static func make(backend: PcpuChunkBackend = .vm, behaviour: PcpuAllocBehaviour = .v6_1) throws -> PcpuAllocator {
        let (first, _) = try pcpuFirstChunk(baseAddr: base, staticSize: 0x2000, reservedSize: 0x1000, dynSize: 0x5000,
                                            unitSize: 0x8000, config: PcpuChunkConfig(kernel: .v6_1, pageSize: 4096))
        let geometry = PcpuAllocGeometry(
            pageSize: 4096, unitPages: 8, nrUnits: 2, atomSize: 4096, baseAddr: base, perCpuStart: perCpuStart,
            groupOffsets: [0], groupSizes: [0x10000], unitOffsets: [0, 0x8000], unitMap: [0, 1],
            lowUnitCPU: 0, highUnitCPU: 1, chunkStructSize: 136, smp: true, backend: backend,
            vmallocStart: vmallocStart, vmallocEnd: vmallocEnd, kmBase: 0xffff_0000_0100_0000,
            staticSize: 0x2000, reservedSize: 0x1000, dynSize: 0x5000, allocSize: 0x10000)
        return try PcpuAllocator(geometry: geometry, firstChunk: first, behaviour: behaviour)
    }
}
