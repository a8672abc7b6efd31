import Foundation

/// The NUMA topology as the running kernel built it, from files every user may read — the
/// stand-in for firmware tables a user cannot read (`/sys/firmware/acpi/tables` is root-only)
/// when there is no boot log either. x86_64 only:
/// - `sys/devices/system/cpu/{possible,present}` (cpulists, `%*pbl`: `0-3,8-11`);
/// - `sys/devices/system/node/nodeN/cpulist` and `distance` (the SLIT row as `node_distance` gives it);
/// - `sys/devices/system/node/nodeN/memoryM` (the node's memory blocks) and
///   `sys/devices/system/memory/block_size_bytes` (hex, no `0x`);
/// - `proc/cpuinfo`'s `apicid` of each `processor`.
/// The model it gives is an assumption (said by the caller): one SRAT processor per present
/// CPU with its APIC id on the node the kernel put it, memory affinity as whole memory blocks,
/// the SLIT as the kernel's distances, possible-but-not-present CPUs as hot-pluggable; one
/// node means no SRAT at all (the kernel's "No NUMA configuration found" or a one-node SRAT alike).
public struct SystemTopology: Equatable, Sendable {
    public struct Node: Equatable, Sendable {
        public var id: Int
        public var cpus: [Int]
        public var distances: [Int]
        public var memory: [PhysRange]
    }

    public var nodes: [Node]
    public var possible: [Int]
    public var present: [Int]
    /// CPU number → APIC id (`/proc/cpuinfo`); CPUs it does not list keep their number.
    public var apicIDs: [Int: UInt64]
    /// `/proc/cpuinfo`'s `hypervisor` flag (X86_FEATURE_HYPERVISOR, what `Hypervisor detected` follows).
    public var hypervisor: Bool?

    /// Reads the files under `root`; nil when there is no `sys/devices/system/node`.
    static func read(_ machine: RunningMachine) throws(InputError) -> SystemTopology? {
        let nodeDir = machine.path("sys/devices/system/node")
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: nodeDir) else { return nil }
        let ids = names.compactMap { $0.hasPrefix("node") && $0.dropFirst(4).allSatisfy(\.isNumber) ? Int($0.dropFirst(4)) : nil }.sorted()
        guard !ids.isEmpty else { return nil }
        // MAX_NUMNODES is at most 1 << 10 (NODES_SHIFT 10).
        if let top = ids.last, top >= 1 << 10 {
            throw InputError(file: "\(nodeDir)/node\(top)", message: "node \(top) is beyond any kernel's MAX_NUMNODES (1024)")
        }
        let blockFile = machine.path("sys/devices/system/memory/block_size_bytes")
        let blockText = try text(blockFile)
        guard let blockSize = UInt64(blockText, radix: 16), blockSize > 0 else {
            throw InputError(file: blockFile, message: "'\(InputError.cut(blockText, to: 40))' is not a block size", expected: "hex digits, as the kernel writes it")
        }
        var nodes: [Node] = []
        for id in ids {
            let dir = "\(nodeDir)/node\(id)"
            let cpus = try cpuList(dir + "/cpulist")
            let distanceFile = dir + "/distance"
            let distanceText = try text(distanceFile)
            let distances = distanceText.split(separator: " ").compactMap { Int($0) }
            guard distances.count == ids.count, distances.allSatisfy({ (0...255).contains($0) }) else {
                throw InputError(file: distanceFile, message: "'\(InputError.cut(distanceText, to: 60))' is not \(ids.count) distances",
                                 expected: "one distance from 0 to 255 per node")
            }
            let blocks = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
                .compactMap { $0.hasPrefix("memory") ? UInt64($0.dropFirst(6)) : nil }.sorted()
            var memory: [PhysRange] = []
            for block in blocks {
                let (base, overflow) = block.multipliedReportingOverflow(by: blockSize)
                guard !overflow, base <= UInt64.max - blockSize else {
                    throw InputError(file: dir + "/memory\(block)", message: "memory block \(block) of \(blockSize) bytes lies beyond 2^64")
                }
                if let last = memory.last, last.base + last.size == base {
                    memory[memory.count - 1].size += blockSize
                } else {
                    memory.append(PhysRange(base: base, size: blockSize))
                }
            }
            nodes.append(Node(id: id, cpus: cpus, distances: distances, memory: memory))
        }
        let possible = try cpuList(machine.path("sys/devices/system/cpu/possible"))
        let present = try cpuList(machine.path("sys/devices/system/cpu/present"))
        let info = cpuinfo(machine)
        return SystemTopology(nodes: nodes, possible: possible, present: present, apicIDs: info.apicIDs, hypervisor: info.hypervisor)
    }

    static func text(_ path: String) throws(InputError) -> String {
        String(decoding: try InputFile.read(path, what: "sysfs attribute"), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A cpulist (`0-3,8,10-11`; empty for none), at most 65536 CPUs.
    static func cpuList(_ path: String) throws(InputError) -> [Int] {
        let text = try text(path)
        var cpus: [Int] = []
        for part in text.split(separator: ",") {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(bounds.count), let low = Int(bounds[0]), let high = Int(bounds[bounds.count - 1]),
                  low >= 0, low <= high, high < 65536, cpus.count + (high - low) < 65536 else {
                throw InputError(file: path, message: "'\(InputError.cut(text, to: 60))' is not a CPU list", expected: "ranges like 0-3,8,10-11")
            }
            cpus += Array(low...high)
        }
        return cpus
    }

    /// `processor : N` … `apicid : M` pairs of `/proc/cpuinfo` (x86's show_cpuinfo), and whether
    /// its `flags` name `hypervisor`; nothing when unreadable.
    static func cpuinfo(_ machine: RunningMachine) -> (apicIDs: [Int: UInt64], hypervisor: Bool?) {
        guard case .bytes(let bytes) = machine.readFile("proc/cpuinfo", what: "cpuinfo") else { return ([:], nil) }
        var result: [Int: UInt64] = [:]
        var hypervisor: Bool?
        var processor: Int?
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            if parts[0] == "processor" { processor = Int(parts[1]) }
            if parts[0] == "apicid", let processor, let id = UInt64(parts[1]) { result[processor] = id }
            if parts[0] == "flags" { hypervisor = (hypervisor ?? false) || parts[1].split(separator: " ").contains("hypervisor") }
        }
        return (result, hypervisor)
    }

    /// The firmware model (see the type's comment).
    public func acpiFirmware() -> ACPIFirmware {
        let numa = nodes.count > 1
        func apic(_ cpu: Int) -> UInt64 { apicIDs[cpu] ?? UInt64(cpu) }
        func kind(_ id: UInt64) -> SRATProcessor.Kind { id > 0xfe ? .x2APIC : .localAPIC }
        var processors: [SRATProcessor] = []
        var memory: [SRATMemory] = []
        var slit: [[UInt8]]?
        let presentSet = Set(present)
        if numa {
            for node in nodes {
                for cpu in node.cpus where presentSet.contains(cpu) {
                    processors.append(SRATProcessor(hardwareID: apic(cpu), proximityDomain: UInt32(node.id), kind: kind(apic(cpu))))
                }
                memory += node.memory.map { SRATMemory(base: $0.base, length: $0.size, proximityDomain: UInt32(node.id)) }
            }
            let size = (nodes.map(\.id).max() ?? 0) + 1
            var matrix = [[UInt8]](repeating: [UInt8](repeating: 0xff, count: size), count: size)
            for (i, row) in nodes.enumerated() {
                for (j, column) in nodes.enumerated() { matrix[row.id][column.id] = UInt8(nodes[i].distances[j]) }
            }
            slit = matrix
        }
        let madt = present.map { cpu in
            MADTProcessorEntry(kind: apic(cpu) > 0xfe ? .x2APIC : .localAPIC, hardwareID: apic(cpu), uid: UInt32(cpu), enabled: true)
        }
        var firmware = ACPIFirmware(processors: processors, memory: memory, slit: slit, madt: madt, hasSRAT: numa,
                                    hypervisor: hypervisor, source: "the kernel's own NUMA view (/sys/devices/system)")
        firmware.hotplugCPUs = max(possible.count - present.count, 0)
        return firmware
    }

    /// One line for the source list.
    var summary: String {
        "\(nodes.count) node\(nodes.count == 1 ? "" : "s"), \(present.count) present of \(possible.count) possible CPUs"
            + (apicIDs.isEmpty ? ", APIC ids taken as CPU numbers (no /proc/cpuinfo)" : ", APIC ids from /proc/cpuinfo")
    }
}
