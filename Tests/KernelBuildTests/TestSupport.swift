import Foundation

/// Tests/Fixtures, found from this file's location.
enum KernelBuildFixtures {
    static let fixtures: URL = {
        var url = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        while url.lastPathComponent != "Tests" && url.path != "/" { url = url.deletingLastPathComponent() }
        return url.appendingPathComponent("Fixtures")
    }()

    static func path(_ relative: String) -> String { fixtures.appendingPathComponent(relative).path }

    static func bytes(_ relative: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: fixtures.appendingPathComponent(relative))) }
}

/// A minimal ELF64 image written field by field (ELF-64 Object File Format 1.5), in
/// either byte order: a `.data..percpu` section at `address` of `size` bytes, and, unless
/// `stripped`, a symbol table with `__per_cpu_start` and `__per_cpu_end` around it.
struct TinyELF {
    var bigEndian = false
    var machine: UInt16 = 21          // EM_PPC64: a big-endian 64-bit kernel architecture
    var type: UInt16 = 2
    var elfClass: UInt8 = 2
    var address: UInt64 = 0xc000_0000_0200_0000
    var size: UInt64 = 0x40
    var stripped = false

    func int(_ value: UInt64, _ count: Int) -> [UInt8] {
        let little = (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
        return bigEndian ? little.reversed() : little
    }

    func bytes() -> [UInt8] {
        var shstr: [UInt8] = [0]
        func name(_ n: String, in table: inout [UInt8]) -> UInt64 {
            let offset = UInt64(table.count)
            table += Array(n.utf8) + [0]
            return offset
        }
        var strtab: [UInt8] = [0]
        let startName = name("__per_cpu_start", in: &strtab)
        let endName = name("__per_cpu_end", in: &strtab)
        let percpuName = name(".data..percpu", in: &shstr)
        let symtabName = name(".symtab", in: &shstr)
        let strtabName = name(".strtab", in: &shstr)
        let shstrName = name(".shstrtab", in: &shstr)
        func symbol(_ nameOffset: UInt64, _ value: UInt64) -> [UInt8] {
            int(nameOffset, 4) + [0x10, 0] + int(1, 2) + int(value, 8) + int(0, 8)
        }
        let symtab = [UInt8](repeating: 0, count: 24) + symbol(startName, address) + symbol(endName, address + size)
        let data = [UInt8](repeating: 0xa5, count: Int(size))
        // Layout: header (64), data, symtab, strtab, shstrtab, section headers.
        var body: [UInt8] = []
        let dataOffset = UInt64(64)
        body += data
        let symOffset = dataOffset + UInt64(body.count)
        if !stripped { body += symtab }
        let strOffset = dataOffset + UInt64(body.count)
        if !stripped { body += strtab }
        let shstrOffset = dataOffset + UInt64(body.count)
        body += shstr
        let shoff = dataOffset + UInt64(body.count)
        func header(_ name: UInt64, _ type: UInt64, _ addr: UInt64, _ offset: UInt64, _ size: UInt64,
                    _ link: UInt64, _ entsize: UInt64) -> [UInt8] {
            int(name, 4) + int(type, 4) + int(0, 8) + int(addr, 8) + int(offset, 8) + int(size, 8)
                + int(link, 4) + int(0, 4) + int(1, 8) + int(entsize, 8)
        }
        var sections = [UInt8](repeating: 0, count: 64)
        sections += header(percpuName, 1, address, dataOffset, size, 0, 0)
        if !stripped {
            sections += header(symtabName, 2, 0, symOffset, UInt64(symtab.count), 3, 24)
            sections += header(strtabName, 3, 0, strOffset, UInt64(strtab.count), 0, 0)
        }
        sections += header(shstrName, 3, 0, shstrOffset, UInt64(shstr.count), 0, 0)
        let count = UInt64(sections.count / 64)
        var file: [UInt8] = [0x7f, 0x45, 0x4c, 0x46, elfClass, bigEndian ? 2 : 1, 1, 0] + [UInt8](repeating: 0, count: 8)
        file += int(UInt64(type), 2) + int(UInt64(machine), 2) + int(1, 4) + int(0, 8) + int(0, 8) + int(shoff, 8)
        file += int(0, 4) + int(64, 2) + int(56, 2) + int(0, 2) + int(64, 2) + int(count, 2) + int(count - 1, 2)
        return file + body + sections
    }
}
