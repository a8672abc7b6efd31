import DeviceTree
import PercpuBoot

/// The benchmark's machines: arm64 boards of `cpus` CPUs spread evenly over
/// `nodes` NUMA nodes of 1 GiB each, as a device tree blob written with the
/// project's own FDT writer (what `--dtb` reads), with a chain distance map
/// (neighbours 20 apart; the rest take the kernel's default REMOTE_DISTANCE).
enum BigMachine {
    static func dtb(cpus: Int, nodes: Int) throws -> [UInt8] {
        func cells(_ name: String, _ values: [UInt32]) -> DeviceTreeProperty { .cells(name, values) }
        let cpuNodes = (0..<cpus).map { c in
            DeviceTreeNode(name: "cpu@\(String(c, radix: 16))", properties: [
                .string("device_type", "cpu"), .string("compatible", "arm,cortex-a57"),
                cells("reg", [UInt32(c)]), .string("enable-method", "psci"),
                .u32("numa-node-id", UInt32(c * nodes / cpus)),
            ])
        }
        let memory = (0..<nodes).map { n in
            let base = UInt64(0x4000_0000) + UInt64(n) << 30
            return DeviceTreeNode(name: "memory@\(String(base, radix: 16))", properties: [
                .string("device_type", "memory"),
                cells("reg", [UInt32(base >> 32), UInt32(truncatingIfNeeded: base), 0x0, 0x4000_0000]),
                .u32("numa-node-id", UInt32(n)),
            ])
        }
        var matrix: [UInt32] = []
        for a in 0..<nodes where a + 1 < nodes { matrix += [UInt32(a), UInt32(a + 1), 20] }
        var children = [DeviceTreeNode(name: "cpus", properties: [.u32("#address-cells", 1), .u32("#size-cells", 0)],
                                       children: cpuNodes)]
        children += memory
        if nodes > 1 {
            children.append(DeviceTreeNode(name: "distance-map", properties: [
                .string("compatible", "numa-distance-map-v1"), cells("distance-matrix", matrix),
            ]))
        }
        let root = DeviceTreeNode(name: "", properties: [
            .u32("#address-cells", 2), .u32("#size-cells", 2), .string("compatible", "linux,dummy-virt"),
        ], children: children)
        return try FlattenedDeviceTreeWriter().write(DeviceTree(root: root))
    }

    /// The same machine as a platform (firmware parsed back from the blob).
    static func platform(cpus: Int, nodes: Int, cmdline: String = "") throws -> Platform {
        let firmware = try DeviceTreeBlob.firmware(bytes: try dtb(cpus: cpus, nodes: nodes), fileName: "bench.dtb")
        var config = KernelConfig.defaults(for: .arm64)
        config.nrCpus = max(cpus, 256)
        config.nodesShift = 10
        return Platform(name: "\(cpus)cpus-\(nodes)nodes", arch: .arm64, config: config, staticSize: 87272,
                        cmdline: cmdline, firmware: .deviceTree(firmware))
    }
}
