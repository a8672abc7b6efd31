import DeviceTree
import Foundation

/// Locates the real-boot fixtures from this file's location, so the tests run
/// both from /work/main and from a workspace whose Tests folder is a symlink:
/// the path is resolved (realpath semantics) and walked up to the folder that
/// contains `Fixtures`.
enum Fixtures {
    /// `…/Tests/Fixtures/kernel-boots`.
    static func kernelBootsDirectory(filePath: String = #filePath) -> URL? {
        var directory = URL(fileURLWithPath: filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("Fixtures/kernel-boots")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        return nil
    }

    /// The device-tree boots (x86 boots have no DTB).
    static let dtbCases = [
        "arm64-1cpu", "arm64-2node-dt", "arm64-4node-embed",
        "arm64-4node-numaoff", "arm64-4node-page", "arm64-nonuma-8cpu",
    ]

    /// The bytes of `<case>/board.dtb`.
    static func dtb(_ name: String) throws -> [UInt8] {
        guard let directory = kernelBootsDirectory() else { throw FixtureMissing(name: name) }
        let data = try Data(contentsOf: directory.appendingPathComponent(name).appendingPathComponent("board.dtb"))
        return [UInt8](data)
    }

    /// The parsed tree of `<case>/board.dtb`.
    static func tree(_ name: String) throws -> DeviceTree {
        try DeviceTree(flattened: dtb(name), fileName: "\(name)/board.dtb")
    }

    /// Thrown when the fixture folder cannot be found.
    struct FixtureMissing: Error { var name: String }
}

/// Assembles flattened blobs token by token, so tests can build exactly the
/// malformed structure they want; header fields can be patched afterwards.
struct RawFDT {
    var structure: [UInt8] = []
    var strings: [UInt8] = []
    var reservations: [(UInt64, UInt64)] = []
    var version: UInt32 = 17
    var lastCompatibleVersion: UInt32 = 16
    var bootCpuidPhys: UInt32 = 0

    /// Four big-endian bytes.
    static func be32(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)]
    }

    /// Eight big-endian bytes.
    static func be64(_ v: UInt64) -> [UInt8] { be32(UInt32(v >> 32)) + be32(UInt32(v & 0xffff_ffff)) }

    /// Zero-pads the structure block to 4 bytes (FDT_TAGALIGN).
    mutating func pad() { while structure.count % 4 != 0 { structure.append(0) } }

    /// Appends a raw token word.
    mutating func token(_ t: UInt32) { structure += Self.be32(t) }

    /// FDT_BEGIN_NODE with a NUL-terminated name.
    mutating func begin(_ name: String) { beginRaw(Array(name.utf8) + [0]) }

    /// FDT_BEGIN_NODE with exactly these name bytes (NUL included by the caller).
    mutating func beginRaw(_ nameBytes: [UInt8]) {
        token(1)
        structure += nameBytes
        pad()
    }

    /// FDT_END_NODE.
    mutating func end() { token(2) }
    /// FDT_NOP.
    mutating func nop() { token(4) }
    /// FDT_END.
    mutating func finish() { token(9) }

    /// The nameoff of `name`, added to the strings block on first use.
    mutating func nameOffset(_ name: String) -> UInt32 {
        let needle = Array(name.utf8) + [0]
        var start = 0
        while start < strings.count {
            let end = strings[start...].firstIndex(of: 0) ?? strings.count - 1
            if Array(strings[start...end]) == needle { return UInt32(start) }
            start = end + 1
        }
        let offset = UInt32(strings.count)
        strings += needle
        return offset
    }

    /// FDT_PROP with a well-formed header.
    mutating func prop(_ name: String, _ value: [UInt8]) {
        let offset = nameOffset(name)
        propRaw(length: UInt32(value.count), nameOffset: offset, value: value)
    }

    /// FDT_PROP with arbitrary length and nameoff fields.
    mutating func propRaw(length: UInt32, nameOffset: UInt32, value: [UInt8]) {
        token(3)
        structure += Self.be32(length) + Self.be32(nameOffset) + value
        pad()
    }

    /// Offset of the structure block in `bytes()`.
    var structureOffset: Int { 40 + 16 * (reservations.count + 1) }

    /// The blob: header, reservation map, structure, strings.
    func bytes() -> [UInt8] {
        var reservationBytes: [UInt8] = []
        for (a, s) in reservations { reservationBytes += Self.be64(a) + Self.be64(s) }
        reservationBytes += [UInt8](repeating: 0, count: 16)
        let structOffset = 40 + reservationBytes.count
        let stringsOffset = structOffset + structure.count
        let total = stringsOffset + strings.count
        var blob: [UInt8] = []
        for word in [0xd00d_feed, UInt32(total), UInt32(structOffset), UInt32(stringsOffset), 40,
                     version, lastCompatibleVersion, bootCpuidPhys, UInt32(strings.count), UInt32(structure.count)] {
            blob += Self.be32(word)
        }
        return blob + reservationBytes + structure + strings
    }

    /// A minimal valid blob: `/` with one property and one child.
    static func minimal() -> RawFDT {
        var fdt = RawFDT()
        fdt.begin("")
        fdt.prop("#address-cells", be32(2))
        fdt.begin("child@1")
        fdt.prop("reg", be32(0) + be32(1) + be32(2))
        fdt.end()
        fdt.end()
        fdt.finish()
        return fdt
    }
}

extension Array where Element == UInt8 {
    /// Overwrites the big-endian u32 at `offset` (header patching).
    mutating func setBE32(_ value: UInt32, at offset: Int) {
        replaceSubrange(offset..<offset + 4, with: RawFDT.be32(value))
    }

    /// The big-endian u32 at `offset`.
    func be32(at offset: Int) -> UInt32 {
        self[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }
}

/// Parses `bytes` and returns the error, or nil when it parsed.
func parseError(_ bytes: [UInt8], fileName: String? = nil) -> DeviceTreeError? {
    do {
        _ = try FlattenedDeviceTree(bytes: bytes, fileName: fileName)
        return nil
    } catch {
        return error
    }
}

/// A small deterministic PRNG (SplitMix64) so fuzz-style tests are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    /// The next 64 random bits.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
