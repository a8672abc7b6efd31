import DeviceTree
import Foundation

/// Device-tree firmware from a flattened device tree blob (`--dtb`, or
/// `firmware.device-tree.dtb` in a platform file), read by our own FDT reader.
public enum DeviceTreeBlob {
    /// Reads and parses `path`. Any defect of the blob is an `InputError`
    /// naming the file and the byte offset.
    public static func load(path: String) throws(InputError) -> DeviceTreeFirmware {
        return try firmware(bytes: try InputFile.read(path, what: "device tree blob"), fileName: path)
    }

    /// Parses a blob already in memory.
    public static func firmware(bytes: [UInt8], fileName: String) throws(InputError) -> DeviceTreeFirmware {
        do {
            let tree = try FlattenedDeviceTree.parse(bytes, fileName: fileName)
            return firmware(facts: try tree.numaFacts(), source: fileName)
        } catch {
            throw InputError(file: fileName, message: "not a usable device tree blob: \(error)")
        }
    }

    /// The facts `of_numa.c` and CPU enumeration read, in the platform model.
    /// Memory nodes whose status is not "okay" are left out, as
    /// `early_init_dt_scan_memory` skips them.
    public static func firmware(facts: DeviceTreeNUMAFacts, source: String?) -> DeviceTreeFirmware {
        let cpus = facts.cpus.map { cpu in
            DTCPU(path: cpu.path, hardwareID: cpu.reg, numaNodeID: DTU32(cpu.numaNodeId),
                  inheritedNumaNodeID: DTU32(cpu.inheritedNumaNodeId), status: cpu.status, mmuType: cpu.mmuType)
        }
        let memory = facts.memory.filter(\.isAvailable).map { node in
            DTMemoryNode(path: node.path, regs: node.regs.map { PhysRange(base: $0.address, size: $0.size) },
                         numaNodeID: DTU32(node.numaNodeId))
        }
        let distance: [UInt32]?? = facts.distanceMap.map { $0.matrix }
        var reservations = facts.memoryReservations.map { PhysRange(base: $0.address, size: $0.size, name: "memreserve") }
        reservations += facts.reservedMemory.map { PhysRange(base: $0.base, size: $0.size, name: $0.name) }
        return DeviceTreeFirmware(cpus: cpus, memory: memory, distanceMatrix: distance, reservations: reservations,
                                  bootCPUHardwareID: UInt64(facts.bootCpuidPhys), source: source)
    }
}

extension DTU32 {
    init(_ value: U32PropertyValue) {
        switch value {
        case .absent: self = .absent
        case .value(let v): self = .value(v)
        case .malformed(let length): self = .malformed(length: length)
        }
    }
}
