import KernelSupport

extension PercpuContext {
    /// `pcpu_dump_alloc_info(lvl, ai)` (mm/percpu.c, v6.8): the `pcpu-alloc:`
    /// lines, exactly as printed (bare printk, no prefix; lines end in a space).
    mutating func pcpuDumpAllocInfo(_ level: LogLevel, _ ai: PcpuAllocInfo) {
        for line in pcpuAllocInfoLines(ai, numPossibleCPUs: numPossibleCPUs) { log.print(level, "", line) }
    }
}

/// The text of `pcpu_dump_alloc_info`: a header, then allocations `[group] cpu cpu …`
/// with `apl` allocations per line, where `apl` is the largest power of two
/// ≤ max(60 / width, 1) and width = upa × (cpu_width + 1) + group_width + 3.
/// Empty units print as the first cpu_width dashes (at most 8).
func pcpuAllocInfoLines(_ ai: PcpuAllocInfo, numPossibleCPUs: Int) -> [String] {
    let groupWidth = String(ai.groups.count).count
    let cpuWidth = String(numPossibleCPUs).count
    let emptyString = String(repeating: "-", count: min(cpuWidth, 8))
    let upa = max(ai.unitsPerAlloc, 1)
    let width = upa * (cpuWidth + 1) + groupWidth + 3
    let apl = Int(roundDownPowerOfTwo(UInt64(max(60 / width, 1))))
    let atoms = ai.atomSize == 0 ? 0 : ai.allocSize / ai.atomSize
    var lines: [String] = []
    var current = "pcpu-alloc: s\(ai.staticSize) r\(ai.reservedSize) d\(ai.dynSize) u\(ai.unitSize) alloc=\(atoms)*\(ai.atomSize)"
    var allocIndex = 0
    for (g, group) in ai.groups.enumerated() {
        var unit = 0
        while unit < group.nrUnits {
            if allocIndex % apl == 0 {
                lines.append(current)
                current = "pcpu-alloc: "
            }
            allocIndex += 1
            current += "[" + Printk.zeroPadded(g, width: groupWidth) + "] "
            for _ in 0..<upa where unit < group.nrUnits {
                let cpu = group.cpuMap[unit]
                current += (cpu == ai.emptyUnit ? emptyString : Printk.zeroPadded(cpu, width: cpuWidth)) + " "
                unit += 1
            }
        }
    }
    lines.append(current)
    return lines
}
