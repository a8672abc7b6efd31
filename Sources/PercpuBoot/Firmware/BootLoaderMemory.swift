/// RAM as a boot loader or UEFI hands it to the kernel: many device trees that
/// Debian ships leave `/memory` empty (or `reg = <0 0>`) for U-Boot's
/// `fdt_fixup_memory_banks()` (or the EFI stub's memory map) to fill in.
/// `--memory BASE:SIZE[@NODE]` and the platform file's `boot-loader-memory:`
/// supply those banks.
public struct BootLoaderMemory: Equatable, Sendable, Codable {
    public var base: UInt64
    public var size: UInt64
    /// The bank's `numa-node-id`, when the loader writes one.
    public var node: UInt32?
    /// Where it was given (`--memory 0x40000000:2G`, or FILE:LINE:COLUMN).
    public var origin: String

    public init(base: UInt64, size: UInt64, node: UInt32? = nil, origin: String) {
        self.base = base
        self.size = size
        self.node = node
        self.origin = origin
    }

    /// Why a `--memory` value does not parse.
    public struct Reason: Error, Equatable, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Parses `BASE:SIZE[@NODE]` (`0x40000000:2G`, `0x80000000:0x40000000@1`); nil and the
    /// reason when it does not parse.
    public static func parse(_ text: String, origin: String) -> Result<BootLoaderMemory, Reason> {
        let expected = "BASE:SIZE[@NODE], like 0x40000000:2G or 0x80000000:1G@1"
        var rest = Substring(text)
        var node: UInt32?
        if let at = rest.lastIndex(of: "@") {
            guard let n = UInt32(rest[rest.index(after: at)...]) else {
                return .failure(Reason(description: "the node after '@' is not a number from 0 to 4294967295 (expected \(expected))"))
            }
            node = n
            rest = rest[..<at]
        }
        let parts = rest.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return .failure(Reason(description: "expected \(expected)")) }
        guard let base = PlatformLoader.parseNumber(String(parts[0])) else {
            return .failure(Reason(description: "the base '\(parts[0].prefix(40))' is not a number (expected \(expected))"))
        }
        guard let size = PlatformLoader.parseNumber(String(parts[1])), size > 0 else {
            return .failure(Reason(description: "the size '\(parts[1].prefix(40))' is not a size above 0 (expected \(expected))"))
        }
        guard base <= UInt64.max - (size - 1) else {
            return .failure(Reason(description: "the bank ends beyond 2^64 (expected \(expected))"))
        }
        return .success(BootLoaderMemory(base: base, size: size, node: node, origin: origin))
    }
}

extension DeviceTreeFirmware {
    /// The tree after the boot loader's fix-up: its memory nodes replaced by one
    /// `/memory@BASE` node per bank (as `fdt_fixup_memory_banks()` rewrites `/memory`).
    public func fixingUpMemory(_ banks: [BootLoaderMemory]) -> DeviceTreeFirmware {
        guard !banks.isEmpty else { return self }
        var fixed = self
        fixed.memory = banks.map {
            DTMemoryNode(path: "/memory@\(String($0.base, radix: 16))", regs: [PhysRange(base: $0.base, size: $0.size)],
                         numaNodeID: $0.node.map(DTU32.value) ?? .absent, origin: $0.origin)
        }
        return fixed
    }

    /// Why the tree gives memblock no RAM, naming the tree, its memory nodes and
    /// how to supply RAM: for the "no memory" error.
    public var noMemoryExplanation: String {
        let name = source ?? "the device tree"
        var text = "\(name): no usable memory: "
        if memory.isEmpty {
            text += "the tree has no memory node (device_type = \"memory\")"
        } else {
            let shown = memory.prefix(4).map { node -> String in
                let at = node.origin.map { " (\($0))" } ?? ""
                let regs = node.regs.isEmpty ? "no reg" : node.regs.prefix(2).map {
                    "reg <0x\(String($0.base, radix: 16)) 0x\(String($0.size, radix: 16))>"
                }.joined(separator: ", ") + (node.regs.count > 2 ? ", ..." : "")
                return "\(node.path)\(at): \(regs)"
            }
            text += "its memory node\(memory.count == 1 ? "" : "s") "
                + shown.joined(separator: "; ") + (memory.count > 4 ? "; and \(memory.count - 4) more" : "")
                + " describe\(memory.count == 1 ? "s" : "") no RAM of non-zero size"
        }
        return text + "; the boot loader fills these in: supply its RAM with --memory BASE:SIZE[@NODE]"
            + " (e.g. --memory 0x40000000:2G) or boot-loader-memory: in the platform file"
    }
}
