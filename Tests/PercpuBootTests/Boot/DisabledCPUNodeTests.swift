import DeviceTree
import Testing
import PcpuBootTestSupport
@testable import PercpuBoot

/// Issue 7 item 3: a CPU node with `status = "disabled"` (a VisionFive 2 lists its S7
/// monitor core, hart 0, that way). riscv's `riscv_of_processor_hartid()` /
/// `riscv_early_of_processor_hartid()` rejects it through `of_device_is_available()`;
/// arm64's `of_parse_and_init_cpus()` reads only `reg` and keeps it. The blob is built
/// with the project's FDT writer: four harts 0–3, hart 0 disabled, boot hart 1.
@Suite struct DisabledCPUNodeTests {
    static func u32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xff), UInt8((v >> 8) & 0xff), UInt8(v & 0xff)] }
    static func cells(_ vs: [UInt32]) -> [UInt8] { vs.flatMap(u32) }
    static func str(_ s: String) -> [UInt8] { Array(s.utf8) + [0] }

    static func blob(bootHart: UInt32) throws -> [UInt8] {
        let cpus = (0..<4).map { hart -> DeviceTreeNode in
            DeviceTreeNode(name: "cpu@\(hart)", properties: [
                DeviceTreeProperty(name: "device_type", value: str("cpu")),
                DeviceTreeProperty(name: "reg", value: u32(UInt32(hart))),
                DeviceTreeProperty(name: "status", value: str(hart == 0 ? "disabled" : "okay")),
                DeviceTreeProperty(name: "compatible", value: str("riscv")),
            ])
        }
        let root = DeviceTreeNode(name: "", properties: [
            DeviceTreeProperty(name: "#address-cells", value: u32(2)),
            DeviceTreeProperty(name: "#size-cells", value: u32(2)),
        ], children: [
            DeviceTreeNode(name: "cpus", properties: [
                DeviceTreeProperty(name: "#address-cells", value: u32(1)),
                DeviceTreeProperty(name: "#size-cells", value: u32(0)),
            ], children: cpus),
            DeviceTreeNode(name: "memory@80000000", properties: [
                DeviceTreeProperty(name: "device_type", value: str("memory")),
                DeviceTreeProperty(name: "reg", value: cells([0, 0x8000_0000, 0, 0x4000_0000])),
            ]),
        ])
        return try DeviceTree(root: root, bootCpuidPhys: bootHart).flattened()
    }

    static func boot(_ arch: Architecture, kernel: KernelVersion) throws -> BootResult {
        let firmware = try DeviceTreeBlob.firmware(bytes: try blob(bootHart: 1), fileName: "visionfive-like.dtb")
        var config = KernelConfig.defaults(for: arch)
        config.numa = false
        config.nodesShift = 0
        let platform = Platform(name: "disabled-cpu", arch: arch, kernel: kernel, config: config, staticSize: 87272,
                                firmware: .deviceTree(firmware))
        return try Boot.run(platform)
    }

    /// riscv64: harts 1 (boot, CPU 0), 2, 3 → 3 possible CPUs, one group:
    /// `pcpu-alloc: [0] 0 [0] 1 [0] 2 ` (units per alloc: 4K atom, one CPU per line entry).
    /// 6.12 (before riscvDisabledHartSilent) says so at KERN_INFO, 7.2 is silent.
    @Test func riscvDropsTheDisabledHart() throws {
        let r612 = try Self.boot(.riscv64, kernel: .v6_12)
        #expect(r612.topology?.possibleCPUs == [0, 1, 2])
        #expect(r612.percpuLines.last == "pcpu-alloc: [0] 0 [0] 1 [0] 2 ")
        #expect(r612.kernelLines.contains("CPU with hartid=0 is not available"))
        let r72 = try Self.boot(.riscv64, kernel: .v7_2)
        #expect(r72.topology?.possibleCPUs == [0, 1, 2])
        #expect(!r72.kernelLines.contains { $0.contains("hartid=0") })
    }

    /// arm64 keeps the disabled node: MPIDRs 1 (boot), 0, 2, 3 → CPUs 0–3.
    @Test func arm64KeepsTheDisabledCPU() throws {
        let result = try Self.boot(.arm64, kernel: .v6_12)
        #expect(result.topology?.possibleCPUs == [0, 1, 2, 3])
        #expect(result.percpuLines.last == "pcpu-alloc: [0] 0 [0] 1 [0] 2 [0] 3 ")
    }

    /// Before e3d794d555cd (4.20) only `status = "okay"` passed: a hart without status was
    /// refused with pr_warn, one with "ok" with pr_info (4.15 arch/riscv/kernel/cpu.c).
    @Test func riscvBefore4_20NeedsOkay() {
        var log = KernelLog()
        let noStatus = DTCPU(path: "/cpus/cpu@2", hardwareID: 2)
        #expect(!CPUEnumeration.riscvHartIsAvailable(noStatus, hartid: 2, kernel: KernelVersion(4, 19), log: &log))
        #expect(CPUEnumeration.riscvHartIsAvailable(noStatus, hartid: 2, kernel: KernelVersion(4, 20), log: &log))
        let ok = DTCPU(path: "/cpus/cpu@3", hardwareID: 3, status: "ok")
        #expect(!CPUEnumeration.riscvHartIsAvailable(ok, hartid: 3, kernel: KernelVersion(4, 19), log: &log))
        #expect(CPUEnumeration.riscvHartIsAvailable(ok, hartid: 3, kernel: KernelVersion(4, 20), log: &log))
        #expect(log.texts() == ["CPU with hartid=2 has no \"status\" property", "CPU with hartid=3 has a non-okay status of \"ok\""])
    }
}
