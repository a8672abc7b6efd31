import Testing
import PercpuBoot

/// The firmware section: its shapes, its structural errors, and firmware the
/// kernel would reject, which must load as written.
@Suite struct FirmwareSectionTests {
    typealias S = PlatformTestSupport

    static func deviceTree(_ body: String, config: String = "") throws(InputError) -> DeviceTreeFirmware {
        let platform = try S.load("arch: arm64\nstatic-size: 1\n\(config)firmware:\n  device-tree:\n" + body)
        guard case .deviceTree(let firmware) = platform.firmware else {
            throw InputError(file: "test", message: "not a device tree")
        }
        return firmware
    }

    static func acpi(_ body: String) throws(InputError) -> ACPIFirmware {
        let platform = try S.load("arch: x86_64\nstatic-size: 1\nfirmware:\n  acpi:\n" + body)
        guard case .acpi(let firmware) = platform.firmware else {
            throw InputError(file: "test", message: "not ACPI")
        }
        return firmware
    }

    /// Node ids beyond MAX_NUMNODES, a distance map the kernel rejects,
    /// overlapping memory, CPUs without reg or with the same reg: all load.
    @Test func kernelRejectableDeviceTreeLoads() throws {
        let firmware = try Self.deviceTree("""
                cpus:
                  - { reg: 0, numa-node-id: 99 }
                  - { reg: 0 }
                  - { numa-node-id: 0xffff_ffff }
                  - { reg: 1, numa-node-id: [] }
                memory:
                  - { reg: [0x4000_0000, 1G], numa-node-id: 99 }
                  - { reg: [0x4000_0000, 2G], numa-node-id: 0 }
                  - { reg: [0x0, 0] }
                  - { numa-node-id: 1 }
                  - { reg: [] }
                distance-map: [[0, 0, 20], [0, 1, 0], [1, 0, 255], [5, 99, 10]]
            """, config: "config: { nodes-shift: 2 }\n")
        #expect(firmware.cpus == [
            DTCPU(path: "/cpus/cpu@0", hardwareID: 0, numaNodeID: .value(99)),
            DTCPU(path: "/cpus/cpu@0", hardwareID: 0),
            DTCPU(path: "/cpus/cpu", hardwareID: nil, numaNodeID: .value(0xffff_ffff)),
            DTCPU(path: "/cpus/cpu@1", hardwareID: 1, numaNodeID: .malformed(length: 0)),
        ])
        #expect(firmware.memory == [
            DTMemoryNode(path: "/memory@40000000", regs: [PhysRange(base: 0x4000_0000, size: 1 << 30)],
                         numaNodeID: .value(99)),
            DTMemoryNode(path: "/memory@40000000", regs: [PhysRange(base: 0x4000_0000, size: 2 << 30)],
                         numaNodeID: .value(0)),
            DTMemoryNode(path: "/memory@0", regs: [PhysRange(base: 0, size: 0)]),
            DTMemoryNode(path: "/memory", regs: [], numaNodeID: .value(1)),
            DTMemoryNode(path: "/memory", regs: []),
        ])
        #expect(firmware.distanceMatrix == .some([0, 0, 20, 0, 1, 0, 1, 0, 255, 5, 99, 10]))
        #expect(firmware.bootCPUHardwareID == 0)
    }

    @Test func kernelRejectableACPILoads() throws {
        let firmware = try Self.acpi("""
                srat-revision: 0
                processors: [{ id: 0, pxm: 0xffff_ffff }, { id: 0, pxm: 300 }]
                memory: [{ base: 0, size: 1G, pxm: 7 }, { base: 512M, size: 1G, pxm: 8 }]
                slit: [[0, 255], [1, 10]]
            """)
        #expect(firmware.processors == [SRATProcessor(hardwareID: 0, proximityDomain: 0xffff_ffff),
                                        SRATProcessor(hardwareID: 0, proximityDomain: 300)])
        #expect(firmware.memory.map(\.proximityDomain) == [7, 8])
        #expect(firmware.slit == [[0, 255], [1, 10]])
        #expect(firmware.sratRevision == 0)
        #expect(try Self.acpi("    slit: []\n").slit == [])
        #expect(try Self.acpi("    processors: []\n").slit == nil)
    }

    @Test func distanceMapForms() throws {
        #expect(try Self.deviceTree("    cpu-count: 1\n").distanceMatrix == nil)
        #expect(try Self.deviceTree("    distance-map: { missing-matrix: true }\n").distanceMatrix == .some(nil))
        #expect(try Self.deviceTree("    distance-map: { matrix: [[0, 1, 20]] }\n").distanceMatrix == .some([0, 1, 20]))
        #expect(try Self.deviceTree("    distance-map: []\n").distanceMatrix == .some([]))
        #expect(try Self.deviceTree("    distance-map:\n      - [0, 1, 20]\n").distanceMatrix == .some([0, 1, 20]))
    }

    @Test func cpuCountShorthand() throws {
        let firmware = try Self.deviceTree("    cpu-count: 17\n    boot-cpu: 3\n")
        #expect(firmware.cpus.count == 17)
        #expect(firmware.cpus[16] == DTCPU(path: "/cpus/cpu@10", hardwareID: 16))
        #expect(firmware.bootCPUHardwareID == 3)
        #expect(try Self.deviceTree("    cpu-count: 0\n").cpus == [])
    }

    /// Structural errors, each at its place. The device tree starts on line 5.
    @Test func structuralErrors() {
        func error(_ body: String) -> InputError? {
            S.error("arch: arm64\nstatic-size: 1\nfirmware:\n  device-tree:\n" + body)
        }
        let both = error("    cpu-count: 2\n    cpus: []\n")
        #expect(both?.message == "'cpu-count' is a shorthand for 'cpus'; give one of them")
        #expect(both?.line == 5 && both?.column == 5)
        let dtbAndMore = error("    dtb: board.dtb\n    cpus: []\n")
        #expect(dtbAndMore?.message == "'cpus' cannot be combined with 'dtb', which describes the whole tree")
        #expect(dtbAndMore?.line == 6 && dtbAndMore?.column == 5)
        let reg = error("    memory: [{ reg: [1, 2, 3] }]\n")
        #expect(reg?.message == "a reg entry has 3 numbers")
        #expect(reg?.expected == "[base, size] or a list of [base, size] pairs")
        #expect(reg?.keyPath == "firmware.device-tree.memory[0].reg")
        #expect(reg?.line == 5 && reg?.column == 21)
        let pair = error("    memory: [{ reg: [[1, 2], [3]] }]\n")
        #expect(pair?.keyPath == "firmware.device-tree.memory[0].reg[1]")
        #expect(pair?.message == "a reg entry has 1 number")
        let triplet = error("    distance-map: [[0, 1]]\n")
        #expect(triplet?.message == "a distance entry has 2 numbers")
        #expect(triplet?.keyPath == "firmware.device-tree.distance-map[0]")
        #expect(triplet?.line == 5 && triplet?.column == 20)
        let contradiction = error("    distance-map: { missing-matrix: true, matrix: [] }\n")
        #expect(contradiction?.message == "'matrix' contradicts 'missing-matrix: true'")
        #expect(error("    distance-map: { missing-matrix: false }\n")?.message
                == "'missing-matrix: false' says nothing; give the matrix instead")
        #expect(error("    distance-map: 20\n")?.message == "got '20'")
        let cell = error("    cpus: [{ numa-node-id: [0, 0x1_0000_0000] }]\n")
        #expect(cell?.keyPath == "firmware.device-tree.cpus[0].numa-node-id[1]")
        #expect(cell?.message == "4294967296 does not fit 32 bits")
        #expect(error("    cpus: [0, 1]\n")?.message == "got '0'")
        let empty = error("    cpus:\n      - { reg: 0 }\n      -\n")
        #expect(empty?.message == "empty list item")
        #expect(empty?.keyPath == "firmware.device-tree.cpus[1]")
        #expect(error("    cpu-count: 65537\n")?.message == "65537 is out of range")
        let both2 = S.error("arch: arm64\nstatic-size: 1\nfirmware: { device-tree: {}, acpi: {} }\n")
        #expect(both2?.message == "firmware has both device-tree and acpi")
        #expect(both2?.line == 3 && both2?.column == 30)
        #expect(S.error("arch: arm64\nstatic-size: 1\nfirmware: { device-tree: }\n")?.message
                == "'device-tree' has no value")
    }

    @Test func acpiStructuralErrors() {
        func error(_ body: String) -> InputError? {
            S.error("arch: x86_64\nstatic-size: 1\nfirmware:\n  acpi:\n" + body)
        }
        let square = error("    slit: [[10, 20], [20]]\n")
        #expect(square?.message == "a row of 1 entries in a SLIT of 2 localities")
        #expect(square?.keyPath == "firmware.acpi.slit[1]")
        #expect(square?.line == 5 && square?.column == 22)
        let byte = error("    slit: [[256]]\n")
        #expect(byte?.message == "256 is out of range")
        #expect(byte?.expected == "a number 0 to 255")
        #expect(error("    srat-revision: 256\n")?.message == "256 is out of range")
        let typo = error("    memory: [{ base: 0, size: 1G, pxm: 0, hotpluggable: true }]\n")
        #expect(typo?.suggestion == "hotplug")
        #expect(error("    processor: []\n")?.suggestion == "processors")
        let flag = error("    memory: [{ base: 0, size: 1G, pxm: 0, enabled: 1 }]\n")
        #expect(flag?.message == "'1' is not a boolean")
        #expect(flag?.suggestion == "true")
    }

    @Test func memblockErrors() {
        // from-log combines with memory/reserved (memblock before NUMA init); the log must exist.
        let missingLog = S.error(S.minimalHead + "memblock:\n  from-log: /nonexistent/x.log\n  reserved: []\n")
        #expect(missingLog?.keyPath == "memblock.from-log")
        #expect(missingLog?.line == 6)
        let range = S.error(S.minimalHead + "memblock:\n  reserved:\n    - { base: 0, sise: 4K }\n")
        #expect(range?.suggestion == "size")
        #expect(range?.keyPath == "memblock.reserved[0].sise")
        let missing = S.error(S.minimalHead + "memblock:\n  memory:\n    - { base: 0 }\n")
        #expect(missing?.message == "missing key 'size'")
        #expect(missing?.line == 7 && missing?.column == 7)
    }
}
