import Testing
@testable import KernelBuild

/// Our inflate against streams written by independent compressors (make-fixtures.sh):
/// gzip -9 (dynamic Huffman), Python's zlib with Z_FIXED (fixed Huffman) and level 0
/// (stored blocks). Each must give back the original bytes exactly.
@Suite struct GzipTests {
    @Test func gzipOfDebiansConfig() throws {
        let original = try KernelBuildFixtures.bytes("kernel-boots/configs/config-6.1.0-56-arm64")
        let out = try Gzip.decompress(try KernelBuildFixtures.bytes("kernel-build/config.gz"), fileName: "config.gz")
        #expect(out.count == original.count)
        #expect(out == original)
    }

    @Test(arguments: ["fixed.gz", "stored.gz"])
    func otherBlockTypes(_ name: String) throws {
        let original = try KernelBuildFixtures.bytes("kernel-build/small.config")
        #expect(try Gzip.decompress(try KernelBuildFixtures.bytes("kernel-build/\(name)"), fileName: name) == original)
    }

    /// One flipped bit in the middle of the compressed data: an inflate error or the
    /// CRC-32 mismatch, never a trap or silently wrong text.
    @Test(arguments: [100, 1000, 30000, 60000])
    func damagedStream(_ at: Int) throws {
        var bytes = try KernelBuildFixtures.bytes("kernel-build/config.gz")
        bytes[at] ^= 0x10
        #expect(throws: KernelBuildError.self) { try Gzip.decompress(bytes, fileName: "config.gz") }
    }

    @Test func truncatedStream() throws {
        let bytes = try KernelBuildFixtures.bytes("kernel-build/config.gz")
        do {
            _ = try Gzip.decompress(Array(bytes.prefix(40000)), fileName: "config.gz")
            Issue.record("a truncated stream decompressed")
        } catch {
            #expect(error.message.contains("ends in the middle of a block"))
        }
    }

    @Test func badMethod() throws {
        var bytes = try KernelBuildFixtures.bytes("kernel-build/fixed.gz")
        bytes[2] = 7
        do {
            _ = try Gzip.decompress(bytes, fileName: "x.gz")
            Issue.record("accepted")
        } catch {
            #expect(error.offset == 2)
            #expect(error.message.contains("compression method 7"))
        }
    }

    /// The CRC-32 of "123456789" is 0xCBF43926 (the standard check value).
    @Test func crcCheckValue() {
        #expect(Gzip.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
    }
}
