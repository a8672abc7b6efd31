import Testing
import PercpuBoot

/// The number syntax shared by platform files and command-line flags.
@Suite struct NumberParsingTests {
    typealias S = PlatformTestSupport

    @Test(arguments: [
        ("0", 0), ("87272", 87272), ("1_000_000", 1_000_000), (" 42 ", 42),
        ("0x1000", 4096), ("0X1f", 31), ("0x4000_0000", 1 << 30), ("0x_ff", 255), ("0x1E", 30),
        ("0b1010", 10), ("0B1_0000_0000", 256),
        ("4K", 4096), ("4k", 4096), ("4KiB", 4096), ("4KB", 4096), ("64K", 65536),
        ("1M", 1 << 20), ("512m", 512 << 20), ("1G", 1 << 30), ("2GiB", 2 << 30), ("2T", 2 << 40),
        ("1P", 1 << 50), ("15E", 15 << 60), ("1_024K", 1 << 20),
        ("0xffff_ffff_ffff_ffff", UInt64.max), ("18446744073709551615", UInt64.max),
        ("0b" + String(repeating: "1", count: 64), UInt64.max),
    ] as [(String, UInt64)])
    func accepted(text: String, value: UInt64) {
        #expect(PlatformLoader.parseNumber(text) == value)
    }

    @Test(arguments: [
        "", " ", "-1", "-0x10", "+5", "1.5", ".5", "1.5G", "1e3", "abc", "K", "_1", "0x", "0b", "0b102", "0xG",
        "0x1_0000_0000_0000_0000", "18446744073709551616", "16E", "0b1" + String(repeating: "0", count: 64),
        "4X", "4Kb", "4 K", "4KiBB", "4iB", "010", "00", "0x10K", "1,000", "١٢", "4ß", "1.5ß", "0x１", "-", "--1",
        "-ß",
    ])
    func rejected(text: String) {
        #expect(PlatformLoader.parseNumber(text) == nil)
    }

    /// Each form reads the same in a platform file.
    @Test(arguments: [
        ("87272", 87272), ("0x154e8", 87272), ("0b1_0101_0100_1110_1000", 87272), ("85K", 87040),
        ("\"0x1000\"", 4096), ("'4K'", 4096), ("1023M", 1023 << 20),
    ] as [(String, UInt64)])
    func formsInAFile(written: String, value: UInt64) throws {
        #expect(try S.load("arch: arm64\nstatic-size: \(written)\nfirmware: { device-tree: {} }\n").staticSize == value)
    }

    @Test func reservedRangesMustEndInsideTheAddressSpace() throws {
        let top = try S.load(S.minimalHead + "memblock: { reserved: [{ base: 0xffff_ffff_ffff_f000, size: 4K }] }\n")
        #expect(top.memblock.reserved == [PhysRange(base: 0xffff_ffff_ffff_f000, size: 4096)])
        let past = S.error(S.minimalHead + "memblock: { reserved: [{ base: 0xffff_ffff_ffff_f000, size: 8K }] }\n")
        #expect(past?.message == "range 0xfffffffffffff000 + 0x2000 runs past the end of the 64-bit address space")
        #expect(past?.keyPath == "memblock.reserved[0].size")
        #expect(past?.line == 5 && past?.column == 61)
    }
}
