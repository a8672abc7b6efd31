/// An ELF64 file (little or big endian) read as far as finding the per-CPU section
/// needs: the file header, the section headers and their names, and the symbol table.
/// Every offset and size read from the file is checked against the file's length
/// before use; what is not a linked 64-bit kernel is refused with the reason.
public struct ELF64: Sendable {
    public enum Machine: Equatable, Sendable {
        case x86_64, aarch64, riscv, other(UInt16)
    }

    public struct Section: Equatable, Sendable {
        public var name: String
        public var type: UInt32
        public var address: UInt64
        public var offset: UInt64
        public var size: UInt64
        public var link: UInt32
        public var entrySize: UInt64
    }

    public var bigEndian: Bool
    public var machine: Machine
    public var sections: [Section]
    let bytes: [UInt8]
    let fileName: String

    static let symtab: UInt32 = 2
    static let nobits: UInt32 = 8

    func fail(_ offset: Int?, _ message: String) -> KernelBuildError {
        KernelBuildError(fileName: fileName, offset: offset, message)
    }

    /// An unsigned field of `count` bytes at `offset`, in the file's byte order.
    func field(_ offset: UInt64, _ count: Int, _ what: String) throws(KernelBuildError) -> UInt64 {
        guard offset <= UInt64(bytes.count), UInt64(count) <= UInt64(bytes.count) - offset else {
            throw fail(offset <= UInt64(Int.max) ? Int(offset) : nil,
                       "\(what) lies beyond the end of the file (\(bytes.count) bytes): truncated")
        }
        let o = Int(offset)
        var value: UInt64 = 0
        for i in 0..<count {
            let byte = UInt64(bytes[bigEndian ? o + i : o + count - 1 - i])
            value = value << 8 | byte
        }
        return value
    }

    public init(_ bytes: [UInt8], fileName: String) throws(KernelBuildError) {
        self.bytes = bytes
        self.fileName = fileName
        bigEndian = false
        machine = .other(0)
        sections = []
        guard bytes.count >= 4, bytes[0] == 0x7f, bytes[1] == 0x45, bytes[2] == 0x4c, bytes[3] == 0x46 else {
            if Gzip.isGzip(bytes) { throw fail(0, "gzip data, not ELF: give the uncompressed vmlinux, not vmlinuz") }
            if bytes.count >= 2, bytes[0] == 0x4d, bytes[1] == 0x5a {
                throw fail(0, "a PE/EFI image (MZ), not ELF: give vmlinux (e.g. from the -dbg package), not vmlinuz")
            }
            throw fail(0, "not an ELF file (no \\x7fELF magic): give the kernel's vmlinux")
        }
        guard bytes.count >= 64 else { throw fail(nil, "\(bytes.count) bytes, shorter than an ELF64 header: truncated") }
        guard bytes[4] == 2 else { throw fail(4, "ELF class \(bytes[4]) (expected 2, ELF64): not a 64-bit kernel") }
        guard bytes[5] == 1 || bytes[5] == 2 else { throw fail(5, "ELF data encoding \(bytes[5]) (expected 1 or 2)") }
        bigEndian = bytes[5] == 2
        let type = try field(16, 2, "e_type")
        guard type == 2 || type == 3 else {
            throw fail(16, "ELF type \(type) (expected 2 ET_EXEC or 3 ET_DYN): \(type == 1 ? "a relocatable object" : "not a linked program"), not vmlinux")
        }
        machine = switch try field(18, 2, "e_machine") {
        case 62: .x86_64
        case 183: .aarch64
        case 243: .riscv
        case let m: .other(UInt16(m))
        }
        let shoff = try field(40, 8, "e_shoff")
        let shentsize = try field(58, 2, "e_shentsize")
        var shnum = try field(60, 2, "e_shnum")
        var shstrndx = try field(62, 2, "e_shstrndx")
        guard shoff != 0 else { throw fail(40, "no section header table (e_shoff 0)") }
        guard shoff <= UInt64(bytes.count) else {
            throw fail(40, "the section header table (e_shoff 0x\(String(shoff, radix: 16))) lies beyond the end of the file: truncated")
        }
        guard shentsize == 64 else { throw fail(58, "section header size \(shentsize) (expected 64)") }
        if shnum == 0 { shnum = try field(shoff + 32, 8, "section 0's sh_size (extended section count)") }
        if shstrndx == 0xffff { shstrndx = try field(shoff + 40, 4, "section 0's sh_link (extended string index)") }
        guard shnum <= (UInt64(bytes.count) - shoff) / 64 else {
            throw fail(60, "\(shnum) section headers cannot fit in a file of \(bytes.count) bytes")
        }
        var raw: [(nameOffset: UInt64, section: Section)] = []
        for i in 0..<shnum {
            let h = shoff + i * 64      // shoff + shnum·64 ≤ bytes.count: no overflow
            let section = Section(
                name: "", type: UInt32(try field(h + 4, 4, "sh_type of section \(i)")),
                address: try field(h + 16, 8, "sh_addr of section \(i)"), offset: try field(h + 24, 8, "sh_offset of section \(i)"),
                size: try field(h + 32, 8, "sh_size of section \(i)"), link: UInt32(try field(h + 40, 4, "sh_link of section \(i)")),
                entrySize: try field(h + 56, 8, "sh_entsize of section \(i)"))
            if section.type != Self.nobits && section.type != 0 {
                guard section.offset <= UInt64(bytes.count), section.size <= UInt64(bytes.count) - section.offset else {
                    throw fail(Int(h + 24), "section \(i)'s data (offset 0x\(String(section.offset, radix: 16)), "
                               + "\(section.size) bytes) runs past the end of the file: truncated")
                }
            }
            raw.append((try field(h, 4, "sh_name of section \(i)"), section))
        }
        guard shstrndx < UInt64(raw.count) else { throw fail(62, "section name table index \(shstrndx) of \(raw.count) sections") }
        let names = raw[Int(shstrndx)].section
        sections = try raw.map { (entry) throws(KernelBuildError) -> Section in
            var section = entry.section
            section.name = try string(in: names, at: entry.nameOffset, what: "a section name")
            return section
        }
    }

    /// The NUL-terminated string at `offset` of a string table section.
    func string(in table: Section, at offset: UInt64, what: String) throws(KernelBuildError) -> String {
        guard table.type != Self.nobits, table.type != 0, offset < table.size else {
            throw fail(nil, "\(what) at offset \(offset) lies outside its string table '\(table.name)'")
        }
        let start = Int(table.offset + offset)           // checked in init: offset + size ≤ count
        let end = Int(table.offset + table.size)
        guard let nul = bytes[start..<end].firstIndex(of: 0) else {
            throw fail(start, "\(what) is not NUL-terminated within its string table")
        }
        return String(decoding: bytes[start..<nul], as: UTF8.self)
    }

    /// The values of the named symbols found in `.symtab` (first definition each).
    public func symbols(_ wanted: Set<String>) throws(KernelBuildError) -> [String: UInt64] {
        guard let symtab = sections.first(where: { $0.type == Self.symtab }) else { return [:] }
        guard symtab.entrySize == 24 else { throw fail(nil, "symbol table entry size \(symtab.entrySize) (expected 24)") }
        guard Int(symtab.link) < sections.count else {
            throw fail(nil, "the symbol table's string table index \(symtab.link) of \(sections.count) sections")
        }
        let strings = sections[Int(symtab.link)]
        var found: [String: UInt64] = [:]
        for i in 0..<(symtab.size / 24) {
            let s = symtab.offset + i * 24
            let name = try string(in: strings, at: try field(s, 4, "st_name"), what: "symbol \(i)'s name")
            if wanted.contains(name), found[name] == nil { found[name] = try field(s + 8, 8, "st_value") }
        }
        return found
    }

    /// `__per_cpu_start`/`__per_cpu_end` from the symbol table; in a stripped image, the
    /// `.data..percpu` section, which holds exactly that range (`PERCPU_INPUT` in
    /// include/asm-generic/vmlinux.lds.h starts it with `__per_cpu_start = .` and ends it
    /// with `__per_cpu_end = .`).
    public func perCPUSection() throws(KernelBuildError) -> PerCPUSection {
        let symbols = try symbols(["__per_cpu_start", "__per_cpu_end"])
        if let start = symbols["__per_cpu_start"], let end = symbols["__per_cpu_end"] {
            return try PerCPUSection(start: start, end: end, source: "vmlinux symbols", fileName: fileName)
        }
        if let section = sections.first(where: { $0.name == ".data..percpu" }) {
            let (end, overflow) = section.address.addingReportingOverflow(section.size)
            guard !overflow else { throw fail(nil, ".data..percpu's address + size overflows 64 bits") }
            return try PerCPUSection(start: section.address, end: end, source: "vmlinux .data..percpu section",
                                     fileName: fileName)
        }
        throw fail(nil, "neither __per_cpu_start/__per_cpu_end symbols nor a .data..percpu section: not a Linux kernel (vmlinux)")
    }
}
