import Foundation
import Testing
@testable import PcpuBootCLI
import PercpuBoot
import PcpuBootTestSupport

/// Issue 11, part 4: every exit-2 path names its file (and line) or flag, says
/// `error:` once, cuts long values, gives the right reason for odd files; logs
/// in the shapes people capture them are read; a log of another architecture
/// or kernel version is named.
@Suite struct DiagnosticsContractTests {
    static let embed = Fixtures.kernelBoots.appendingPathComponent("arm64-4node-embed").path

    static func temporary(_ name: String, _ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(UUID().uuidString)-\(name)").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func check(_ log: String) -> CommandOutput {
        PcpuBootCLI.run(["check", log, "--dtb", embed + "/board.dtb", "--kernel", "6.1", "--nr-cpus", "256"])
    }

    @Test func yamlErrorSaysErrorOnce() throws {
        let path = try Self.temporary("typo.yaml", "arch: arm64\nstatic-size: 87272\nconfig:\n  nr-cpuss: 4\nfirmware:\n  device-tree: { cpu-count: 1, memory: [{ reg: [0x40000000, 1G] }] }\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let output = PcpuBootCLI.run([path])
        #expect(output.status == 2)
        #expect(output.stderr.components(separatedBy: "error:").count == 2, "\(output.stderr)")
        #expect(output.stderr.hasPrefix("\(path):4:3: error: at 'config.nr-cpuss'"))
    }

    @Test func aHugeValueIsCut() throws {
        let huge = String(repeating: "x", count: 3_000_000)
        let path = try Self.temporary("huge.yaml", "arch: \(huge)\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let output = PcpuBootCLI.run([path])
        #expect(output.status == 2)
        #expect(output.stderr.count < 1000)
        #expect(output.stderr.contains("3000000 characters"))
        let flag = PcpuBootCLI.run(["arm64-4node", "--static-size", huge])
        #expect(flag.status == 2 && flag.stderr.count < 1000 && flag.stderr.contains("--static-size"))
    }

    @Test func directoriesFIFOsAndDevicesAreNamedForWhatTheyAre() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dir-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let fifo = dir + "/pipe"
        try #require(mkfifo(fifo, 0o600) == 0)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let onFIFO = PcpuBootCLI.run(["--dtb", fifo, "--arch", "arm64", "--static-size", "87272"])
        #expect(onFIFO.status == 2 && onFIFO.stderr.contains("\(fifo): error: is a FIFO (named pipe)"), "\(onFIFO.stderr)")
        let onDevice = PcpuBootCLI.run(["check", "/dev/null", "--dtb", Self.embed + "/board.dtb"])
        #expect(onDevice.status == 2 && onDevice.stderr.contains("/dev/null: error: is a device"), "\(onDevice.stderr)")
        let onDirectory = PcpuBootCLI.run(["arm64-4node", "--memblock-from", dir])
        #expect(onDirectory.status == 2 && onDirectory.stderr.contains("\(dir): error: is a directory"), "\(onDirectory.stderr)")
    }

    /// The same log as a serial capture (CRLF, NULs), through syslog/journalctl, and
    /// with `dmesg -T` stamps: `check` reads each exactly like the original.
    @Test(arguments: ["crlf", "nul", "syslog", "journal-iso", "dmesg-T"])
    func capturedShapesAreRead(_ shape: String) throws {
        let original = try Fixtures.text("arm64-4node-embed/console.log").replacingOccurrences(of: "\r\n", with: "\n")
        let lines = original.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let reshaped: [String] = switch shape {
        case "crlf": lines.map { $0 + "\r" }
        case "nul": lines.enumerated().map { $0.offset % 7 == 0 ? "\0" + $0.element + "\0" : $0.element }
        case "syslog": lines.map { "Dec  2 16:04:05 board kernel: " + $0 }
        case "journal-iso": lines.map { "2026-12-02T16:04:05.123456+00:00 board kernel: " + $0 }
        default: lines.map { $0.replacing(#/^\[\s*\d+\.\d+\] /#, with: "[Wed Dec  2 16:04:05 2026] ") }
        }
        #expect(reshaped != lines)
        let path = try Self.temporary("\(shape).log", reshaped.joined(separator: "\n"))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let output = Self.check(path)
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
        #expect(output.stdout == Self.check(Self.embed + "/console.log").stdout)
    }

    @Test func aLogOfAnotherArchitectureIsNamed() {
        let output = PcpuBootCLI.run(["check", Self.embed + "/console.log", "--platform", "x86_64-2socket"])
        #expect(output.status == 2)
        #expect(output.stderr.contains("the log is of an arm64 boot"), "\(output.stderr)")
        #expect(output.stderr.contains("x86_64-2socket is x86_64"))
        let boot = PcpuBootCLI.run(["x86_64-2socket", "--memblock-from", Self.embed + "/console.log"])
        #expect(boot.status == 2 && boot.stderr.contains("the log is of an arm64 boot"), "\(boot.stderr)")
    }

    /// A log that lost its `Linux version` line is not replayed with a guessed kernel: check asks for one.
    @Test func aLogWithoutLinuxVersionNeedsTheKernel() {
        let output = PcpuBootCLI.run(["check", Self.embed + "/console.log", "--dtb", Self.embed + "/board.dtb", "--nr-cpus", "256"])
        #expect(output.status == 2)
        #expect(output.stderr.contains("no 'Linux version' line"), "\(output.stderr)")
        #expect(output.stderr.contains("name the kernel that booted with --kernel"), "\(output.stderr)")
    }

    @Test func aVersionTheLogContradictsIsNamed() throws {
        let log = try Fixtures.text("x86-2node-embed/console.log")
        let line = try #require(log.split(separator: "\n").first { $0.contains("Linux version ") })
        #expect(line.contains("Linux version 6.1"))
        let x86 = Fixtures.kernelBoots.appendingPathComponent("x86-2node-embed/console.log").path
        // check: the log's version decides, and the contradicting flag is named.
        let output = PcpuBootCLI.run(["check", x86, "--platform", "x86_64-2socket", "--kernel", "6.8"])
        #expect(output.stdout.hasPrefix("kernel 6.1: from the log's 'Linux version 6.1.0-56-amd64' (--kernel 6.8 contradicts the log and is not used)"),
                "\(output.stdout)")
        // boot --memblock-from: the flag decides, and the log's other version is named.
        let boot = PcpuBootCLI.run(["x86_64-2socket", "--kernel", "6.8", "--memblock-from", x86, "--format", "dmesg"])
        #expect(boot.stderr.contains("the log was made by a 6.1 kernel, but kernel 6.8 is emulated"), "\(boot.stderr)")
    }

    @Test func aStaticSizeOfZeroInTheLogNamesTheLogLine() throws {
        let original = try Fixtures.text("arm64-4node-embed/console.log")
        let altered = original.replacingOccurrences(of: "pages/cpu s87272 ", with: "pages/cpu s0 ")
        let path = try Self.temporary("s0.log", altered)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let output = Self.check(path)
        #expect(output.status == 2)
        #expect(output.stderr.contains("\(path):"), "\(output.stderr)")
        #expect(output.stderr.contains("says s0"))
        #expect(!output.stderr.contains("--static-size"))
    }

    @Test func deviceTreeOnX86IsNotEmulatedRatherThanNoRAM() {
        let output = PcpuBootCLI.run(["--dtb", Self.embed + "/board.dtb", "--arch", "x86_64", "--static-size", "87272"])
        #expect(output.status == 2)
        #expect(output.stderr.contains("x86_64 with device-tree firmware (of_numa_init, x86_flattree_get_config) is not emulated"))
    }

    /// A million differing lines: the first 100 shown, the rest counted.
    @Test func aMillionDifferencesAreSummarised() {
        let real = (0..<1_000_000).map { "memblock_alloc_try_nid: \($0)" }
        let emulated = (0..<1_000_000).map { "memblock_alloc_try_nid: \($0 + 1)" }
        let diff = LineDiff.compare(expected: real, actual: emulated)
        #expect(diff.count == 1_000_000)
        #expect(diff.shownCount == LineDiff.shownLimit)
        #expect(diff.shown.count == 3 * LineDiff.shownLimit)
    }
}
