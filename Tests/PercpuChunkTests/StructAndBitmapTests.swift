import Foundation
import Testing
import KernelSupport
import PercpuChunk

/// sizeof(struct pcpu_chunk) per version and options (LP64 layout worked by
/// hand from mm/percpu-internal.h), and the bitmap helper.
@Suite struct StructSizeTests {
    /// 6.1, Debian (MEMCG_KMEM, no PERCPU_STATS):
    /// list 0-16, free_bytes 16-20, chunk_md 20-52, base_addr 56, alloc_map 64,
    /// bound_map 72, md_blocks 80, data 88, immutable 96, isolated 97,
    /// start_offset 100, end_offset 104, obj_cgroups 112, nr_pages 120,
    /// nr_populated 124, nr_empty_pop_pages 128-132, populated[] at 136 -> 136
    /// (the Debian boot's 144-byte chunk allocation = 136 + 8).
    /// Without MEMCG: nr_pages moves to 108 ... 120 -> 120.
    /// With PERCPU_STATS (+ int, size_t at the front): 152.
    @Test func v6_1() throws {
        #expect(try PcpuChunkStructOptions.debian.size(for: .v6_1) == 136)
        #expect(try PcpuChunkStructOptions(objectExtension: false).size(for: .v6_1) == 120)
        #expect(try PcpuChunkStructOptions(percpuStats: true).size(for: .v6_1) == 152)
    }

    /// 6.8/6.12: bound_map 56-64, base_addr ____cacheline_aligned_in_smp at 64,
    /// alloc_map 72, md_blocks 80, ... obj 112, counters to 132, populated 136;
    /// struct alignment 64 -> sizeof 192. UP (no cache alignment): 136.
    /// No MEMCG: populated at 120 -> 128. PERCPU_STATS: base_addr at 128,
    /// populated at 200 -> 256. 128-byte lines: base_addr at 128, populated at
    /// 200 -> rounded to 128: 256.
    @Test func v6_8AndV6_12() throws {
        for kernel in [KernelVersion.v6_8, .v6_12] {
            #expect(try PcpuChunkStructOptions.debian.size(for: kernel) == 192)
            #expect(try PcpuChunkStructOptions(smp: false).size(for: kernel) == 136)
            #expect(try PcpuChunkStructOptions(objectExtension: false).size(for: kernel) == 128)
            #expect(try PcpuChunkStructOptions(percpuStats: true).size(for: kernel) == 256)
            #expect(try PcpuChunkStructOptions(cacheLineBytes: 128).size(for: kernel) == 256)
        }
        #expect(throws: PcpuChunkError.invalidCacheLine(48)) {
            try PcpuChunkStructOptions(cacheLineBytes: 48).size(for: .v6_8)
        }
    }

    /// 7.x (`percpuChunkCountersBeforeObjExts`): base_addr at 64 as in 6.12, ..., end_offset
    /// 104-108, nr_pages 108, nr_populated 112, nr_empty_pop_pages 116-120, obj_exts 120-128,
    /// populated 128; struct alignment 64 -> 128 — the 136-byte (128 + one bitmap word)
    /// first-chunk allocations of the real 7.2.13 boots. Without MEMCG nothing moves: 128.
    @Test func v7_2() throws {
        #expect(try PcpuChunkStructOptions.debian.size(for: .v7_2) == 128)
        #expect(try PcpuChunkStructOptions(objectExtension: false).size(for: .v7_2) == 128)
        #expect(debianChunkStructSize(.v7_2) == 128)
    }

    @Test func defaultsMatchTheLayout() throws {
        for kernel in KernelVersion.allReleases where kernel.has(.percpuBitmapAllocator) {
            #expect(try PcpuChunkStructOptions.debian.size(for: kernel) == debianChunkStructSize(kernel))
            #expect(PcpuChunkConfig(kernel: kernel, pageSize: 4096).chunkStructSize == debianChunkStructSize(kernel))
        }
        let custom = PcpuChunkConfig(kernel: .v6_8, pageSize: 16384, chunkStructSize: 256)
        #expect(custom.chunkStructSize == 256)
        #expect(custom.mdBlockSize == 32)
        #expect(custom.bitsPerBlock == 4096)
    }
}

@Suite struct BitmapTests {
    /// 130 bits = 3 words (BITS_TO_LONGS(130)); set [60,70) crosses word 0/1.
    ///
    ///     bit  0      60        70                 128 130
    ///          |......##########...................|..|
    @Test func rangesAcrossWords() {
        var b = PcpuBitmap(count: 130)
        #expect(b.words.count == 3)
        #expect(b.byteSize == 24)
        b.set(60 ..< 70)
        #expect(b.setBits == Array(60 ..< 70))
        #expect(b.findNextSet(from: 0, limit: 130) == 60)
        #expect(b.findNextZero(from: 60, limit: 130) == 70)
        #expect(b.findNextZero(from: 60, limit: 65) == 65)        // none before the limit
        #expect(b.findNextSet(from: 70, limit: 130) == 130)
        #expect(b.clearRuns(from: 0, limit: 130) == [0 ..< 60, 70 ..< 130])
        #expect(b.clearRuns(from: 65, limit: 100) == [70 ..< 100])
        b.clear(62 ..< 64)
        #expect(b.clearRuns(from: 0, limit: 130) == [0 ..< 60, 62 ..< 64, 70 ..< 130])
        b.fill()
        #expect(b.popcount == 130)
        #expect(b.words[2] == 0b11)                              // no bits past count
        b.set(500)                                               // outside: ignored
        b.set(-3 ..< 1000)
        #expect(b.popcount == 130)
        #expect(!b.test(130))
    }

    @Test func decodingChecksTheWordCount() throws {
        let good = try JSONEncoder().encode(PcpuBitmap(count: 65))
        #expect(try JSONDecoder().decode(PcpuBitmap.self, from: good) == PcpuBitmap(count: 65))
        let bad = Data(#"{"count": 65, "words": [0]}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(PcpuBitmap.self, from: bad) }
    }

    /// A decoded chunk whose md_blocks were dropped must not reach the hint code.
    @Test func inconsistentChunkIsRejected() throws {
        let chunk = try pcpuAllocFirstChunk(tmpAddr: 0x20000 + 1256, mapSize: 8192, config: debian61).chunk
        var json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(chunk)) as? [String: Any])
        json["mdBlocks"] = []
        var broken = try JSONDecoder().decode(PcpuChunk.self, from: JSONSerialization.data(withJSONObject: json))
        #expect(throws: PcpuChunkError.self) { try broken.allocateArea(bitOff: 400, bits: 4) }
        let roundTrip = try JSONDecoder().decode(PcpuChunk.self, from: JSONEncoder().encode(chunk))
        #expect(roundTrip == chunk)
    }
}
