import KernelSupport
import Memblock

extension Boot.MemblockLog {
    /// Memblock before NUMA init for a machine described by its ACPI tables alone, which
    /// say nothing of RAM outside the SRAT (UEFI's memory map, e820): the RAM and the
    /// reservations of the log's first `MEMBLOCK configuration:` dump. On x86 that dump
    /// comes straight after `e820__memblock_setup`; on arm64 it is the one after NUMA init,
    /// whose regions are still the EFI memory map (its later allocations only make the
    /// emulated NUMA init's own allocations land elsewhere — `--memblock-from` replaces
    /// memblock after NUMA init anyway). nil when the log has no dump.
    public func earlyMemblock(arch: Architecture, kernel: KernelVersion,
                              config: KernelConfig) throws(BootError) -> MemblockSetup? {
        let profile = ArchProfile(arch: arch, kernel: kernel, config: config, cmdline: KernelCommandLine(""))
        let dump: Memblock?
        do { dump = try MemblockLogReplay.firstDump(text, fileName: fileName, profile: profile.memblockProfile) } catch {
            throw .memblockLog(error.description)
        }
        guard let dump else { return nil }
        let name = "\(fileName): first MEMBLOCK configuration dump"
        return MemblockSetup(reserved: dump.reserved.map { PhysRange(base: $0.base, size: $0.size, name: name) },
                             memory: dump.memory.map { PhysRange(base: $0.base, size: $0.size, name: name) })
    }
}
