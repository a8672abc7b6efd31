import KernelSupport

/// What one boot of a sweep came to: the facts whose change `sweep` reports.
public struct SweepOutcome: Equatable, Sendable {
    /// "booted", "panicked", or "invalid" (the value gives no buildable kernel / usable machine).
    public var status: String
    /// Why the point is invalid, or the panic message.
    public var note: String?
    /// "embed", "page", "up", or "none".
    public var firstChunk: String
    public var pagesPerCPU: UInt64?
    public var unitsPerAlloc: Int?
    public var groups: Int?
    /// The embed attempt's `max_distance` (also when it failed).
    public var maxDistance: UInt64?
    /// `VMALLOC_TOTAL * 3 / 4`, the most `max_distance` may be.
    public var limit: UInt64?
    public var embedFailure: Int?

    /// Whether `max_distance` fits under the limit (nil without an embed attempt).
    public var withinLimit: Bool? {
        guard let maxDistance, let limit else { return nil }
        return maxDistance <= limit
    }

    /// Everything but the exact `max_distance`: two points differ in shape when
    /// the kernel would set them up differently.
    struct Shape: Equatable {
        var status: String
        var firstChunk: String
        var pagesPerCPU: UInt64?
        var unitsPerAlloc: Int?
        var groups: Int?
        var withinLimit: Bool?
        var embedFailure: Int?
    }

    var shape: Shape {
        Shape(status: status, firstChunk: firstChunk, pagesPerCPU: pagesPerCPU, unitsPerAlloc: unitsPerAlloc,
              groups: groups, withinLimit: withinLimit, embedFailure: embedFailure)
    }

    init(_ result: BootResult) {
        switch result.outcome {
        case .booted: status = "booted"; note = nil
        case .panicked(let message): status = "panicked"; note = message
        }
        firstChunk = result.firstChunkKind?.rawValue ?? "none"
        if let ai = result.allocInfo {
            pagesPerCPU = result.profile.pageSize > 0 ? ai.unitSize / result.profile.pageSize : nil
            unitsPerAlloc = ai.unitsPerAlloc
            groups = ai.groups.count
        }
        maxDistance = result.maxDistance
        limit = result.profile.config.mmu ? result.maxDistanceThreshold : nil
        embedFailure = result.embedFailure
    }

    init(invalid reason: String) {
        status = "invalid"
        note = reason
        firstChunk = "none"
    }

    /// What changed from `self` to `other`, one phrase per fact ("first chunk embed -> page").
    func changes(to other: SweepOutcome) -> [String] {
        var out: [String] = []
        func add<T: Equatable>(_ name: String, _ a: T?, _ b: T?, _ show: (T) -> String) {
            if a != b { out.append("\(name) \(a.map(show) ?? "-") -> \(b.map(show) ?? "-")") }
        }
        add("status", status, other.status) { $0 }
        add("first chunk", firstChunk, other.firstChunk) { $0 }
        add("pages/cpu", pagesPerCPU, other.pagesPerCPU) { "\($0)" }
        add("units/alloc", unitsPerAlloc, other.unitsPerAlloc) { "\($0)" }
        add("groups", groups, other.groups) { "\($0)" }
        add("max_distance", withinLimit, other.withinLimit) { $0 ? "within the limit" : "over the limit" }
        add("embed failure", embedFailure, other.embedFailure) { "\($0)" }
        return out
    }
}

/// One booted value.
public struct SweepPoint: Equatable, Sendable {
    public var value: SweepValue
    public var outcome: SweepOutcome
    /// Booted while bisecting (not one of the evenly spaced steps).
    public var bisection: Bool
}

/// Where the outcome changes: the last value with the old outcome and the first with the new.
public struct SweepTransition: Equatable, Sendable {
    public var before: SweepPoint
    public var after: SweepPoint
    public var changes: [String]
    /// The two values are adjacent (bisected down to the parameter's granularity).
    public var exact: Bool
}

public struct SweepResult: Equatable, Sendable {
    public var parameter: SweepParameter
    public var platform: Platform
    /// Every booted point, in order of value.
    public var points: [SweepPoint]
    public var transitions: [SweepTransition]
    public var boots: Int
}

/// `pcpu-boot sweep`: boots one platform at many values of one parameter,
/// in-process, and finds where the outcome changes.
///
/// Numeric parameters are booted at `steps` evenly spaced values from `from`
/// to `to`; between two neighbours whose outcomes differ the boundary is
/// bisected down to the granularity (a page for node spacing, else 1). The
/// bisection assumes the outcome is monotone between the two; a change and
/// change back between two steps is not seen (more steps find it).
public enum Sweep {
    public static func run(_ platform: Platform, parameter: SweepParameter, from: String, to: String,
                           steps: Int = 16, bisect: Bool = true) throws(SweepError) -> SweepResult {
        var boots = 0
        var booted: [SweepValue: SweepPoint] = [:]
        func boot(_ value: SweepValue, bisection: Bool = false) -> SweepPoint {
            if let known = booted[value] { return known }
            let point = bootOnce(value, bisection: bisection)
            booted[value] = point
            return point
        }
        func bootOnce(_ value: SweepValue, bisection: Bool) -> SweepPoint {
            boots += 1
            switch parameter.apply(value, to: platform) {
            case .failure(let error):
                return SweepPoint(value: value, outcome: SweepOutcome(invalid: error.message), bisection: bisection)
            case .success(let p):
                do {
                    return SweepPoint(value: value, outcome: SweepOutcome(try Boot.run(p)), bisection: bisection)
                } catch {
                    return SweepPoint(value: value, outcome: SweepOutcome(invalid: error.description), bisection: bisection)
                }
            }
        }
        var points: [SweepPoint] = []
        var transitions: [SweepTransition] = []
        if parameter.isNumeric {
            let values = try numericValues(parameter, platform: platform, from: from, to: to, steps: steps)
            let grid = values.map { boot(.number($0)) }
            let step = parameter.granularity(platform)
            for (a, b) in zip(grid, grid.dropFirst()) where a.outcome.shape != b.outcome.shape {
                var lo = a
                while lo.outcome.shape != b.outcome.shape {
                    var hi = b
                    while bisect, let l = lo.value.number, let h = hi.value.number, h - l > step {
                        let mid = l + ((h - l) / 2) / step * step
                        guard mid > l, mid < h else { break }
                        let point = boot(.number(mid), bisection: true)
                        if point.outcome.shape == lo.outcome.shape { lo = point } else { hi = point }
                    }
                    let exact = (hi.value.number ?? 0) - (lo.value.number ?? 0) <= step
                    transitions.append(SweepTransition(before: lo, after: hi, changes: lo.outcome.changes(to: hi.outcome),
                                                       exact: exact))
                    if !exact { break }
                    lo = hi
                }
            }
            points = booted.values.sorted { ($0.value.number ?? 0) < ($1.value.number ?? 0) }
        } else {
            let choices = parameter.choices(platform)
            guard let i = choices.firstIndex(of: from), let j = choices.firstIndex(of: to), i <= j else {
                let offered = choices.isEmpty ? "none on \(platform.arch.rawValue)" : choices.joined(separator: ", ")
                throw SweepError("--from/--to for \(parameter.rawValue) must be values in this order: \(offered)")
            }
            points = choices[i...j].map { boot(.choice($0)) }
            // Values no kernel can be built with are listed but do not make a change.
            let valid = points.filter { $0.outcome.status != "invalid" }
            for (a, b) in zip(valid, valid.dropFirst()) where a.outcome.shape != b.outcome.shape {
                transitions.append(SweepTransition(before: a, after: b, changes: a.outcome.changes(to: b.outcome), exact: true))
            }
        }
        return SweepResult(parameter: parameter, platform: platform, points: points, transitions: transitions, boots: boots)
    }

    /// `steps` evenly spaced values from `from` to `to` (all of them when fewer),
    /// on the parameter's granularity.
    static func numericValues(_ parameter: SweepParameter, platform: Platform, from: String, to: String,
                              steps: Int) throws(SweepError) -> [UInt64] {
        guard let lo = PlatformLoader.parseNumber(from) else { throw SweepError("invalid --from '\(from)'; expected a number like 4096, 0x1000 or 4K") }
        guard let hi = PlatformLoader.parseNumber(to) else { throw SweepError("invalid --to '\(to)'; expected a number like 4096, 0x1000 or 4K") }
        guard lo <= hi else { throw SweepError("--from \(from) is above --to \(to)") }
        guard steps >= 2, steps <= 100_000 else { throw SweepError("--steps \(steps) is outside 2 ... 100000") }
        let step = parameter.granularity(platform)
        let first = lo.roundedDown(to: step), last = hi.roundedDown(to: step)
        let span = (last - first) / step               // in granularity units
        var values: [UInt64] = []
        let count = UInt64(steps - 1)
        for i in 0...count {
            // first + span * i / count granules, without overflowing the product.
            let units = span / count * i + (span % count) * i / count
            let value = first + units * step
            if values.last != value { values.append(value) }
        }
        return values
    }
}
