import ACPITables
import Foundation
import PcpuBootTestSupport
@testable import pcpu_boot_fuzz
import Testing

/// The fuzz targets of `pcpu-boot-fuzz`, run in-process on the inputs that once
/// broke a reader (Tests/Fixtures/fuzz-regressions/TARGET/) and on the real inputs
/// that seed them. A trap here ends the test process: the finding is the failure.
@Suite struct FuzzTargetTests {
    static let fixtures = Fixtures.testsDirectory.appendingPathComponent("Fixtures")

    static func files(_ relative: String) -> [URL] {
        let root = fixtures.appendingPathComponent(relative)
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return [] }
        return walker.compactMap { $0 as? URL }.filter { !$0.hasDirectoryPath && $0.lastPathComponent != "README.md" }
            .sorted { $0.path < $1.path }
    }

    static func bytes(_ url: URL) throws -> [UInt8] { [UInt8](try Data(contentsOf: url)) }

    @Test(arguments: FuzzTarget.allCases)
    func regressionInputsRunThroughTheirTarget(_ target: FuzzTarget) throws {
        for url in Self.files("fuzz-regressions/\(target.rawValue)") {
            target.run(try Self.bytes(url))
        }
    }

    /// The ACPI target cuts one input into tables by their headers' lengths: the
    /// recorded tables end to end must read as the same set as the directory.
    @Test(arguments: ["x86-2node-embed", "arm64-acpi-2node", "x86-hotplug", "x86-memoryless", "x86-q35-32cpu"])
    func acpiInputIsCutIntoTheRecordedTables(_ name: String) throws {
        let directory = Self.fixtures.appendingPathComponent("firmware-boots/\(name)/acpi")
        var input: [UInt8] = []
        for signature in ["SRAT", "SLIT", "APIC", "FACP"] {
            let url = directory.appendingPathComponent(signature)
            if FileManager.default.fileExists(atPath: url.path) { input += try Self.bytes(url) }
        }
        let loaded = try ACPITableSet.load(directory: directory.path)
        let cut = try #require(FuzzACPI.tableSet(input))
        #expect(cut.srat == loaded.srat && cut.slit == loaded.slit && cut.madt == loaded.madt && cut.fadt == loaded.fadt)
        #expect(loaded.madt != nil)
        FuzzTarget.acpi.run(input)
    }

    /// The calls target boots its machine once: without an allocator every input would be a no-op.
    @Test func callsTargetHasAnAllocator() throws {
        let allocator = try #require(FuzzCalls.booted)
        #expect(allocator.chunks.count >= 1)
        let trace = Self.fixtures.appendingPathComponent("percpu-calls/x86-2node-workload/percpu-calls.txt")
        FuzzTarget.calls.run(Array(try Self.bytes(trace).prefix(20_000)))
    }

    /// The real inputs that seed each target go through it (a sample of each kind).
    @Test func realInputsRunThroughEveryTarget() throws {
        let log = Self.fixtures.appendingPathComponent("kernel-boots/x86-2node-embed/console.log")
        FuzzTarget.log.run(Array(try Self.bytes(log).prefix(200_000)))
        for url in Self.files("kernel-build") where !url.lastPathComponent.hasSuffix(".sh") {
            FuzzTarget.build.run(try Self.bytes(url))
        }
        FuzzTarget.fdt.run(try Self.bytes(Self.fixtures.appendingPathComponent("kernel-boots/arm64-2node-dt/board.dtb")))
        FuzzTarget.yaml.run(try Self.bytes(Fixtures.repositoryRoot.appendingPathComponent("Platforms/arm64-4node.yaml")))
    }
}
