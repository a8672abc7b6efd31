import Foundation
import PercpuAlloc

/// Reads a workload YAML file for `pcpu-boot replay`:
///
///     balance: auto            # auto (default): the balance work runs whenever it is scheduled; manual: only at balance steps
///     steps:
///       - alloc: { count: 10000, size: 8, align: 8, gfp: GFP_KERNEL_ACCOUNT, tag: memcg }
///       - free: { tag: memcg, every: 2 }        # or first: N, last: N, all: true
///       - balance: 1
///
/// `gfp` is a number or `|`-joined flag names (GFP_KERNEL, GFP_KERNEL_ACCOUNT,
/// GFP_ATOMIC, GFP_NOWAIT, __GFP_ACCOUNT, __GFP_NOWARN ...); `reserved: true`
/// allocates from the reserved chunk. Every error names file, line, column and key path.
public enum PcpuWorkloadLoader {
    /// The most allocations one workload asks for, over all its steps: about ten
    /// seconds of replay, and its pointers and events within a few hundred MiB.
    public static let maximumAllocations = 10_000_000

    public static func load(_ text: String, file: String) throws(InputError) -> PcpuWorkload {
        var totalAllocations = 0
        guard let root = try YAMLDocument.compose(text, file: file) else {
            throw InputError(file: file, message: "empty workload", expected: "a mapping with 'steps'")
        }
        let top = try Field(node: root, path: "", file: file).mapping(keys: ["balance", "steps"])
        var autoBalance = true
        if let mode = top["balance"] {
            switch try mode.string() {
            case "auto": autoBalance = true
            case "manual": autoBalance = false
            case let other:
                throw mode.error("unknown balance mode '\(other)'", expected: "auto or manual",
                                 suggestion: didYouMean(other, among: ["auto", "manual"]))
            }
        }
        let stepFields = try top.required("steps", expected: "a list of alloc/free/balance steps")
            .sequence(expected: "a list of alloc/free/balance steps")
        var steps: [PcpuWorkload.Step] = []
        for field in stepFields {
            let step = try field.mapping(keys: ["alloc", "free", "balance"], expected: "one of alloc, free, balance")
            guard step.entries.count == 1, let entry = step.entries.first else {
                throw field.error("a step has exactly one of alloc, free, balance")
            }
            switch entry.name {
            case "alloc":
                let a = try entry.value.mapping(keys: ["count", "size", "align", "gfp", "reserved", "tag"])
                let count = try a["count"]?.int(in: 1 ... maximumAllocations) ?? 1
                totalAllocations += count
                guard totalAllocations <= maximumAllocations else {
                    throw a["count"]!.error("the workload asks for \(totalAllocations) allocations in all",
                                            expected: "at most \(maximumAllocations) allocations in all (a replay's time and memory grow with them)")
                }
                let size = try a.required("size", expected: "bytes, 1 to 32K").int(in: 1 ... 1 << 20)
                let align = try a["align"]?.int(in: 1 ... 1 << 20) ?? 4
                let gfp = try gfpFlags(a["gfp"])
                let reserved = try a["reserved"]?.bool() ?? false
                let tag = try a["tag"]?.string() ?? "default"
                steps.append(.alloc(count: count, size: size, align: align, gfp: gfp, reserved: reserved, tag: tag))
            case "free":
                let f = try entry.value.mapping(keys: ["tag", "every", "first", "last", "all"])
                let tag = try f["tag"]?.string() ?? "default"
                let patterns = ["every", "first", "last", "all"].filter { f[$0] != nil }
                guard patterns.count == 1 else {
                    throw entry.value.error("a free step names exactly one pattern", expected: "every: N, first: N, last: N or all: true")
                }
                let pattern: PcpuWorkload.FreePattern
                switch patterns[0] {
                case "every": pattern = .every(try f["every"]!.int(in: 1 ... Int(Int32.max)))
                case "first": pattern = .first(try f["first"]!.int(in: 0 ... Int(Int32.max)))
                case "last": pattern = .last(try f["last"]!.int(in: 0 ... Int(Int32.max)))
                default:
                    guard try f["all"]!.bool() else { throw f["all"]!.error("all: false frees nothing", expected: "all: true") }
                    pattern = .all
                }
                steps.append(.free(tag: tag, pattern: pattern))
            default:
                steps.append(.balance(times: try entry.value.int(in: 1 ... 1_000_000)))
            }
        }
        return PcpuWorkload(steps: steps, autoBalance: autoBalance)
    }

    /// A GFP mask: a number or flag names joined by `|`.
    static func gfpFlags(_ field: Field?) throws(InputError) -> UInt32 {
        guard let field else { return GFP.kernel }
        let text = try field.string()
        if let value = PlatformLoader.parseNumber(text), value <= UInt64(UInt32.max) { return UInt32(value) }
        let known = ["GFP_KERNEL", "GFP_KERNEL_ACCOUNT", "GFP_ATOMIC", "GFP_NOWAIT", "GFP_NOIO", "GFP_NOFS", "GFP_USER",
                     "__GFP_ZERO", "__GFP_NOWARN", "__GFP_NORETRY", "__GFP_NOFAIL", "__GFP_ACCOUNT", "__GFP_IO", "__GFP_FS",
                     "__GFP_DIRECT_RECLAIM", "__GFP_KSWAPD_RECLAIM", "__GFP_HIGH"]
        for name in text.split(separator: "|").map({ $0.trimmingCharacters(in: .whitespaces) }) where !known.contains(name) {
            throw field.error("unknown GFP flag '\(name)'", expected: "a number or " + known.joined(separator: ", "),
                              suggestion: didYouMean(name, among: known))
        }
        return PercpuTracepointParser.gfpValue(text.replacingOccurrences(of: " ", with: ""))
    }
}
