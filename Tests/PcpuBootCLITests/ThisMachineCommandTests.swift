import Foundation
import Testing
@testable import PcpuBootCLI
@testable import PercpuBoot
import PcpuBootTestSupport

/// `pcpu-boot this-machine --root DIR` on the recorded snapshots of Tests/Fixtures/this-machine
/// (README there): the emulated per-CPU lines must be the ones the real kernel printed, which
/// the tests take from the real logs (the snapshot's own log, or quoted from it below).
@Suite struct ThisMachineCommandTests {
    static let directory = Fixtures.testsDirectory.appendingPathComponent("Fixtures/this-machine")
    static let snapshots = ["firecracker-6.18", "x86-2node-embed", "arm64-acpi-2node"]

    static func root(_ name: String) -> String { directory.appendingPathComponent(name).path }

    static func lines(_ text: String) -> [String] { text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }

    /// The real log of a snapshot: dev/kmsg (a /dev/kmsg recording) or var/log/dmesg.
    static func realLog(_ name: String) throws -> RealBootLog {
        let kmsg = directory.appendingPathComponent("\(name)/dev/kmsg").path
        if FileManager.default.fileExists(atPath: kmsg) {
            // Records "PRI,SEQ,TS,FLAGS;TEXT": the text follows the first ';' (none of these lines has escapes).
            let text = try String(contentsOfFile: kmsg, encoding: .utf8)
            return RealBootLog(text: lines(text).filter { !$0.hasPrefix(" ") }
                .map { line in line.firstIndex(of: ";").map { String(line[line.index(after: $0)...]) } ?? line }
                .joined(separator: "\n"))
        }
        return RealBootLog(text: try String(contentsOfFile: directory.appendingPathComponent("\(name)/var/log/dmesg").path, encoding: .utf8))
    }

    /// A writable copy of a snapshot, for the tests that break one source.
    static func copy(_ name: String) throws -> URL {
        let target = FileManager.default.temporaryDirectory.appendingPathComponent("this-machine-\(UUID().uuidString)")
        try FileManager.default.copyItem(atPath: root(name), toPath: target.path)
        return target
    }

    @Test(arguments: snapshots)
    func perCPULinesAreTheRealKernels(_ name: String) throws {
        let output = PcpuBootCLI.run(["this-machine", "--root", Self.root(name), "--format", "dmesg"])
        #expect(output.status == 0, "\(output.stderr)")
        let real = try Self.realLog(name)
        #expect(real.percpuLines.count >= 3)
        #expect(RealBootLog.percpuLines(Self.lines(output.stdout)) == real.percpuLines)
        // The sources go to stderr with --format dmesg.
        #expect(output.stderr.contains("sources:"))
    }

    @Test(arguments: snapshots)
    func textReportSaysIdenticalLineByLine(_ name: String) throws {
        let output = PcpuBootCLI.run(["this-machine", "--root", Self.root(name)])
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
        let real = try Self.realLog(name)
        #expect(output.stdout.contains("per-CPU lines: \(real.percpuLines.count) real, \(real.percpuLines.count) emulated, identical"))
        #expect(output.stdout.contains("memblock trace of the per-CPU setup: \(real.percpuMemblockTrace.count) real, "
                                       + "\(real.percpuMemblockTrace.count) emulated, identical"))
        for line in real.percpuLines { #expect(output.stdout.contains("  = \(line)\n")) }
    }

    /// This machine (a Firecracker VM, Linux 6.18.44, 2 CPUs, ACPI without SRAT): its dmesg said
    /// these four lines; 6.18 x86_64 without CONFIG_MODULES reserves nothing (r0).
    @Test func firecrackerSnapshotIsTheRealDmesg() throws {
        let output = PcpuBootCLI.run(["this-machine", "--root", Self.root("firecracker-6.18"), "--format", "dmesg"])
        #expect(RealBootLog.percpuLines(Self.lines(output.stdout)) == [
            "setup_percpu: NR_CPUS:256 nr_cpumask_bits:2 nr_cpu_ids:2 nr_node_ids:1",
            "percpu: Embedded 57 pages/cpu s202520 r0 d30952 u1048576",
            "pcpu-alloc: s202520 r0 d30952 u1048576 alloc=1*2097152",
            "pcpu-alloc: [0] 0 1 ",
        ])
        #expect(Self.lines(output.stdout).contains("No NUMA configuration found"))
        // 6.18 has no CONFIG_X86_5LEVEL: PGTABLE_LEVELS=5 says 5-level paging is built in; the log's
        // max_arch_pfn = 0x400000000 = 2^34 pages (MAX_PHYSMEM_BITS 46) says 4-level paging ran.
        #expect(output.stderr.contains("paging=5-level [no CONFIG_X86_5LEVEL, CONFIG_PGTABLE_LEVELS=5 (line "))
        let run = PcpuBootCLI.run(["this-machine", "--root", Self.root("firecracker-6.18")])
        let text = run.stdout
        #expect(text.contains("paging: 4-level, what ran: "))
        #expect(text.contains("no SRAT: no NUMA description, one node (the kernel's 'No NUMA configuration found')"))
        #expect(text.contains("no __per_cpu_start/__per_cpu_end (listed only with CONFIG_KALLSYMS_ALL)"))
        #expect(text.contains("static size: 202520, from "))
        #expect(text.contains("read 345 records (a recording of /dev/kmsg)"))
    }

    /// Every source is named with how it fared.
    @Test func headerNamesEverySource() throws {
        let root = Self.root("x86-2node-embed")
        let output = PcpuBootCLI.run(["this-machine", "--root", root])
        let expected: [(String, String)] = [
            ("proc/sys/kernel/osrelease", "read"), ("proc/cmdline", "read"), ("sys/firmware/acpi/tables", "read"),
            ("sys/firmware/fdt", "missing"), ("sys/firmware/memmap", "read"), ("proc/config.gz", "missing"),
            ("boot/config-6.1.0-56-amd64", "read"), ("proc/kallsyms", "unreadable"), ("boot/System.map-6.1.0-56-amd64", "read"),
            ("dev/kmsg", "missing"), ("var/log/dmesg", "read"),
        ]
        for (path, status) in expected {
            #expect(Self.lines(output.stdout).contains { $0.contains(" \(status) ") && $0.contains("\(root)/\(path):") }, "\(path) \(status)")
        }
        #expect(output.stdout.contains("addresses zeroed (kptr_restrict, or not root)"))
        #expect(output.stdout.contains("static size 217088 = __per_cpu_end 0x35000 - __per_cpu_start 0x0"))
        // config.gz missing is no warning: boot/config-RELEASE stood in.
        #expect(!output.stderr.contains("proc/config.gz"))
        #expect(output.stderr.contains("pcpu-boot: warning: per-CPU symbols") == false)
    }

    @Test func jsonHasSourcesComparisonAndBoot() throws {
        let output = PcpuBootCLI.run(["this-machine", "--root", Self.root("arm64-acpi-2node"), "--format", "json"])
        #expect(output.status == 0, "\(output.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        #expect(object["arch"] as? String == "arm64")
        #expect(object["kernel"] as? String == "6.1")
        let sources = try #require(object["sources"] as? [[String: Any]])
        #expect(sources.contains { $0["name"] as? String == "memory map" && $0["status"] as? String == "missing" })
        let comparison = try #require(object["comparison"] as? [[String: Any]])
        #expect(comparison.count == 2 && comparison.allSatisfy { $0["differing"] as? Int == 0 })
        #expect(object["boot"] is [String: Any])
    }

    // MARK: missing, unreadable and corrupt sources

    @Test func unreadableCommandLineAndTablesFallBackToTheLog() throws {
        let root = try Self.copy("firecracker-6.18")
        defer { try? FileManager.default.removeItem(at: root) }
        for file in ["proc/cmdline", "sys/firmware/acpi/tables/APIC"] {
            try FileManager.default.removeItem(at: root.appendingPathComponent(file))
            try FileManager.default.createDirectory(at: root.appendingPathComponent(file), withIntermediateDirectories: false)
        }
        let output = PcpuBootCLI.run(["this-machine", "--root", root.path])
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
        #expect(output.stderr.contains("pcpu-boot: warning: command line: \(root.path)/proc/cmdline: unreadable (is a directory"))
        #expect(output.stderr.contains("pcpu-boot: warning: ACPI tables: \(root.path)/sys/firmware/acpi/tables: unreadable (APIC: is a directory"))
        #expect(output.stdout.contains("firmware: the machine as \(root.path)/dev/kmsg describes it"))
        #expect(output.stdout.contains("per-CPU lines: 4 real, 4 emulated, identical"))
    }

    /// Without the configuration, the architecture's defaults stand in and are said; Debian-like
    /// x86_64 defaults build modules, so the kernel's r0 (no CONFIG_MODULES) is not reproduced.
    @Test func missingConfigurationIsAWarningAndItsDefaultsShow() throws {
        let root = try Self.copy("firecracker-6.18")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.removeItem(at: root.appendingPathComponent("proc/config.gz"))
        let output = PcpuBootCLI.run(["this-machine", "--root", root.path])
        #expect(output.status == 1)
        #expect(output.stderr.contains("warning: kernel configuration: \(root.path)/boot/config-6.18.44-fc-v1147: missing: the architecture's defaults"))
        #expect(output.stdout.contains("NR_CPUS: 256, from \(root.path)/dev/kmsg:"))
        #expect(output.stdout.contains("  ≠ real:     percpu: Embedded 57 pages/cpu s202520 r0 d30952 u1048576"))
    }

    @Test func noLogMeansNothingToCompare() throws {
        let root = try Self.copy("x86-2node-embed")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.removeItem(at: root.appendingPathComponent("var/log/dmesg"))
        let output = PcpuBootCLI.run(["this-machine", "--root", root.path])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("no boot log: nothing to compare"))
        #expect(output.stderr.contains("warning: boot log: \(root.path)/var/log/dmesg: missing"))
        // The static size came from System.map: the real kernel's s217088 line (Fixtures/firmware-boots log).
        #expect(output.stdout.contains("  percpu: Embedded 62 pages/cpu s217088 r8192 d28672 u524288"))
        // --log gives the log back.
        let log = Self.directory.appendingPathComponent("x86-2node-embed/var/log/dmesg").path
        let withLog = PcpuBootCLI.run(["this-machine", "--root", root.path, "--log", log])
        #expect(withLog.status == 0)
        #expect(withLog.stdout.contains("per-CPU lines: 4 real, 4 emulated, identical"))
    }

    /// Without readable tables and without a log (a user without root, dmesg_restrict), the kernel's own
    /// NUMA view stands in on x86_64. The tree below is the x86-2node-embed machine as its real log
    /// describes it ("SRAT: PXM 0 -> APIC 0x00 -> Node 0" … "PXM 1 -> APIC 0x05 -> Node 1", SLIT 21,
    /// "ACPI: SRAT: Node 1 PXM 1 [mem 0x40000000-0x7fffffff]": 128 MiB blocks 0–7 and 8–15); the
    /// expected per-CPU lines are that log's.
    @Test func kernelsNUMAViewStandsInForUnreadableTables() throws {
        let root = try Self.copy("x86-2node-embed")
        defer { try? FileManager.default.removeItem(at: root) }
        let fm = FileManager.default
        func write(_ relative: String, _ text: String) throws {
            let url = root.appendingPathComponent(relative)
            try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        try fm.removeItem(at: root.appendingPathComponent("sys/firmware/acpi/tables/APIC"))
        try fm.createDirectory(at: root.appendingPathComponent("sys/firmware/acpi/tables/APIC"), withIntermediateDirectories: false)
        try fm.removeItem(at: root.appendingPathComponent("var/log/dmesg"))
        try write("sys/devices/system/cpu/possible", "0-5\n")
        try write("sys/devices/system/cpu/present", "0-5\n")
        try write("sys/devices/system/memory/block_size_bytes", "8000000\n")
        try write("sys/devices/system/node/node0/cpulist", "0-2\n")
        try write("sys/devices/system/node/node0/distance", "10 21\n")
        try write("sys/devices/system/node/node1/cpulist", "3-5\n")
        try write("sys/devices/system/node/node1/distance", "21 10\n")
        for block in 0..<16 { try write("sys/devices/system/node/node\(block < 8 ? 0 : 1)/memory\(block)", "") }
        try write("proc/cpuinfo", (0..<6).map { "processor\t: \($0)\napicid\t\t: \($0)\n\n" }.joined())
        let output = PcpuBootCLI.run(["this-machine", "--root", root.path, "--format", "dmesg"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stderr.contains("NUMA topology"), "\(output.stderr)")
        #expect(output.stderr.contains("read: 2 nodes, 6 present of 6 possible CPUs, APIC ids from /proc/cpuinfo"))
        let real = RealBootLog(text: try String(contentsOfFile: Fixtures.testsDirectory
            .appendingPathComponent("Fixtures/firmware-boots/x86-2node-embed/console.log").path, encoding: .utf8))
        #expect(real.percpuLines.count == 4)
        #expect(RealBootLog.percpuLines(Self.lines(output.stdout)) == real.percpuLines)
        // A CPU list that is none is exit status 2 naming the file.
        try write("sys/devices/system/node/node1/cpulist", "3-x\n")
        let corrupt = PcpuBootCLI.run(["this-machine", "--root", root.path])
        #expect(corrupt.status == 2)
        #expect(corrupt.stderr.contains("\(root.path)/sys/devices/system/node/node1/cpulist: error: '3-x' is not a CPU list"))
    }

    @Test func noLogAndNoSymbolsIsAnError() throws {
        let root = try Self.copy("arm64-acpi-2node")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.removeItem(at: root.appendingPathComponent("var/log/dmesg"))
        let output = PcpuBootCLI.run(["this-machine", "--root", root.path])
        #expect(output.status == 2)
        #expect(output.stderr.contains("no static per-CPU size"))
    }

    /// Real kallsyms (as root, CONFIG_KALLSYMS_ALL) is used before System.map.
    @Test func kallsymsWithAddressesGivesTheStaticSize() throws {
        let root = try Self.copy("x86-2node-embed")
        defer { try? FileManager.default.removeItem(at: root) }
        let map = root.appendingPathComponent("boot/System.map-6.1.0-56-amd64")
        try FileManager.default.removeItem(at: root.appendingPathComponent("proc/kallsyms"))
        try FileManager.default.moveItem(at: map, to: root.appendingPathComponent("proc/kallsyms"))
        let output = PcpuBootCLI.run(["this-machine", "--root", root.path])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("\(root.path)/proc/kallsyms: static size 217088 = __per_cpu_end 0x35000"))
    }

    @Test(arguments: [
        ("sys/firmware/memmap/1/start", Array("0xzz\n".utf8), "sys/firmware/memmap/1/start: error: '0xzz' is not an address"),
        ("sys/firmware/memmap/1/end", Array("0x100\n".utf8), "sys/firmware/memmap/1/end: error: end 0x100 lies below start 0x9fc00"),
        ("proc/config.gz", [0x1f, 0x8b, 0x08, 0x00, 0x67, 0x61, 0x72, 0x62, 0x61, 0x67, 0x65], "proc/config.gz"),
        ("proc/sys/kernel/osrelease", Array("banana\n".utf8), "proc/sys/kernel/osrelease: 'banana'"),
        ("proc/sys/kernel/arch", Array("sparc64\n".utf8), "'sparc64' is not an architecture pcpu-boot emulates"),
        ("proc/kallsyms", Array("ffffffff81000000 T _text\nzz D __per_cpu_start\n0 D __per_cpu_end\n".utf8), "proc/kallsyms:2: error: "),
    ] as [(String, [UInt8], String)])
    func corruptSourceIsExitTwoNamingItsPath(_ file: String, _ content: [UInt8], _ message: String) throws {
        let root = try Self.copy("firecracker-6.18")
        defer { try? FileManager.default.removeItem(at: root) }
        try Data(content).write(to: root.appendingPathComponent(file))
        let output = PcpuBootCLI.run(["this-machine", "--root", root.path])
        #expect(output.status == 2)
        #expect(output.stderr.contains(message), "\(output.stderr)")
        #expect(output.stderr.contains(root.path))
    }

    @Test func corruptACPITableNamesTheTableAndOffset() throws {
        let root = try Self.copy("x86-2node-embed")
        defer { try? FileManager.default.removeItem(at: root) }
        let srat = root.appendingPathComponent("sys/firmware/acpi/tables/SRAT")
        try Data(try Data(contentsOf: srat).prefix(200)).write(to: srat)
        let output = PcpuBootCLI.run(["this-machine", "--root", root.path])
        #expect(output.status == 2)
        #expect(output.stderr.contains("\(srat.path): error: SRAT at offset 0x4: truncated: the length field says 304 bytes, the file holds 200"))
    }

    @Test func missingRootIsAnInputError() {
        let output = PcpuBootCLI.run(["this-machine", "--root", "/nonexistent/snapshot"])
        #expect(output.status == 2)
        #expect(output.stderr == "pcpu-boot: error: --root /nonexistent/snapshot: no such directory\n")
    }

    @Test func unknownFormatIsAnInputError() {
        let output = PcpuBootCLI.run(["this-machine", "--root", Self.root("x86-2node-embed"), "--format", "svg"])
        #expect(output.status == 2)
        #expect(output.stderr.contains("unknown value 'svg' for --format"))
    }

    /// The machine the tests run on: only the status and the report's shape, never agreement
    /// (a developer's machine may restrict the log or the symbols, or run a kernel of its own).
    @Test func runsOnTheRealRoot() throws {
        #if os(Linux)
        let output = PcpuBootCLI.run(["this-machine"])
        #expect([0, 1, 2].contains(output.status))
        if output.status == 2 {
            #expect(output.stderr.hasPrefix("pcpu-boot: error: ") || output.stderr.contains(": error: "))
        } else {
            #expect(output.stdout.hasPrefix("this machine (root /): "))
            #expect(output.stdout.contains("\nsources:\n"))
            #expect(output.stdout.contains("/proc/cmdline: "))
        }
        #endif
    }
}
