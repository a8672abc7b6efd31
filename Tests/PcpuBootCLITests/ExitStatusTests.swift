import Foundation
import Testing
@testable import PcpuBootCLI
import PcpuBootTestSupport

/// The command-line contract: exit 0 booted, 1 emulated panic (report still
/// printed), 2 unusable input with a precise diagnostic on stderr.
@Suite struct ExitStatusTests {
    static let root = Fixtures.repositoryRoot.path

    @Test func bundledPlatformBoots() {
        let output = PcpuBootCLI.run([Self.root + "/Platforms/arm64-4node.yaml", "--format", "dmesg"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("pcpu-alloc: [0] 0 [0] 1 [1] 2 [1] 3 [2] 4 [2] 5 [3] 6 [3] 7 \n"))
    }

    /// `pcpu-boot platforms/arm64-4node.yaml` must work from the repository root on
    /// Linux although the folder is `Platforms/`: the path resolves case-insensitively.
    @Test func lowerCasePlatformsFolderResolves() throws {
        let resolved = try #require(PlatformResolver.caseInsensitiveMatch(Self.root + "/platforms/arm64-4node.yaml"))
        #expect(resolved == Self.root + "/Platforms/arm64-4node.yaml")
    }

    /// A bundled name comes from the table built into the binary, not from a folder,
    /// and so does a path to a bundled file that does not exist where the binary runs.
    @Test func bundledNameResolves() throws {
        let text = try String(contentsOfFile: Self.root + "/Platforms/arm64-4node.yaml", encoding: .utf8)
        #expect(try PlatformResolver.resolve("arm64-4node") == .bundled(name: "arm64-4node", text: text))
        #expect(try PlatformResolver.resolve("/nonexistent/platforms/ARM64-4node.yaml")
                == .bundled(name: "arm64-4node", text: text))
    }

    @Test func unknownPlatformSuggestsABundledOne() {
        let output = PcpuBootCLI.run(["arm64-4nod"])
        #expect(output.status == 2)
        #expect(output.stderr.contains("did you mean 'arm64-4node'?"))
    }

    @Test func unknownFormatIsAnInputError() {
        let output = PcpuBootCLI.run(["arm64-4node", "--format", "jsno"])
        #expect(output.status == 2)
        #expect(output.stderr.contains("unknown value 'jsno' for --format"))
        #expect(output.stderr.contains("did you mean 'json'?"))
    }

    @Test func unknownArchIsAnInputError() {
        let output = PcpuBootCLI.run(["--dtb", "x.dtb", "--arch", "arm46", "--static-size", "1"])
        #expect(output.status == 2)
        #expect(output.stderr.contains("did you mean 'arm64'?"))
    }

    @Test func unknownFlagExitsTwo() {
        let output = PcpuBootCLI.run(["arm64-4node", "--nr-cpu", "4"])
        #expect(output.status == 2)
        #expect(!output.stderr.isEmpty)
    }

    @Test func badStaticSizeIsAnInputError() {
        let output = PcpuBootCLI.run(["arm64-4node", "--static-size", "12Q"])
        #expect(output.status == 2)
        #expect(output.stderr.contains("--static-size '12Q'"))
    }

    @Test func dtbWithoutStaticSizeIsExplained() {
        let dtb = Fixtures.kernelBoots.appendingPathComponent("arm64-1cpu/board.dtb").path
        let output = PcpuBootCLI.run(["--dtb", dtb, "--arch", "arm64"])
        #expect(output.status == 2)
        #expect(output.stderr.contains("--static-size"))
    }

    @Test func truncatedDTBIsAnInputErrorNamingTheFile() throws {
        let dtb = Fixtures.kernelBoots.appendingPathComponent("arm64-1cpu/board.dtb")
        let bytes = try Data(contentsOf: dtb).prefix(200)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("truncated-\(UUID().uuidString).dtb").path
        FileManager.default.createFile(atPath: path, contents: bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let output = PcpuBootCLI.run(["--dtb", path, "--arch", "arm64", "--static-size", "87272"])
        #expect(output.status == 2)
        #expect(output.stderr.contains(path))
    }

    /// 8 CPUs on a machine with 64 KiB of RAM: neither first chunk fits, so the
    /// kernel panics "Failed to initialize percpu areas (err=-12)." — exit 1,
    /// with the report (the kernel lines up to the panic) still printed.
    @Test func emulatedPanicExitsOne() throws {
        let yaml = """
        arch: arm64
        static-size: 87272
        firmware:
          device-tree:
            cpu-count: 8
            memory:
              - { reg: [0x40000000, 64K] }
        """
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tiny-\(UUID().uuidString).yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let output = PcpuBootCLI.run([path, "--format", "dmesg"])
        #expect(output.status == 1, "\(output.stderr)")
        #expect(output.stdout.contains("Kernel panic - not syncing: Failed to initialize percpu areas (err=-12)."))
    }

    @Test func listNamesTheBundledPlatforms() {
        let output = PcpuBootCLI.run(["list"])
        #expect(output.status == 0)
        #expect(output.stdout.contains("arm64-4node"))
    }

    @Test func helpExitsZero() {
        let output = PcpuBootCLI.run(["--help"])
        #expect(output.status == 0)
        #expect(output.stdout.contains("USAGE"))
    }
}

/// `__per_cpu_offset[cpu] = pcpu_base_addr - __per_cpu_start + pcpu_unit_offsets[cpu]`.
@Suite struct PerCPUOffsetTests {
    /// arm64-4node (6.8): group 0's area lies at 0x7ffbf000 (top of node 0 below its NODE_DATA,
    /// see the text report), the linear map puts it at PAGE_OFFSET (−2^48) + (0x7ffbf000 −
    /// memstart 0x40000000) = 0xffff00003ffbf000. With __per_cpu_start = 0xffff800081a20000
    /// CPU 0's offset is 0xffff00003ffbf000 − 0xffff800081a20000 = 0xffff7fffbe59f000 (mod 2^64),
    /// and CPU 1's is one unit (0x1f000) more: 0xffff7fffbe5be000.
    @Test func offsetsFromSystemMap() throws {
        let output = PcpuBootCLI.run(["arm64-4node", "--per-cpu-start", "0xffff800081a20000", "--format", "json"])
        #expect(output.status == 0, "\(output.stderr)")
        struct Probe: Decodable {
            struct CPU: Decodable { var cpu: Int; var perCpuOffset: String? }
            var cpus: [CPU]
        }
        let probe = try JSONDecoder().decode(Probe.self, from: Data(output.stdout.utf8))
        #expect(probe.cpus.first { $0.cpu == 0 }?.perCpuOffset == "0xffff7fffbe59f000")
        #expect(probe.cpus.first { $0.cpu == 1 }?.perCpuOffset == "0xffff7fffbe5be000")
    }

    @Test func badAddressIsAnInputError() {
        let output = PcpuBootCLI.run(["arm64-4node", "--per-cpu-start", "nope"])
        #expect(output.status == 2)
        #expect(output.stderr.contains("--per-cpu-start"))
    }
}
