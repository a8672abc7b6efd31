import Foundation
import Testing
import PercpuBoot

/// Valid platform files load to exactly the platform they describe.
@Suite struct PlatformLoaderTests {
    typealias S = PlatformTestSupport

    /// A device-tree platform that writes every key of the schema.
    static let everyKeyDeviceTree = """
        # A made-up 2-node arm64 board that sets every key.
        name: every-key
        description: "Every key of the schema"
        arch: arm64
        kernel: "6.12"
        config:
          nr-cpus: 0x40
          nodes-shift: 3
          page-size: 16KiB
          va-bits: 52
          smp: true
          mmu: true
          numa: true
          embed-first-chunk: false
          page-first-chunk: true
          modules: false
          random-kmalloc-caches: true
          mem-alloc-profiling: true
          lockdep: true
          acpi-numa: false
          kmsan: false
        static-size: 87_272
        cmdline: "numa=off percpu_alloc=page"
        firmware:
          device-tree:
            boot-cpu: 0x100
            cpus:
              - { reg: 0x0, numa-node-id: 0 }
              - reg: 0x100
                numa-node-id: 1
                status: disabled
              - { reg: 0x101, status: okay }
              - { numa-node-id: [1, 2] }
            memory:
              - { reg: [0x4000_0000, 1G], numa-node-id: 0 }
              - reg: [[0x8000_0000, 512M], [0x1_0000_0000, 0b1000]]
                numa-node-id: 1
              - { reg: [0xc000_0000, 4K] }
            distance-map:
              matrix:
                - [0, 0, 10]
                - [0, 1, 20]
                - [1, 1, 10]
            reserved:
              - { base: 0x48000000, size: 1M, name: dtb }
              - { base: 0x49000000, size: 64K }
        memblock:
          memory:
            - { base: 0x2_0000_0000, size: 2G, name: hotplugged }
          reserved:
            - { base: 0x40210000, size: 0x1ffb000, name: kernel }

        """

    @Test func everyKeyOfADeviceTreePlatform() throws {
        let platform = try S.load(Self.everyKeyDeviceTree, file: "boards/every-key.yaml")
        let config = KernelConfig(
            nrCpus: 64, nodesShift: 3, pageSize: 16384, vaBits: 52, pagingMode: nil, smp: true, mmu: true,
            numa: true, needPerCpuEmbedFirstChunk: false, needPerCpuPageFirstChunk: true, modules: false,
            randomKmallocCaches: true, memAllocProfiling: true, lockdep: true, acpiNuma: false, kmsan: false)
        let firmware = DeviceTreeFirmware(
            cpus: [
                DTCPU(path: "/cpus/cpu@0", hardwareID: 0, numaNodeID: .value(0)),
                DTCPU(path: "/cpus/cpu@100", hardwareID: 0x100, numaNodeID: .value(1), status: "disabled"),
                DTCPU(path: "/cpus/cpu@101", hardwareID: 0x101, numaNodeID: .absent, status: "okay"),   // kept as written: riscv < 4.20 tells it from no status
                DTCPU(path: "/cpus/cpu", hardwareID: nil, numaNodeID: .malformed(length: 8)),
            ],
            memory: [
                DTMemoryNode(path: "/memory@40000000", regs: [PhysRange(base: 0x4000_0000, size: 1 << 30)],
                             numaNodeID: .value(0)),
                DTMemoryNode(path: "/memory@80000000",
                             regs: [PhysRange(base: 0x8000_0000, size: 512 << 20), PhysRange(base: 1 << 32, size: 8)],
                             numaNodeID: .value(1)),
                DTMemoryNode(path: "/memory@c0000000", regs: [PhysRange(base: 0xc000_0000, size: 4096)]),
            ],
            distanceMatrix: .some([0, 0, 10, 0, 1, 20, 1, 1, 10]),
            reservations: [PhysRange(base: 0x4800_0000, size: 1 << 20, name: "dtb"),
                           PhysRange(base: 0x4900_0000, size: 64 << 10)],
            bootCPUHardwareID: 0x100,
            source: "boards/every-key.yaml")
        let expected = Platform(
            name: "every-key", description: "Every key of the schema", arch: .arm64, kernel: .v6_12,
            config: config, staticSize: 87272, cmdline: "numa=off percpu_alloc=page",
            firmware: .deviceTree(firmware),
            memblock: MemblockSetup(reserved: [PhysRange(base: 0x4021_0000, size: 0x1ffb000, name: "kernel")],
                                    memory: [PhysRange(base: 0x2_0000_0000, size: 2 << 30, name: "hotplugged")]))
        #expect(platform == expected)
    }

    /// An ACPI platform that writes every ACPI key, with memblock from a log.
    @Test func everyKeyOfAnACPIPlatform() throws {
        let directory = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(FileManager.default.createFile(atPath: directory + "/console.log", contents: Data("log\n".utf8)))
        let yaml = """
            arch: x86_64
            kernel: 6.1
            config: { paging: 5-level, kmsan: true, nr-cpus: 8192 }
            static-size: 212K
            firmware:
              acpi:
                srat-revision: 1
                processors:
                  - { id: 0, pxm: 0 }
                  - { id: 2, pxm: 1, enabled: false }
                memory:
                  - { base: 0, size: 640K, pxm: 0 }
                  - { base: 1G, size: 1G, pxm: 1, hotplug: true, non-volatile: true, enabled: false }
                slit: [[10, 21], [21, 10]]
                hotplug-cpus: 2
            memblock:
              from-log: console.log
            """
        let platform = try S.load(yaml, file: directory + "/x86.yml", baseDirectory: directory)
        var config = KernelConfig.defaults(for: .x86_64)
        config.pagingMode = .level5
        config.kmsan = true
        let firmware = ACPIFirmware(
            processors: [SRATProcessor(hardwareID: 0, proximityDomain: 0),
                         SRATProcessor(hardwareID: 2, proximityDomain: 1, enabled: false)],
            memory: [SRATMemory(base: 0, length: 640 << 10, proximityDomain: 0),
                     SRATMemory(base: 1 << 30, length: 1 << 30, proximityDomain: 1, enabled: false,
                                hotpluggable: true, nonVolatile: true)],
            slit: [[10, 21], [21, 10]], sratRevision: 1, hotplugCPUs: 2)
        let expected = Platform(name: "x86", arch: .x86_64, kernel: .v6_1, config: config, staticSize: 212 << 10,
                                firmware: .acpi(firmware),
                                memblock: MemblockSetup(fromLog: directory + "/console.log"))
        #expect(platform == expected)
    }

    /// `dtb` hands the resolved path to the DTB loader; the loader's firmware is used as is.
    @Test func dtbIsResolvedAgainstTheFilesFolder() throws {
        let directory = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(FileManager.default.createFile(atPath: directory + "/board.dtb", contents: Data([0xd0, 0x0d])))
        let yaml = """
            arch: riscv64
            static-size: 1
            firmware: { device-tree: { dtb: board.dtb } }
            """
        try yaml.write(toFile: directory + "/riscv.yaml", atomically: true, encoding: .utf8)
        let fromDTB = DeviceTreeFirmware(cpus: [DTCPU(path: "/cpus/cpu@0", hardwareID: 0)], memory: [])
        let platform = try PlatformLoader.load(path: directory + "/riscv.yaml") { path throws(InputError) in
            #expect(path == directory + "/board.dtb")
            return fromDTB
        }
        var withSource = fromDTB
        withSource.source = directory + "/board.dtb"
        #expect(platform.firmware == .deviceTree(withSource))
        #expect(platform.name == "riscv")
        #expect(platform.config == KernelConfig.defaults(for: .riscv64))
    }

    /// Errors of the DTB loader pass through untouched.
    @Test func dtbLoaderErrorsPassThrough() throws {
        let directory = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(FileManager.default.createFile(atPath: directory + "/bad.dtb", contents: Data([0])))
        let yaml = "arch: arm64\nstatic-size: 1\nfirmware: { device-tree: { dtb: bad.dtb } }\n"
        let dtbError = InputError(file: directory + "/bad.dtb", message: "bad magic")
        #expect(throws: dtbError) {
            try PlatformLoader.load(yaml: yaml, fileName: "t.yaml", baseDirectory: directory) { _ throws(InputError) in
                throw dtbError
            }
        }
    }

    /// The smallest file: everything else defaults.
    @Test func minimalFileTakesTheDefaults() throws {
        var platform = try S.load(S.minimalHead, file: "/some/where/arm64-min.yaml")
        #expect(!platform.kernelIsExplicit)
        platform.kernelIsExplicit = true
        #expect(platform == Platform(
            name: "arm64-min", arch: .arm64, kernel: .v6_8, config: KernelConfig.defaults(for: .arm64),
            staticSize: 87272,
            firmware: .deviceTree(DeviceTreeFirmware(
                cpus: [DTCPU(path: "/cpus/cpu@0", hardwareID: 0), DTCPU(path: "/cpus/cpu@1", hardwareID: 1)],
                memory: [], source: "/some/where/arm64-min.yaml"))))
    }

    /// Keys written with no value are as if left out.
    @Test func emptyValuesMeanDefaults() throws {
        let yaml = S.minimalHead + "name:\ndescription: ~\ncmdline: null\nconfig:\nmemblock:\nkernel:\n"
        let platform = try S.load(yaml, file: "empty-values.yaml")
        #expect(platform.name == "empty-values")
        #expect(platform.cmdline == "")
        #expect(platform.kernel == .v6_8)
        #expect(platform.config == KernelConfig.defaults(for: .arm64))
        #expect(platform.memblock == MemblockSetup())
    }

    @Test func callerSuppliesArchAndStaticSize() throws {
        let yaml = "firmware: { device-tree: { cpu-count: 1 } }\n"
        let platform = try S.load(yaml, defaultArch: .x86_64, defaultStaticSize: 217088)
        #expect(platform.arch == .x86_64)
        #expect(platform.staticSize == 217088)
        #expect(platform.config == KernelConfig.defaults(for: .x86_64))
        // The file's own values win.
        let own = try S.load(S.minimalHead, defaultArch: .x86_64, defaultStaticSize: 1)
        #expect(own.arch == .arm64)
        #expect(own.staticSize == 87272)
    }

    @Test(arguments: [
        ("\"5.10\"", KernelVersion.v5_10), ("6.1", .v6_1), ("\"6.1\"", .v6_1), ("6.8", .v6_8), ("'6.8'", .v6_8),
        ("6.12", .v6_12), ("!!str 6.12", .v6_12),
    ])
    func kernelVersions(written: String, version: KernelVersion) throws {
        #expect(try S.load(S.minimalHead + "kernel: \(written)\n").kernel == version)
    }

    @Test func configConsistencyDefaults() throws {
        let up = try S.load(S.minimalHead + "config: { smp: false }\n").config
        #expect(up.nrCpus == 1 && !up.smp)
        let nonuma = try S.load(S.minimalHead + "config: { numa: false }\n").config
        #expect(nonuma.nodesShift == 0 && !nonuma.numa)
        let riscv = try S.load("arch: riscv64\nstatic-size: 1\nfirmware: { device-tree: {} }\nconfig: { paging: sv39 }\n")
        #expect(riscv.config.pagingMode == .sv39)
        #expect(riscv.firmware == .deviceTree(DeviceTreeFirmware(cpus: [], memory: [], source: "test.yaml")))
        let arm64k = try S.load(S.minimalHead + "config: { page-size: 64K, va-bits: 52 }\nkernel: 6.1\n").config
        #expect(arm64k.pageSize == 65536 && arm64k.vaBits == 52)
        let max = try S.load(S.minimalHead + "config: { nr-cpus: 8192, nodes-shift: 10 }\n").config
        #expect(max.nrCpus == 8192 && max.nodesShift == 10)
    }

    @Test func readsFilesFromDisk() throws {
        let directory = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/arm64-disk.yaml"
        try S.minimalHead.write(toFile: path, atomically: true, encoding: .utf8)
        let platform = try PlatformLoader.load(path: path, dtbLoader: S.noDTB)
        #expect(platform.name == "arm64-disk")
        if case .deviceTree(let firmware) = platform.firmware { #expect(firmware.source == path) }
    }

    /// The complete examples of docs/platform-format.md load (the DTB one with stand-in files).
    @Test func documentationExamplesLoad() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../docs/platform-format.md").standardizedFileURL.path
        let text = try String(contentsOfFile: docs, encoding: .utf8)
        let blocks = text.components(separatedBy: "```yaml\n").dropFirst()
            .map { $0.components(separatedBy: "```")[0] }
        #expect(blocks.count == 3)
        let directory = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for name in ["board.dtb", "console.log"] {
            #expect(FileManager.default.createFile(atPath: directory + "/" + name, contents: Data()))
        }
        var platforms: [Platform] = []
        for block in blocks {
            platforms.append(try PlatformLoader.load(yaml: block, fileName: "doc.yaml", baseDirectory: directory) {
                _ throws(InputError) in DeviceTreeFirmware(cpus: [], memory: [], source: "board.dtb")
            })
        }
        #expect(platforms[0].name == "arm64-4node")
        if case .deviceTree(let firmware) = platforms[0].firmware {
            #expect(firmware.cpus.count == 8)
            #expect(firmware.memory[3].regs.count == 2)
            #expect(firmware.distanceMatrix??.count == 30)
        } else {
            Issue.record("the first example is a device tree")
        }
        #expect(platforms[0].config == KernelConfig.defaults(for: .arm64))
        #expect(platforms[1].arch == .x86_64)
        #expect(platforms[2].memblock.fromLog == directory + "/console.log")
    }
}
