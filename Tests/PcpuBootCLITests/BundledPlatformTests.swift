import Foundation
import Testing
@testable import PcpuBootCLI
import PcpuBootTestSupport

/// Every bundled platform boots by name and shows what its comment block says.
/// Expected lines are the ones worked out in each platform file's comment.
@Suite struct BundledPlatformTests {
    static func dmesg(_ name: String) -> (status: Int32, lines: [String]) {
        let output = PcpuBootCLI.run([name, "--format", "dmesg"])
        return (output.status, output.stdout.split(separator: "\n").map(String.init))
    }

    /// The texts built into the binary are exactly `Platforms/*.yaml`: when this fails,
    /// run scripts/generate-bundled-platforms.sh.
    @Test func embeddedTextsMatchTheFiles() throws {
        let folder = Fixtures.repositoryRoot.appendingPathComponent("Platforms").path
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(BundledPlatformTexts.all.map { $0.name + ".yaml" } == files,
                "Sources/PcpuBootCLI/BundledPlatforms+Generated.swift is stale: run scripts/generate-bundled-platforms.sh")
        for (name, text) in BundledPlatformTexts.all {
            let onDisk = try String(contentsOfFile: folder + "/" + name + ".yaml", encoding: .utf8)
            #expect(text == onDisk, "\(name): stale embedded text; run scripts/generate-bundled-platforms.sh")
        }
    }

    @Test func everyBundledPlatformLoadsAndBoots() {
        let names = PlatformResolver.bundled().map(\.name)
        #expect(names.count >= 8)
        for name in ["arm64-4node", "arm64-huge-distance", "riscv64-2node", "riscv64-sv39-huge-distance",
                     "up", "nommu", "x86_64-2socket"] {
            #expect(names.contains(name), "\(name) is not bundled")
        }
        for name in names {
            #expect(Self.dmesg(name).status == 0, "\(name) did not boot")
        }
    }

    @Test func arm64HugeDistanceFallsBackToPages() {
        let lines = Self.dmesg("arm64-huge-distance").lines
        #expect(lines.contains { $0.hasPrefix("percpu: max_distance=0x") && $0.hasSuffix(" too large for vmalloc space 0x7bff70000000") })
        #expect(lines.contains("NUMA: PERCPU: auto allocator failed (-22), falling back to page size"))
        #expect(lines.contains("percpu: 29 4K pages/cpu s87272 r8192 d23320"))
    }

    @Test func arm64v510WarnsWithTheCommitsVmallocSpace() throws {
        let lines = Self.dmesg("arm64-huge-distance-5.10-64k").lines
        #expect(lines.contains { $0.hasSuffix(" too large for vmalloc space 0x781fefff0000") })
        // 64K pages: PFN_ALIGN(87272 + 8192 + 28672 = 124136) = 131072 = 2 pages, d = 35608.
        #expect(lines.contains("percpu: Embedded 2 pages/cpu s87272 r8192 d35608 u131072"))
        let json = PcpuBootCLI.run(["arm64-huge-distance-5.10-64k", "--format", "json"]).stdout
        let report = try JSONDecoder().decode(BootReportJSONProbe.self, from: Data(json.utf8))
        #expect(report.dynamicChunks?.placedBases.isEmpty == true)
        #expect(report.dynamicChunks?.failure != nil)
    }

    @Test func riscvSv39FallsBack() {
        let lines = Self.dmesg("riscv64-sv39-huge-distance").lines
        #expect(lines.contains { $0.hasSuffix(" too large for vmalloc space 0x1000000000") })
        #expect(lines.contains("NUMA: PERCPU: auto allocator failed (-22), falling back to page size"))
    }

    @Test func upAndNommu() {
        #expect(Self.dmesg("up").lines.suffix(2) == ["pcpu-alloc: s0 r0 d32768 u32768 alloc=1*32768", "pcpu-alloc: [0] 0 "])
        let nommu = Self.dmesg("nommu").lines
        #expect(nommu.contains("percpu: max_distance=0x16000 too large for vmalloc space 0x0"))
        #expect(nommu.contains("percpu: wasting 10 pages per chunk"))
    }

    /// x86_64-2socket: 20 possible CPUs (16 + 4 hotplug), numa_init_array puts
    /// 16, 18 on node 0 and 17, 19 on node 1; upa 4 (see the platform's comment);
    /// cpu_width 2 → CPUs print as two digits and empty units as "--".
    @Test func x86TwoSocket() {
        let lines = Self.dmesg("x86_64-2socket").lines
        #expect(lines.contains("smpboot: Allowing 20 CPUs, 4 hotplug CPUs"))
        #expect(lines.contains("setup_percpu: NR_CPUS:8192 nr_cpumask_bits:20 nr_cpu_ids:20 nr_node_ids:2"))
        #expect(lines.suffix(4) == [
            "pcpu-alloc: s217088 r8192 d28672 u524288 alloc=1*2097152",
            "pcpu-alloc: [0] 00 01 02 03 [0] 04 05 06 07 ",
            "pcpu-alloc: [0] 16 18 -- -- [1] 08 09 10 11 ",
            "pcpu-alloc: [1] 12 13 14 15 [1] 17 19 -- -- ",
        ])
    }
}

/// The part of the JSON report these tests read.
private struct BootReportJSONProbe: Decodable {
    struct DynamicChunks: Decodable {
        var placedBases: [String]
        var failure: String?
    }
    var dynamicChunks: DynamicChunks?
}
