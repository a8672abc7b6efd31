/// Replaying a recorded call trace through the emulated allocator: every
/// `alloc` is a `pcpu_alloc`, every `free` a `free_percpu`, every `balance` a
/// run of `pcpu_balance_workfn`. The recorded populate/depopulate lines are
/// what the kernel did; the emulator produces its own and they are compared.
import KernelSupport

/// How an emulated replay compares with the recording.
public struct PcpuReplayComparison: Sendable, Equatable {
    /// Recorded vs emulated pointers of the allocations, in order.
    public var recordedPointers: [UInt64]
    public var emulatedPointers: [UInt64]
    /// Recorded vs emulated populate/depopulate lines, in order.
    public var recordedPopulation: [String]
    public var emulatedPopulation: [String]
    /// Recorded vs emulated state lines.
    public var recordedState: [String]
    public var emulatedState: [String]

    /// The first index where two sequences differ, or nil.
    public static func firstDifference<T: Equatable>(_ a: [T], _ b: [T]) -> Int? {
        for i in 0 ..< max(a.count, b.count) where i >= a.count || i >= b.count || a[i] != b[i] { return i }
        return nil
    }
}

extension PcpuAllocator {
    /// Replays `trace`. The recording's gdb script sometimes reports one event
    /// twice (a breakpoint hit reported again): `alloc ? -> P` right after the
    /// allocation that returned P, and `free P` right after `free P` (no
    /// allocation in between, so the area is no longer live). Those lines are not replayed; their line numbers are
    /// kept in `duplicateReports` (a second free would have changed free_bytes,
    /// which the recorded final state rules out). Frees name the recorded pointer; when the emulated
    /// allocation of that call returned another pointer, the emulated one is
    /// freed, so that one divergence does not derail the rest of the replay.
    public mutating func replay(_ trace: PercpuCallTrace) throws(PcpuAllocError) {
        // Recorded pointer -> emulated pointer, only where they differ (a divergence).
        var moved: [UInt64: UInt64] = [:]
        var previousFree: UInt64?
        for (line, event) in trace.lines {
            let lastFree = previousFree
            previousFree = nil
            switch event {
            case let .alloc(size, align, reserved, gfp, recorded):
                let result = pcpuAlloc(size: size, align: align, reserved: reserved, gfp: gfp)
                if result.ptr == nil { try checkEmulationLimit() }
                if let recorded, let ptr = result.ptr, ptr != recorded { moved[recorded] = ptr }
            case .free(let recorded):
                previousFree = recorded
                if lastFree == recorded {
                    // The recording reported one pcpu_free_area twice (see duplicateReports).
                    duplicateReports.append(line)
                    continue
                }
                let ptr = moved.isEmpty ? recorded : moved.removeValue(forKey: recorded) ?? recorded
                do { try freePercpu(ptr) } catch { replayErrors.append("line \(line): \(error)") }
            case .balance:
                pcpuBalanceWorkfn()
            case .unclaimedAlloc:
                duplicateReports.append(line)
            case .populated, .depopulated:
                break                               // the emulator populates on its own; see unclaimedAlloc
            }
        }
    }

    /// The comparison of this (replayed) allocator with the recording.
    public func compare(with trace: PercpuCallTrace) -> PcpuReplayComparison {
        var recordedPointers: [UInt64] = []
        var recordedPopulation: [String] = []
        for (_, event) in trace.lines {
            switch event {
            case .alloc(_, _, _, _, let ptr?): recordedPointers.append(ptr)
            case let .populated(base, s, e): recordedPopulation.append("populated chunk=0x\(Printk.hex(base)) pages=\(s)-\(e)")
            case let .depopulated(base, s, e): recordedPopulation.append("depopulated chunk=0x\(Printk.hex(base)) pages=\(s)-\(e)")
            default: break
            }
        }
        var emulatedPointers: [UInt64] = []
        for case let .alloc(_, _, _, _, ptr, _, _) in events { emulatedPointers.append(ptr) }
        let emulatedPopulation = traceLines().filter { $0.hasPrefix("populated ") || $0.hasPrefix("depopulated ") }
        return PcpuReplayComparison(recordedPointers: recordedPointers, emulatedPointers: emulatedPointers,
                                    recordedPopulation: recordedPopulation, emulatedPopulation: emulatedPopulation,
                                    recordedState: trace.state, emulatedState: stateLines())
    }
}
