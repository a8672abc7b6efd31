import Foundation
@testable import ACPITables

/// Tests/Fixtures/firmware-boots, found from this file's location.
enum FirmwareBoots {
    static let directory: URL = {
        var url = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        while url.lastPathComponent != "Tests" && url.path != "/" { url = url.deletingLastPathComponent() }
        return url.appendingPathComponent("Fixtures/firmware-boots")
    }()

    static func tables(_ name: String) -> String { directory.appendingPathComponent("\(name)/acpi").path }

    static func bytes(_ name: String, _ table: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent("\(name)/acpi/\(table)")))
    }
}

/// A table built by hand: the 36-byte header (length and checksum filled in) and `body`.
func makeTable(_ signature: String, revision: UInt8 = 1, body: [UInt8]) -> [UInt8] {
    var bytes = Array(signature.utf8.prefix(4))
    bytes += le32(UInt32(36 + body.count))
    bytes += [revision, 0]
    bytes += Array("PCPUBT".utf8) + Array("TESTTBL ".utf8) + le32(1) + Array("TEST".utf8) + le32(1)
    bytes += body
    let sum = bytes.reduce(UInt8(0), &+)
    bytes[9] = 0 &- sum
    return bytes
}

func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8)] }
func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
func le64(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }

/// SRAT structures as ACPI 6.5 §5.2.16 lays them out.
enum SRATBytes {
    static let fixed: [UInt8] = le32(1) + le64(0)
    static func localAPIC(apic: UInt8, pxm: UInt32, flags: UInt32 = 1) -> [UInt8] {
        [0, 16, UInt8(pxm & 0xff), apic] + le32(flags) + [0, UInt8((pxm >> 8) & 0xff), UInt8((pxm >> 16) & 0xff),
                                                          UInt8(pxm >> 24)] + le32(0)
    }
    static func x2APIC(apic: UInt32, pxm: UInt32, flags: UInt32 = 1) -> [UInt8] {
        [2, 24] + le16(0) + le32(pxm) + le32(apic) + le32(flags) + le32(0) + le32(0)
    }
    static func memory(base: UInt64, length: UInt64, pxm: UInt32, flags: UInt32 = 1) -> [UInt8] {
        [1, 40] + le32(pxm) + le16(0) + le64(base) + le64(length) + le32(0) + le32(flags) + le64(0)
    }
    static func gicc(uid: UInt32, pxm: UInt32, flags: UInt32 = 1) -> [UInt8] {
        [3, 18] + le32(pxm) + le32(uid) + le32(flags) + le32(0)
    }
    static func genericInitiator(pxm: UInt32, flags: UInt32 = 1) -> [UInt8] {
        [5, 32, 0, 1] + le32(pxm) + [UInt8](repeating: 0, count: 16) + le32(flags) + le32(0)
    }
}

/// MADT structures as ACPI 6.5 §5.2.12 lays them out.
enum MADTBytes {
    static let fixed: [UInt8] = le32(0xfee0_0000) + le32(1)
    static func localAPIC(uid: UInt8, apic: UInt8, flags: UInt32 = 1) -> [UInt8] { [0, 8, uid, apic] + le32(flags) }
    static func x2APIC(uid: UInt32, apic: UInt32, flags: UInt32 = 1) -> [UInt8] {
        [9, 16] + le16(0) + le32(apic) + le32(flags) + le32(uid)
    }
    static func gicc(uid: UInt32, mpidr: UInt64, flags: UInt32 = 1) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 80)
        bytes[0] = 0x0b
        bytes[1] = 80
        bytes.replaceSubrange(8..<12, with: le32(uid))
        bytes.replaceSubrange(12..<16, with: le32(flags))
        bytes.replaceSubrange(68..<76, with: le64(mpidr))
        return bytes
    }
}
