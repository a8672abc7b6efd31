/// What-if workloads: repeated allocations, frees by pattern and balance runs,
/// driven through the emulated allocator (`pcpu_alloc`, `free_percpu`,
/// `pcpu_balance_workfn`) as a kernel's callers would.

/// A workload: steps in order. With `autoBalance`, the balance work runs
/// right after any call that scheduled it (the kernel runs it soon after on a
/// workqueue); otherwise only at `balance` steps.
public struct PcpuWorkload: Sendable, Equatable {
    public enum FreePattern: Sendable, Equatable {
        /// Every `n`th live area of the tag, starting with the first (`every: 2` frees half).
        case every(Int)
        /// The first / last `n` live areas of the tag, in allocation order.
        case first(Int)
        case last(Int)
        /// All live areas of the tag.
        case all
    }

    public enum Step: Sendable, Equatable {
        /// `count` × `pcpu_alloc(size, align, reserved, gfp)`, the areas remembered under `tag`.
        case alloc(count: Int, size: Int, align: Int, gfp: UInt32, reserved: Bool, tag: String)
        /// `free_percpu` of the tag's live areas chosen by `pattern`.
        case free(tag: String, pattern: FreePattern)
        /// `times` runs of `pcpu_balance_workfn`.
        case balance(times: Int)
    }

    public var steps: [Step]
    public var autoBalance: Bool

    /// The allocations all `alloc` steps ask for.
    public var totalAllocations: Int {
        steps.reduce(0) { sum, step in
            if case .alloc(let count, _, _, _, _, _) = step { return sum &+ count }
            return sum
        }
    }

    public init(steps: [Step], autoBalance: Bool) {
        self.steps = steps
        self.autoBalance = autoBalance
    }

    /// Calls the workload makes (allocations, frees bounded by allocations, balance runs).
    public var callCount: Int {
        steps.reduce(0) { total, step in
            switch step {
            case .alloc(let count, _, _, _, _, _): total + count
            case .free: total
            case .balance(let times): total + times
            }
        }
    }
}

/// What a workload run did.
public struct PcpuWorkloadSummary: Sendable, Equatable {
    public var allocations = 0
    public var failedAllocations = 0
    public var frees = 0
    public var balanceRuns = 0
}

extension PcpuAllocator {
    /// Runs `workload`; every tag's live areas are kept in allocation order.
    public mutating func run(_ workload: PcpuWorkload) throws(PcpuAllocError) {
        var live: [String: [UInt64]] = [:]
        for step in workload.steps {
            switch step {
            case let .alloc(count, size, align, gfp, reserved, tag):
                for _ in 0 ..< count {
                    let result = pcpuAlloc(size: size, align: align, reserved: reserved, gfp: gfp)
                    if let ptr = result.ptr {
                        live[tag, default: []].append(ptr)
                        workloadSummary.allocations += 1
                    } else {
                        workloadSummary.failedAllocations += 1
                        try checkEmulationLimit()
                    }
                    if workload.autoBalance && balancePending { runBalance() }
                }
            case let .free(tag, pattern):
                let areas = live[tag] ?? []
                var chosen: [Int] = []
                switch pattern {
                case .every(let n): chosen = Array(stride(from: 0, to: areas.count, by: max(n, 1)))
                case .first(let n): chosen = Array(0 ..< min(max(n, 0), areas.count))
                case .last(let n): chosen = Array(max(areas.count - max(n, 0), 0) ..< areas.count)
                case .all: chosen = Array(areas.indices)
                }
                let chosenSet = Set(chosen)
                for index in chosen {
                    try freePercpu(areas[index])
                    workloadSummary.frees += 1
                    if workload.autoBalance && balancePending { runBalance() }
                }
                live[tag] = areas.enumerated().filter { !chosenSet.contains($0.offset) }.map(\.element)
            case .balance(let times):
                for _ in 0 ..< times { runBalance() }
            }
        }
    }

    private mutating func runBalance() {
        pcpuBalanceWorkfn()
        workloadSummary.balanceRuns += 1
    }
}
