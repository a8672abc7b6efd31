import KernelSupport
import Memblock

/// The state the per-CPU stage works on: memblock, the kernel log, and the
/// read-only facts it needs. A value, passed `inout` through
/// `setup_per_cpu_areas` and its helpers; nothing else is shared.
struct PercpuContext {
    var memblock: Memblock
    var log: KernelLog
    let profile: ArchProfile
    let topology: Topology
    /// `__per_cpu_end - __per_cpu_start`.
    let staticSize: UInt64
    /// CONFIG_NR_CPUS.
    var nrCPUs: Int { profile.config.nrCpus }
    /// `num_possible_cpus()`.
    var numPossibleCPUs: Int { topology.possibleCPUs.count }
    /// memblock's DRAM start when per-CPU setup began (fixes the linear map).
    let dramStart: UInt64
    /// What the embed attempt measured and returned, kept even when it failed
    /// (the page fallback or a panic follows), for the reports.
    var embedMaxDistance: UInt64? = nil
    var embedResult: Int? = nil

    static let prefix = "percpu: "

    /// mm/percpu.c's message prefix: the literal `PERCPU: ` before pr_fmt (4.6,
    /// `.percpuPrFmt`), `percpu: ` after. percpu-km's own lines always said `percpu: `.
    var percpuPrefix: String { profile.kernel.has(.percpuPrFmt) ? Self.prefix : "PERCPU: " }

    /// The ` @%p` of the first-chunk summary lines: the address (`%p`: 16 zero-padded
    /// lower-case hex digits on 64-bit) until 4.15 hashed %p, which prints
    /// `(____ptrval____)` this early in boot, and nothing since 5.1 (`.percpuNoAddressInSummary`).
    func summaryAddress(_ address: UInt64) -> String {
        if profile.kernel.has(.percpuNoAddressInSummary) { return "" }
        if profile.kernel.has(.printkHashedPointers) { return " @(____ptrval____)" }
        return " @" + Printk.hex(address, minDigits: 16)
    }

    /// `PFN_ALIGN(x)`.
    func pfnAlign(_ x: UInt64, _ what: String) throws(PercpuEmulationFailure) -> UInt64 {
        do { return try Checked.roundUp(x, profile.pageSize, what) } catch { throw .input(.overflow(error.what)) }
    }

    /// `memblock_alloc(size, align)` from `caller`; nil = NULL.
    mutating func memblockAlloc(_ size: UInt64, _ align: UInt64, caller: String) throws(KernelPanic) -> UInt64? {
        try memblock.alloc(size: size, align: align, log: &log, caller: caller)
    }

    /// `memblock_free(ptr, size)` from `caller`: `memblock_phys_free(__pa(ptr), size)`, whose
    /// `%pS` of `_RET_IP_` names `memblock_free` itself unless the build tail-calls it
    /// (`ArchProfile.memblockFreeKeepsFrame`).
    mutating func memblockFree(_ phys: UInt64, _ size: UInt64, caller: String) throws(KernelPanic) {
        try memblock.physFree(phys, size, log: &log, caller: profile.memblockFreeKeepsFrame ? "memblock_free" : caller)
    }

    /// The caller memblock=debug names for `memblock_alloc_or_panic()` from `function`:
    /// `__memblock_alloc_or_panic` since `memblockAllocOrPanic` (6.14), before that the
    /// function's own `memblock_alloc()` call.
    func orPanicCaller(_ function: String) -> String {
        profile.kernel.has(.memblockAllocOrPanic) ? "__memblock_alloc_or_panic" : function
    }
}

/// Why per-CPU setup could not be emulated (never a kernel outcome: those are
/// log lines and `KernelPanic`).
public enum PercpuError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An input-dependent size does not fit 64 bits.
    case overflow(String)
    public var description: String {
        switch self {
        case .overflow(let what): "\(what) overflows 64 bits"
        }
    }
}
