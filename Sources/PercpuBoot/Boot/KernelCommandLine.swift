/// The kernel command-line options the emulated boot understands.
///
/// Parsing follows `init/main.c`'s `parse_args` closely enough for early
/// params: words separated by spaces (double quotes group), `key=value` or a
/// bare `key`. Unknown options are kept and ignored, as the kernel does.
public struct KernelCommandLine: Equatable, Sendable, Codable {
    /// `percpu_alloc=`: the raw value; nil when absent; "" for a bare `percpu_alloc`.
    public var percpuAlloc: String?
    /// `numa=off` (arch_numa.c `numa_parse_early_param`: value starting with "off").
    public var numaOff: Bool = false
    /// `numa=fake=…` (x86 `numa_setup` → `numa_emu_cmdline`): what follows `fake=`; the last one wins.
    public var numaFake: String?
    /// `memblock=debug` (memblock.c `early_memblock`: value containing "debug").
    public var memblockDebug: Bool = false
    /// `nr_cpus=N`: caps nr_cpu_ids.
    public var nrCPUs: Int?
    /// `possible_cpus=N` (x86): the number of possible CPUs.
    public var possibleCPUs: Int?
    /// `acpi=off`.
    public var acpiOff: Bool = false
    /// riscv64/x86_64 `no4lvl` / `no5lvl`.
    public var no4lvl: Bool = false
    public var no5lvl: Bool = false
    /// `movable_node`.
    public var movableNode: Bool = false
    /// Early params given without a value that require one (`init/main.c`: "Malformed early option").
    public var malformed: [String] = []
    /// Every word, in order.
    public var words: [String] = []

    public init(_ text: String = "") {
        words = KernelCommandLine.split(text)
        for word in words {
            let (key, value) = KernelCommandLine.keyValue(word)
            switch key {
            case "percpu_alloc":
                percpuAlloc = value ?? ""
                if value == nil { malformed.append(key) }
            case "numa":
                if let value, value.hasPrefix("off") { numaOff = true }
                if let value, value.hasPrefix("fake=") { numaFake = String(value.dropFirst(5)) }
                if value == nil { malformed.append(key) }
            case "memblock":
                if let value, value.contains("debug") { memblockDebug = true }
            case "nr_cpus":
                if let value, let n = Int(value), n > 0 { nrCPUs = n }
            case "possible_cpus":
                if let value, let n = Int(value), n >= 0 { possibleCPUs = n }
            case "acpi":
                if value == "off" { acpiOff = true }
            case "no4lvl": no4lvl = true
            case "no5lvl": no5lvl = true
            case "movable_node": movableNode = true
            default: break
            }
        }
    }

    static func split(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        var inQuotes = false
        for ch in text {
            if ch == "\"" { inQuotes.toggle(); continue }
            if ch.isWhitespace && !inQuotes {
                if !current.isEmpty { words.append(current); current = "" }
            } else {
                current.append(ch)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    static func keyValue(_ word: String) -> (String, String?) {
        guard let eq = word.firstIndex(of: "=") else { return (word, nil) }
        return (String(word[..<eq]), String(word[word.index(after: eq)...]))
    }
}
