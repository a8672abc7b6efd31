import Foundation
import Testing
@testable import PcpuBootCLI
@testable import PercpuBoot
import PcpuBootTestSupport

/// Acceptance against real kernels: every device-tree boot recorded in
/// Tests/Fixtures/kernel-boots (Debian 6.1 arm64 under QEMU). The expected
/// lines are read from each case's console.log, never written here.
@Suite struct RealKernelBootTests {
    static let cases = Fixtures.deviceTreeCases

    /// The command, as a user types it.
    static func arguments(_ name: String, extraCmdline: String, memblockFrom: Bool) -> [String] {
        let dir = Fixtures.kernelBoots.appendingPathComponent(name).path
        var args = ["--dtb", dir + "/board.dtb", "--arch", "arm64", "--kernel", "6.1", "--static-size", "87272",
                    "--nr-cpus", "256", "--cmdline", extraCmdline, "--format", "dmesg"]
        if memblockFrom { args += ["--memblock-from", dir + "/console.log"] }
        return args
    }

    @Test func everyDeviceTreeCaseIsCovered() {
        // Six arm64 device-tree boots are recorded; a lost fixture must not silently shrink the suite.
        #expect(Self.cases.count >= 6)
    }

    @Test(arguments: cases)
    func percpuLinesMatchByteForByte(_ name: String) throws {
        let real = RealBootLog(text: try Fixtures.text("\(name)/console.log"))
        let output = PcpuBootCLI.run(Self.arguments(name, extraCmdline: try Fixtures.extraCommandLine(name), memblockFrom: false))
        #expect(output.status == 0, "\(output.stderr)")
        let emulated = output.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let expected = real.lines.filter { $0.hasPrefix("percpu:") || $0.hasPrefix("pcpu-alloc:") }
        #expect(!expected.isEmpty)
        #expect(emulated.filter { $0.hasPrefix("percpu:") || $0.hasPrefix("pcpu-alloc:") } == expected)
        // The kernel's trailing space on the unit map line is part of the match.
        #expect(expected.last?.hasSuffix(" ") == true)
    }

    @Test(arguments: cases)
    func memblockTraceMatchesFromTheLogsDump(_ name: String) throws {
        let real = RealBootLog(text: try Fixtures.text("\(name)/console.log"))
        let extra = (try Fixtures.extraCommandLine(name) + " memblock=debug").trimmingCharacters(in: .whitespaces)
        let output = PcpuBootCLI.run(Self.arguments(name, extraCmdline: extra, memblockFrom: true))
        #expect(output.status == 0, "\(output.stderr)")
        let emulated = output.stdout.split(separator: "\n").map(String.init)
        let expectedTrace = real.percpuMemblockTrace
        #expect(expectedTrace.count > 4)
        #expect(RealBootLog.percpuMemblockTrace(emulated) == expectedTrace)
    }

    @Test(arguments: cases)
    func firstChunkMetadataAllocationsMatch(_ name: String) throws {
        // Beyond the percpu: line: pcpu_setup_first_chunk's tables and pcpu_alloc_first_chunk's
        // chunk, maps and blocks, each allocation's size and the range memblock reserved for it.
        let real = RealBootLog(text: try Fixtures.text("\(name)/console.log"))
        let extra = (try Fixtures.extraCommandLine(name) + " memblock=debug").trimmingCharacters(in: .whitespaces)
        let output = PcpuBootCLI.run(Self.arguments(name, extraCmdline: extra, memblockFrom: true))
        let emulated = output.stdout.split(separator: "\n").map(String.init)
        let expected = memblockCallsAfterPercpuLine(real.lines)
        // 4 setup tables + slot lists + 2 chunks × 4 pieces, each with its reserve, then 2 frees.
        #expect(expected.count >= 20)
        #expect(memblockCallsAfterPercpuLine(emulated) == expected)
    }

    @Test func checkCommandFindsNoDifference() throws {
        let dir = Fixtures.kernelBoots.appendingPathComponent("arm64-4node-embed").path
        let output = PcpuBootCLI.run(["check", dir + "/console.log", "--dtb", dir + "/board.dtb", "--kernel", "6.1",
                                      "--nr-cpus", "256"])
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
        #expect(output.stdout.contains("identical"))
    }

    /// `check` must notice a line that differs: the same log with one digit of the
    /// unit size changed reports that line and exits 1.
    @Test func checkCommandReportsADifference() throws {
        let dir = Fixtures.kernelBoots.appendingPathComponent("arm64-4node-embed").path
        let original = try Fixtures.text("arm64-4node-embed/console.log")
        let altered = original.replacingOccurrences(of: "d31512 u126976\r\n", with: "d31512 u126977\r\n")
            .replacingOccurrences(of: "d31512 u126976\n", with: "d31512 u126977\n")
        #expect(altered != original)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("altered-\(UUID().uuidString).log").path
        try altered.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let output = PcpuBootCLI.run(["check", path, "--dtb", dir + "/board.dtb", "--kernel", "6.1", "--nr-cpus", "256"])
        #expect(output.status == 1)
        #expect(output.stdout.contains("real:     \"percpu: Embedded 31 pages/cpu s87272 r8192 d31512 u126977\""))
    }
}
