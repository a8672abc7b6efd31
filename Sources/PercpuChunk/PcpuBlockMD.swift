/// `struct pcpu_block_md` (mm/percpu-internal.h) and `pcpu_block_update`.
///
/// One of these summarises each page-sized block of a chunk's allocation
/// bitmap, and one (`chunk_md`) the whole chunk. All fields are in bits
/// (PCPU_MIN_ALLOC_SIZE = 4 bytes each) and relative to the block start.
///
/// The scan hint is the largest known free area *before* the contig hint
/// (invariant: `scanHintStart > contigHintStart` only when
/// `scanHint == contigHint`); `leftFree`/`rightFree` are the free runs touching
/// the block's edges and let runs be joined across blocks.
public struct PcpuBlockMD: Equatable, Sendable, Codable {
    public var scanHint: Int
    public var scanHintStart: Int
    public var contigHint: Int
    public var contigHintStart: Int
    public var leftFree: Int
    public var rightFree: Int
    public var firstFree: Int
    public var nrBits: Int

    public init(scanHintStart: Int = 0, scanHint: Int = 0, contigHintStart: Int, contigHint: Int,
                leftFree: Int, rightFree: Int, firstFree: Int, nrBits: Int) {
        self.scanHint = scanHint
        self.scanHintStart = scanHintStart
        self.contigHint = contigHint
        self.contigHintStart = contigHintStart
        self.leftFree = leftFree
        self.rightFree = rightFree
        self.firstFree = firstFree
        self.nrBits = nrBits
    }

    /// `pcpu_init_md_block(block, nr_bits)` (v6.8; same in 6.1 and 6.12).
    ///
    /// A block starts entirely free: contig/left/right = nr_bits, first_free 0,
    /// no scan hint. The kernel does not write `contig_hint_start` or
    /// `scan_hint_start`; they keep memblock_alloc's zero fill, hence 0 here.
    public init(nrBits: Int) {
        self.init(contigHintStart: 0, contigHint: nrBits, leftFree: nrBits, rightFree: nrBits,
                  firstFree: 0, nrBits: nrBits)
    }

    /// `pcpu_block_update(block, start, end)` (v6.8; unchanged since the 5.2
    /// scan-hint rework, so identical in 6.1 and 6.12).
    ///
    /// Records a known free area `[start, end)` that is the *entirety* of a free
    /// run in this block: lowers first_free, sets left/right_free when the run
    /// touches an edge, and keeps the best contig hint (larger wins; on a tie the
    /// better aligned start wins) while demoting the old contig hint to the scan
    /// hint so that scans can skip it.
    public mutating func update(start: Int, end: Int) {
        let contig = end &- start          // wrapping: public input must never trap

        firstFree = min(firstFree, start)
        if start == 0 { leftFree = contig }
        if end == nrBits { rightFree = contig }

        if contig > contigHint {
            // Promote the old contig hint to be the new scan hint.
            if start > contigHintStart {
                if contigHint > scanHint {
                    scanHintStart = contigHintStart
                    scanHint = contigHint
                } else if start < scanHintStart {
                    // The old contig hint == scan hint, but the new contig is
                    // larger: keep scan_hint_start < contig_hint_start.
                    scanHint = 0
                }
            } else {
                scanHint = 0
            }
            contigHintStart = start
            contigHint = contig
        } else if contig == contigHint {
            if contigHintStart != 0 && (start == 0 || lowestSetBit(start) > lowestSetBit(contigHintStart)) {
                // start has a better alignment, so use it.
                contigHintStart = start
                if start < scanHintStart && contigHint > scanHint {
                    scanHint = 0
                }
            } else if start > scanHintStart || contigHint > scanHint {
                // Equal to the contig hint: remember it as the scan hint if it
                // is farther than or larger than the current one.
                scanHintStart = start
                scanHint = contig
            }
        } else {
            // Smaller than the contig hint: only a scan hint candidate, and only
            // if it lies before the contig hint and beats the current scan hint.
            if start < contigHintStart && (contig > scanHint || (contig == scanHint && start > scanHintStart)) {
                scanHintStart = start
                scanHint = contig
            }
        }
    }
}

/// `__ffs(x)` for the hint code's `int` offsets (x > 0 at every call site:
/// it is only evaluated for a non-zero `start`/`contig_hint_start`).
@inline(__always)
public func lowestSetBit(_ x: Int) -> Int { UInt64(truncatingIfNeeded: x).trailingZeroBitCount }

/// `pcpu_region_overlap(a, b, x, y)`: does hint `[a, b)` overlap allocation `[x, y)`?
@inline(__always)
public func regionOverlap(_ a: Int, _ b: Int, _ x: Int, _ y: Int) -> Bool { a < y && x < b }
