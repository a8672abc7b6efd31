import PercpuChunk

/// Debian's 6.1 arm64 build: 4K pages, sizeof(struct pcpu_chunk) 136.
let debian61 = PcpuChunkConfig(kernel: .v6_1, pageSize: 4096)
/// A Debian-like 6.8 build: sizeof(struct pcpu_chunk) 192 (cache-aligned base_addr).
let debian68 = PcpuChunkConfig(kernel: .v6_8, pageSize: 4096)

/// Any page-aligned base works: only offsets within pages matter.
let base: UInt64 = 0xffff_0000_1234_0000

extension PcpuBitmap {
    /// Indices of the set bits, ascending.
    var setBits: [Int] { (0 ..< count).filter { test($0) } }
}

/// A block as pcpu_block_md would read (scan hint 0 unless given).
func md(contig: Int, at start: Int, left: Int, right: Int, firstFree: Int, nrBits: Int,
        scan: Int = 0, scanAt: Int = 0) -> PcpuBlockMD {
    PcpuBlockMD(scanHintStart: scanAt, scanHint: scan, contigHintStart: start, contigHint: contig,
                leftFree: left, rightFree: right, firstFree: firstFree, nrBits: nrBits)
}

/// An untouched block of `bits` bits (pcpu_init_md_block).
func freeBlock(_ bits: Int) -> PcpuBlockMD { PcpuBlockMD(nrBits: bits) }

/// The sizes of an allocation list, in order.
func sizes(_ allocations: [PcpuMetadataAllocation]) -> [UInt64] { allocations.map(\.size) }
