import Testing
@testable import KernelBuild

/// `__per_cpu_start`/`__per_cpu_end` from System.map and vmlinux. Expected values: the
/// Debian System.map lines (make-fixtures.sh copies them), confirmed by the boots'
/// `percpu: Embedded … s87272` / `s217088`; `readelf -S -s` of tiny-vmlinux
/// (tiny-vmlinux.readelf); hand-built images whose fields the test wrote itself.
@Suite struct PerCPUSectionTests {
    @Test func debianSystemMaps() throws {
        let arm = try SystemMap.perCPUSection(try KernelBuildFixtures.bytes("kernel-build/System.map-6.1.0-56-arm64.percpu"), fileName: "m")
        #expect(arm.start == 0xffff_8000_0980_4000 && arm.end == 0xffff_8000_0981_94e8)
        #expect(arm.staticSize == 87272)
        let amd = try SystemMap.perCPUSection(try KernelBuildFixtures.bytes("kernel-build/System.map-6.1.0-56-amd64.percpu"), fileName: "m")
        #expect(amd.start == 0 && amd.staticSize == 217088)
    }

    @Test func badSystemMaps() throws {
        #expect(throws: KernelBuildError.self) { try SystemMap.perCPUSection(Array("ffff T _text\n".utf8), fileName: "m") }
        do {
            _ = try SystemMap.perCPUSection(Array("ffff T _text\nnot a map line\n".utf8), fileName: "m")
            Issue.record("accepted")
        } catch {
            #expect(error.line == 2)
        }
        // __per_cpu_end below __per_cpu_start.
        #expect(throws: KernelBuildError.self) {
            try SystemMap.perCPUSection(Array("2000 D __per_cpu_start\n1000 D __per_cpu_end\n".utf8), fileName: "m")
        }
    }

    /// readelf: __per_cpu_start ffffffff83044000, __per_cpu_end ffffffff830441e8;
    /// [2] .data..percpu at ffffffff83044000, size 1e8.
    @Test func tinyVmlinuxBuiltByLd() throws {
        let elf = try ELF64(try KernelBuildFixtures.bytes("kernel-build/tiny-vmlinux"), fileName: "tiny-vmlinux")
        #expect(elf.machine == .x86_64 && !elf.bigEndian)
        let section = try elf.perCPUSection()
        #expect(section.start == 0xffff_ffff_8304_4000 && section.end == 0xffff_ffff_8304_41e8)
        #expect(section.source == "vmlinux symbols")
        let stripped = try ELF64(try KernelBuildFixtures.bytes("kernel-build/tiny-vmlinux.stripped"), fileName: "s").perCPUSection()
        #expect(stripped.start == section.start && stripped.staticSize == 0x1e8)
        #expect(stripped.source == "vmlinux .data..percpu section")
    }

    @Test(arguments: [false, true])
    func handBuiltBothEndians(_ bigEndian: Bool) throws {
        for stripped in [false, true] {
            let image = TinyELF(bigEndian: bigEndian, stripped: stripped).bytes()
            let elf = try ELF64(image, fileName: "t")
            #expect(elf.bigEndian == bigEndian)
            let section = try elf.perCPUSection()
            #expect(section.start == 0xc000_0000_0200_0000)
            #expect(section.staticSize == 0x40)
        }
    }

    static func refusal(_ bytes: [UInt8]) -> KernelBuildError? {
        do { _ = try ELF64(bytes, fileName: "v").perCPUSection(); return nil } catch { return error }
    }

    @Test func notAKernel() throws {
        #expect(Self.refusal(Array("hello".utf8))?.message.contains("not an ELF file") == true)
        #expect(Self.refusal([0x1f, 0x8b, 8, 0])?.message.contains("vmlinuz") == true)
        #expect(Self.refusal([0x4d, 0x5a, 0, 0])?.message.contains("PE/EFI") == true)
        #expect(Self.refusal(TinyELF(elfClass: 1).bytes())?.message.contains("not a 64-bit kernel") == true)
        #expect(Self.refusal(TinyELF(type: 1).bytes())?.message.contains("relocatable object") == true)
        // An ELF without the symbols or the section: a program, not a kernel.
        var image = TinyELF(stripped: true).bytes()
        if let at = image.firstIndex(of: UInt8(ascii: ".")), image[at + 1] == UInt8(ascii: "d") { image[at + 1] = UInt8(ascii: "x") }
        #expect(Self.refusal(image)?.message.contains("not a Linux kernel") == true)
    }

    /// Cut anywhere, the image is refused with a message, never a trap.
    @Test func truncatedAnywhere() throws {
        let image = TinyELF().bytes()
        for length in stride(from: 0, to: image.count, by: 7) {
            #expect(Self.refusal(Array(image.prefix(length))) != nil, "accepted \(length) bytes")
        }
    }

    /// e_shoff pointing past the end; a section whose data runs past the end.
    @Test func liesInTheHeaders() throws {
        var image = TinyELF().bytes()
        image.replaceSubrange(40..<48, with: TinyELF().int(UInt64(image.count + 100), 8))
        #expect(Self.refusal(image)?.message.contains("beyond the end of the file") == true)
        // An offset near 2^64, where offset + index·64 would overflow.
        image.replaceSubrange(40..<48, with: TinyELF().int(UInt64.max - 8, 8))
        #expect(Self.refusal(image)?.message.contains("beyond the end of the file") == true)
        // The name table index naming the NULL section.
        image = TinyELF().bytes()
        image.replaceSubrange(62..<64, with: TinyELF().int(0, 2))
        #expect(Self.refusal(image) != nil)
        image = TinyELF().bytes()
        let shoff = Int(image.count - 5 * 64)
        image.replaceSubrange((shoff + 64 + 32)..<(shoff + 64 + 40), with: TinyELF().int(0xffff_ffff, 8))
        #expect(Self.refusal(image)?.message.contains("runs past the end of the file") == true)
    }
}
