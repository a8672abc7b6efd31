/// The in-memory device tree: what a flattened blob describes, as plain values.
///
/// Mirrors the Devicetree Specification v0.4 §2 data model (nodes with ordered
/// properties and children) plus the two header facts a boot needs from §5
/// (the memory reservation block and `boot_cpuid_phys`). Everything is a value
/// type: a tree read from a blob, edited, and written back is just a copy.

/// One entry of the memory reservation block (§5.3): `address`, `size`.
public struct DeviceTreeMemoryReservation: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// Physical address of the reserved range.
    public var address: UInt64
    /// Size of the reserved range in bytes.
    public var size: UInt64

    /// Makes an entry.
    public init(address: UInt64, size: UInt64) {
        self.address = address
        self.size = size
    }

    /// `(0x…, 0x…)` in hexadecimal.
    public var description: String {
        "(0x" + String(address, radix: 16) + ", 0x" + String(size, radix: 16) + ")"
    }
}

/// One decoded `reg` entry (§2.3.6): an address and a size in the parent's
/// address space, each assembled from big-endian cells.
public struct DeviceTreeRegEntry: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The address field (the `base` of a memory range).
    public var address: UInt64
    /// The size field (0 when the parent has `#size-cells = <0>`).
    public var size: UInt64

    /// Makes an entry.
    public init(address: UInt64, size: UInt64) {
        self.address = address
        self.size = size
    }

    /// The address under the name memory nodes use for it.
    public var base: UInt64 { address }

    /// `(0x…, 0x…)` in hexadecimal.
    public var description: String {
        "(0x" + String(address, radix: 16) + ", 0x" + String(size, radix: 16) + ")"
    }
}

/// A property (§2.2.4): a name and an uninterpreted big-endian byte value.
///
/// The value stays raw so that a tree round-trips byte for byte; the typed
/// accessors (`u32()`, `stringList()`, …) interpret it on demand.
public struct DeviceTreeProperty: Equatable, Hashable, Sendable {
    /// The property name, e.g. `numa-node-id`.
    public var name: String
    /// The value exactly as stored in the blob.
    public var value: [UInt8]

    /// Makes a property from raw bytes.
    public init(name: String, value: [UInt8]) {
        self.name = name
        self.value = value
    }
}

/// A node (§2.2): a name with its unit address (`cpu@0`; `""` for the root),
/// its properties in blob order, and its children in blob order.
public struct DeviceTreeNode: Equatable, Hashable, Sendable {
    /// The node name including any `@unit-address`; empty for the root.
    public var name: String
    /// Properties in the order the blob lists them (duplicates are kept; lookups take the first).
    public var properties: [DeviceTreeProperty]
    /// Child nodes in the order the blob lists them.
    public var children: [DeviceTreeNode]

    /// Builds a node; the DTS-free way tests and callers construct trees.
    public init(name: String, properties: [DeviceTreeProperty] = [], children: [DeviceTreeNode] = []) {
        self.name = name
        self.properties = properties
        self.children = children
    }
}

/// A whole device tree: the root node plus the header facts of §5.
public struct DeviceTree: Equatable, Hashable, Sendable {
    /// The memory reservation block, without its terminating (0, 0) entry.
    public var memoryReservations: [DeviceTreeMemoryReservation]
    /// The root node (named `""`).
    public var root: DeviceTreeNode
    /// `boot_cpuid_phys`: the physical ID of the CPU that boots (§5.2).
    public var bootCpuidPhys: UInt32

    /// Builds a tree.
    public init(root: DeviceTreeNode, memoryReservations: [DeviceTreeMemoryReservation] = [], bootCpuidPhys: UInt32 = 0) {
        self.root = root
        self.memoryReservations = memoryReservations
        self.bootCpuidPhys = bootCpuidPhys
    }
}

// MARK: - Builders

public extension DeviceTreeProperty {
    /// A one-cell property, e.g. `.u32("numa-node-id", 1)` (§2.2.4.2 `<u32>`).
    static func u32(_ name: String, _ value: UInt32) -> DeviceTreeProperty {
        DeviceTreeProperty(name: name, value: BigEndian.bytes(of: value))
    }

    /// A two-cell `<u64>` property (§2.2.4.2).
    static func u64(_ name: String, _ value: UInt64) -> DeviceTreeProperty {
        DeviceTreeProperty(name: name, value: BigEndian.bytes(of: value))
    }

    /// A `<prop-encoded-array>` of cells, e.g. `.cells("reg", [0, 0x40000000, 0, 0x40000000])`.
    static func cells(_ name: String, _ cells: [UInt32]) -> DeviceTreeProperty {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(cells.count * 4)
        for cell in cells { bytes += BigEndian.bytes(of: cell) }
        return DeviceTreeProperty(name: name, value: bytes)
    }

    /// A `<string>` property: UTF-8 plus the terminating NUL.
    static func string(_ name: String, _ value: String) -> DeviceTreeProperty {
        DeviceTreeProperty(name: name, value: Array(value.utf8) + [0])
    }

    /// A `<stringlist>` property: each string NUL-terminated, concatenated.
    static func strings(_ name: String, _ values: [String]) -> DeviceTreeProperty {
        DeviceTreeProperty(name: name, value: values.flatMap { Array($0.utf8) + [0] })
    }

    /// An empty property (`<empty>`, a boolean such as `dma-coherent`).
    static func empty(_ name: String) -> DeviceTreeProperty {
        DeviceTreeProperty(name: name, value: [])
    }

    /// A property with arbitrary raw bytes (for malformed-input tests).
    static func bytes(_ name: String, _ value: [UInt8]) -> DeviceTreeProperty {
        DeviceTreeProperty(name: name, value: value)
    }

    /// A `reg`-style property: each (address, size) pair encoded with the given
    /// cell counts (each 0…2), high cell first.
    static func reg(_ entries: [DeviceTreeRegEntry], addressCells: Int = 2, sizeCells: Int = 1, name: String = "reg") -> DeviceTreeProperty {
        var cells: [UInt32] = []
        for entry in entries {
            cells += BigEndian.cells(of: entry.address, count: addressCells)
            cells += BigEndian.cells(of: entry.size, count: sizeCells)
        }
        return .cells(name, cells)
    }
}

/// Big-endian encoding helpers shared by the builders, the reader and the writer.
enum BigEndian {
    /// The four big-endian bytes of `value`.
    static func bytes(of value: UInt32) -> [UInt8] {
        [UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
         UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    /// The eight big-endian bytes of `value`.
    static func bytes(of value: UInt64) -> [UInt8] {
        bytes(of: UInt32(truncatingIfNeeded: value >> 32)) + bytes(of: UInt32(truncatingIfNeeded: value))
    }

    /// `value` as `count` cells, most significant first (count 0 gives no cells,
    /// counts above 2 are zero-extended on the left).
    static func cells(of value: UInt64, count: Int) -> [UInt32] {
        guard count > 0 else { return [] }
        if count == 1 { return [UInt32(truncatingIfNeeded: value)] }
        return Array(repeating: 0, count: count - 2)
            + [UInt32(truncatingIfNeeded: value >> 32), UInt32(truncatingIfNeeded: value)]
    }

    /// The big-endian u32 at `index` (caller guarantees `index + 4 <= bytes.count`).
    static func u32<C: RandomAccessCollection>(_ bytes: C, at index: C.Index) -> UInt32 where C.Element == UInt8 {
        var result: UInt32 = 0
        var i = index
        for _ in 0..<4 {
            result = result << 8 | UInt32(bytes[i])
            i = bytes.index(after: i)
        }
        return result
    }

    /// `of_read_number(cells, count)` (include/linux/of.h, v6.8): the cells
    /// folded into a u64, so only the low 64 bits of a longer number survive.
    static func readNumber(_ bytes: [UInt8], cellIndex: Int, count: Int) -> UInt64 {
        var result: UInt64 = 0
        for cell in 0..<count {
            result = result << 32 | UInt64(u32(bytes, at: (cellIndex + cell) * 4))
        }
        return result
    }
}
