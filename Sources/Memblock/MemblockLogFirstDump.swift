import KernelSupport

extension MemblockLogReplay {
    /// The first `MEMBLOCK configuration:` dump of a `memblock=debug` log, as a `Memblock`:
    /// on x86 the one `e820__memblock_setup` prints (the e820 RAM, trimmed, and the
    /// earliest reservations), on arm64 the only one (`bootmem_init`, after NUMA init).
    /// nil when the log has no dump.
    public static func firstDump(_ text: String, fileName: String,
                                 profile: MemblockProfile) throws(MemblockLogError) -> Memblock? {
        let lines = MemblockLogText.lines(text)
        guard let header = lines.firstIndex(where: { MemblockLogText.message($0) == "MEMBLOCK configuration:" }) else {
            return nil
        }
        return try MemblockDumpReader.read(lines, header: header, file: fileName, profile: profile, capacities: [:]).0
    }
}
