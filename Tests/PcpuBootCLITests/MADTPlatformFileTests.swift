import Foundation
import Testing
@testable import PcpuBootCLI
@testable import PercpuBoot
import PcpuBootTestSupport

/// `firmware.acpi.madt` in a platform file: the MADT apart from the SRAT, as the binary
/// tables have it. The hot-plug machine of Tests/Fixtures/firmware-boots/x86-hotplug,
/// written out (the values are `iasl -d`'s of its SRAT and APIC: APIC 0–7 enabled in the
/// SRAT, 4–7 disabled in the MADT), boots to that log's SRAT, smpboot and per-CPU lines.
@Suite struct MADTPlatformFileTests {
    static let yaml = """
        arch: x86_64
        kernel: "6.1"
        config: { nr-cpus: 8192, nodes-shift: 10, paging: 5-level }
        static-size: 217088
        firmware:
          acpi:
            srat-revision: 1
            processors:
              - { id: 0, pxm: 0 }
              - { id: 1, pxm: 0 }
              - { id: 2, pxm: 0 }
              - { id: 3, pxm: 0 }
              - { id: 4, pxm: 1 }
              - { id: 5, pxm: 1 }
              - { id: 6, pxm: 1 }
              - { id: 7, pxm: 1 }
            madt:
              - { id: 0 }
              - { id: 1 }
              - { id: 2 }
              - { id: 3 }
              - { id: 4, enabled: false }
              - { id: 5, enabled: false }
              - { id: 6, enabled: false }
              - { id: 7, enabled: false }
            memory:
              - { base: 0x0, size: 0xa0000, pxm: 0 }
              - { base: 0x100000, size: 0x3ff00000, pxm: 0 }
              - { base: 0x40000000, size: 0x40000000, pxm: 1 }
            slit: [[10, 21], [21, 10]]
        memblock:
          memory:
            - { base: 0x1000, size: 0x9e000 }
            - { base: 0x100000, size: 0x7fee0000 }
        """

    static func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("madt-\(UUID().uuidString).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func hotplugMachineFromAPlatformFile() throws {
        let path = try Self.write(Self.yaml)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let output = PcpuBootCLI.run([path, "--format", "dmesg"])
        #expect(output.status == 0, "\(output.stderr)")
        let emulated = output.stdout.split(separator: "\n").map(String.init)
        let log = Fixtures.testsDirectory.appendingPathComponent("Fixtures/firmware-boots/x86-hotplug/console.log").path
        let real = RealBootLog(text: try String(contentsOfFile: log, encoding: .utf8))
        func pick(_ lines: [String]) -> [String] {
            lines.filter { $0.hasPrefix("SRAT: PXM") || $0.hasPrefix("smpboot: Allowing") }
        }
        #expect(pick(real.lines).count == 9)
        #expect(pick(emulated) == pick(real.lines))
        #expect(RealBootLog.percpuLines(emulated) == real.percpuLines)
    }

    @Test func unknownKindSuggests() throws {
        let path = try Self.write(Self.yaml.replacingOccurrences(of: "- { id: 7, enabled: false }",
                                                                  with: "- { id: 7, enabled: false, kind: x2apci }"))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: InputError.self) { try PlatformLoader.load(path: path, dtbLoader: DeviceTreeBlob.load(path:)) }
        do {
            _ = try PlatformLoader.load(path: path, dtbLoader: DeviceTreeBlob.load(path:))
        } catch {
            #expect(error.suggestion == "x2apic")
            #expect(error.keyPath?.hasSuffix("madt[7].kind") == true)
        }
    }
}
