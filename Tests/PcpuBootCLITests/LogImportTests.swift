import Foundation
import Testing
@testable import PcpuBootCLI
@testable import PercpuBoot
import PcpuBootTestSupport

/// `pcpu-boot import LOG` and `pcpu-boot check LOG` with nothing else, on the real x86
/// boots: every expected value is read from the log itself (its SRAT lines, its
/// `percpu:`/`pcpu-alloc:`/`setup_percpu:` lines).
@Suite struct LogImportTests {
    static let logs = [
        "kernel-boots/x86-2node-embed/console.log",        // Debian 6.1, SRAT CPU lines printed
        "kernel-boots/x86-1cpu/console.log",               // Debian 6.1, no SRAT: "No NUMA configuration found"
        "firmware-boots/x86-2node-embed/console.log",      // Debian 6.1, the firmware-dump boot
        "kernel-boots-6.12/x86-2node-embed/console.log",   // Debian 6.12: SRAT CPU lines are pr_debug
        "kernel-boots-7.2/x86-2node-embed/console.log",    // Debian 7.2: 7.x memblock (__memblock_reserve, or_panic)
    ]

    static func path(_ relative: String) -> String {
        Fixtures.testsDirectory.appendingPathComponent("Fixtures/\(relative)").path
    }

    static func realPercpuLines(_ relative: String) throws -> [String] {
        let text = try String(contentsOfFile: path(relative), encoding: .utf8)
        return RealBootLog(text: text).percpuLines
    }

    /// Import, then boot the imported file: the same per-CPU lines as the log.
    @Test(arguments: logs)
    func importThenBootPrintsTheLogsLines(_ relative: String) throws {
        let imported = PcpuBootCLI.run(["import", Self.path(relative)])
        #expect(imported.status == 0, "\(imported.stderr)")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("import-\(UUID().uuidString).yaml")
        try imported.stdout.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let booted = PcpuBootCLI.run([file.path, "--format", "dmesg"])
        #expect(booted.status == 0, "\(booted.stderr)")
        let lines = RealBootLog.percpuLines(booted.stdout.split(separator: "\n").map(String.init))
        #expect(lines == (try Self.realPercpuLines(relative)))
        #expect(!lines.isEmpty)
    }

    /// `check LOG` alone: per-CPU lines and the memblock trace identical.
    @Test(arguments: logs)
    func checkWithTheLogAlone(_ relative: String) {
        let output = PcpuBootCLI.run(["check", Self.path(relative)])
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
        #expect(output.stdout.contains("per-CPU lines: 4 real, 4 emulated, identical"))
        #expect(output.stdout.contains("memblock trace of the per-CPU setup:"))
    }

    /// A device-tree boot's log does not describe the machine: say what is missing.
    @Test func deviceTreeLogNeedsTheDTB() {
        let log = Self.path("kernel-boots/arm64-4node-embed/console.log")
        let output = PcpuBootCLI.run(["check", log, "--kernel", "6.1"])
        #expect(output.status == 2)
        #expect(output.stderr.contains("--dtb"))
        let imported = PcpuBootCLI.run(["import", log])
        #expect(imported.status == 2)
    }

    /// A log that lost its `Linux version` line needs --kernel, and says which it used.
    @Test func lostVersionLineNeedsTheKernel() throws {
        // Drop the line, byte-wise (the serial capture's "\r\n" is one Swift Character).
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.path("kernel-boots/x86-1cpu/console.log")))
        let truncated = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .filter { !String(decoding: $0, as: UTF8.self).contains("Linux version") }
            .map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\n")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("noversion-\(UUID().uuidString).log")
        try truncated.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let refused = PcpuBootCLI.run(["check", file.path])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("name the kernel that booted with --kernel"))
        let output = PcpuBootCLI.run(["check", file.path, "--kernel", "6.1"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.hasPrefix("kernel 6.1: from --kernel (the log has no 'Linux version' line"))
    }
}
