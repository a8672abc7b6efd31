import Foundation
import Testing
@testable import PercpuBoot
import PcpuBootTestSupport

/// `RunningMachine.read(root:)` and its pieces (the memmap, /dev/kmsg records, the symbols)
/// on the snapshots of Tests/Fixtures/this-machine and on hand-made trees.
@Suite struct RunningMachineTests {
    static let directory = Fixtures.testsDirectory.appendingPathComponent("Fixtures/this-machine")

    static func status(_ machine: RunningMachine, _ relative: String) -> RunningMachine.Status? {
        machine.sources.last { $0.path == machine.path(relative) }?.status
    }

    @Test func firecrackerSnapshot() throws {
        let machine = try RunningMachine.read(root: Self.directory.appendingPathComponent("firecracker-6.18").path)
        #expect(machine.osrelease == "6.18.44-fc-v1147")
        #expect(machine.archName == "x86_64")
        #expect(machine.acpi?.hasSRAT == false)
        #expect(machine.acpi?.madt?.count == 2)
        #expect(machine.deviceTree == nil)
        #expect(machine.perCPUSection == nil)
        #expect(Self.status(machine, "proc/kallsyms") == .missing)
        #expect(machine.config?.values["NR_CPUS"] != nil)
        // The memmap as /sys/firmware/memmap held it (the same as the log's BIOS-e820 lines).
        #expect(machine.memmap == [
            FirmwareMemmapEntry(start: 0, end: 0x9fbff, type: "System RAM"),
            FirmwareMemmapEntry(start: 0x9fc00, end: 0xfffff, type: "Reserved"),
            FirmwareMemmapEntry(start: 0x100000, end: 0xbfffffff, type: "System RAM"),
            FirmwareMemmapEntry(start: 0xeec00000, end: 0xfebfffff, type: "Reserved"),
            FirmwareMemmapEntry(start: 0x100000000, end: 0x63fffffff, type: "System RAM"),
        ])
        let log = RealBootLog(text: try #require(machine.log))
        #expect(log.lines.first?.hasPrefix("Linux version 6.18.44-fc-v1147 ") == true)
        #expect(log.percpuLines.count == 4)
    }

    /// e820 RAM as memblock gets it: the firmware's System RAM less page 0 and 0xa0000–0xfffff.
    /// After memblock_trim_memory(PAGE_SIZE) the real log's "Early memory node ranges" are
    /// 0x1000-0x9efff, 0x100000-0xbfffffff, 0x100000000-0x63fffffff: 0x9fc00 rounds down to 0x9f000.
    @Test func x86MemblockRAMFromTheMemmap() throws {
        let machine = try RunningMachine.read(root: Self.directory.appendingPathComponent("firecracker-6.18").path)
        let ram = FirmwareMemmapEntry.x86MemblockRAM(machine.memmap)
        #expect(ram.map(\.base) == [0x1000, 0x100000, 0x1_0000_0000])
        #expect(ram.map { $0.base + $0.size } == [0x9fc00, 0xc000_0000, 0x6_4000_0000])
        let trimmed = ram.map { (($0.base + 0xfff) & ~0xfff, ($0.base + $0.size) & ~0xfff) }
        #expect(trimmed.map { $0.1 - 1 } == [0x9efff, 0xbfff_ffff, 0x6_3fff_ffff])
    }

    @Test func kernelMessageRecords() {
        let bytes = Array("6,12,112103,-;percpu: a\\x5cb\\x0ac\n SUBSYSTEM=cpu\n 4,13,5000000,c,caller=T1;x\n4,13,5000000,c,caller=T1;next\n".utf8)
        let records = KernelMessages.records(bytes)
        #expect(records == [KernelMessage(sequence: 12, microseconds: 112103, text: "percpu: a\\b\nc"),
                            KernelMessage(sequence: 13, microseconds: 5_000_000, text: "next")])
        // dmesg's "[%5lu.%06lu] ".
        #expect(KernelMessages.dmesgText(records) == "[    0.112103] percpu: a\\b\n[    0.112103] c\n[    5.000000] next\n")
        // Not records: read as plain text.
        #expect(KernelMessages.records(Array("[    0.000000] Linux version 6.1\n".utf8)).isEmpty)
        #expect(KernelMessages.lostStart(records).contains("the first 12 were overwritten"))
    }

    /// A hand-made tree: zeroed kallsyms, then System.map; a device tree; nothing else.
    @Test func symbolsFallBackFromZeroedKallsymsToSystemMap() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("running-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        func write(_ relative: String, _ text: String) throws {
            let url = root.appendingPathComponent(relative)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        try write("proc/sys/kernel/osrelease", "6.1.0-56-arm64\n")
        try write("proc/kallsyms", "0000000000000000 T _text\n0000000000000000 D __per_cpu_start\n0000000000000000 D __per_cpu_end\n")
        try write("boot/System.map-6.1.0-56-arm64", try String(contentsOf: Fixtures.testsDirectory
            .appendingPathComponent("Fixtures/kernel-build/System.map-6.1.0-56-arm64.percpu"), encoding: .utf8))
        let machine = try RunningMachine.read(root: root.path)
        #expect(Self.status(machine, "proc/kallsyms") == .unreadable)
        #expect(Self.status(machine, "boot/System.map-6.1.0-56-arm64") == .read)
        // System.map: __per_cpu_end 0xffff8000098194e8 - __per_cpu_start 0xffff800009804000 = 0x154e8 = 87272.
        #expect(machine.perCPUSection?.staticSize == 87272)
        #expect(Self.status(machine, "sys/firmware/acpi/tables") == .missing)
        #expect(Self.status(machine, "sys/firmware/memmap") == .missing)
        #expect(Self.status(machine, "proc/config.gz") == .missing)
        #expect(Self.status(machine, "var/log/dmesg") == .missing)
        #expect(machine.log == nil && machine.cmdline == nil && machine.config == nil)
    }

    /// cpulists as the kernel prints them (`%*pbl`), and what is none.
    @Test func cpuLists() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cpulist-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func list(_ text: String) throws(InputError) -> [Int] {
            let file = dir.appendingPathComponent("cpulist").path
            FileManager.default.createFile(atPath: file, contents: Data(text.utf8))
            return try SystemTopology.cpuList(file)
        }
        #expect(try list("0-3,8,10-11\n") == [0, 1, 2, 3, 8, 10, 11])
        #expect(try list("\n") == [])
        for bad in ["3-1", "-1", "0-70000", "a", "1-2-3"] {
            #expect(throws: InputError.self) { try list(bad) }
        }
    }

    @Test func pathsUnderTheRoot() {
        #expect(RunningMachine(root: "/").path("proc/cmdline") == "/proc/cmdline")
        #expect(RunningMachine(root: "snap/").path("proc/cmdline") == "snap/proc/cmdline")
        #expect(RunningMachine(root: "/tmp/x//").path("dev/kmsg") == "/tmp/x/dev/kmsg")
    }
}
