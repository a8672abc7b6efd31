/// What `pcpu-boot sweep` varies, and how one value of it is applied to a platform.
///
/// Numeric parameters step through a range and can be bisected; discrete ones
/// (page size, VA bits, paging mode, kernel version) take every value the
/// kernel offers between `from` and `to`, in the kernel's order.
public enum SweepParameter: String, Sendable, CaseIterable {
    /// Distance in bytes between consecutive nodes' memory: node k's memory
    /// (and the reservations inside it) is moved to start at node 0's start + k × spacing.
    case nodeSpacing = "node-spacing"
    /// Number of firmware CPUs; CPU i takes the node of original CPU ⌊i × original / count⌋.
    case cpus
    /// The static per-CPU size (`__per_cpu_end - __per_cpu_start`).
    case staticSize = "static-size"
    /// CONFIG_NR_CPUS.
    case nrCpus = "nr-cpus"
    /// arm64 page size (4K, 16K, 64K).
    case pageSize = "page-size"
    /// arm64 CONFIG_ARM64_VA_BITS.
    case vaBits = "va-bits"
    /// riscv64 (sv39, sv48, sv57) or x86_64 (4-level, 5-level) paging mode.
    case paging
    /// The kernel profile.
    case kernel

    /// Numeric parameters are stepped and bisected; the others are enumerated.
    public var isNumeric: Bool {
        switch self {
        case .nodeSpacing, .cpus, .staticSize, .nrCpus: true
        case .pageSize, .vaBits, .paging, .kernel: false
        }
    }

    /// The smallest meaningful difference between two values (bisection stops there):
    /// a page for node spacing, else 1.
    func granularity(_ platform: Platform) -> UInt64 {
        self == .nodeSpacing ? max(platform.config.pageSize, 1) : 1
    }

    /// Every value of a discrete parameter the kernel offers for `platform`, in order.
    func choices(_ platform: Platform) -> [String] {
        switch self {
        case .pageSize: platform.arch == .arm64 ? ["4K", "16K", "64K"] : ["4K"]
        case .vaBits: platform.arch == .arm64 ? ["36", "39", "42", "47", "48", "52"] : []
        case .paging:
            switch platform.arch {
            case .riscv64: [PagingMode.sv39, .sv48, .sv57].map(\.rawValue)
            case .x86_64: [PagingMode.level4, .level5].map(\.rawValue)
            case .arm64: []
            }
        case .kernel: KernelVersion.allReleases.map(\.description)
        case .nodeSpacing, .cpus, .staticSize, .nrCpus: []
        }
    }
}

/// A sweep that cannot run: a bad parameter, range or platform.
public struct SweepError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension SweepParameter {
    /// `platform` with this parameter set to `value` (a number for numeric
    /// parameters, a choice's name otherwise). Returns the reason when the
    /// kernel cannot be configured that way (e.g. VA_BITS 39 with 64K pages).
    func apply(_ value: SweepValue, to platform: Platform) -> Result<Platform, SweepError> {
        var p = platform
        switch (self, value) {
        case (.nodeSpacing, .number(let spacing)):
            return NodeSpacing.apply(spacing, to: platform)
        case (.cpus, .number(let count)):
            return CPUCount.apply(count, to: platform)
        case (.staticSize, .number(let size)):
            guard size > 0, size < 1 << 30 else { return .failure(SweepError("static size \(size) is outside 1 ... 1G")) }
            p.staticSize = size
        case (.nrCpus, .number(let n)):
            guard n >= 1, n <= 65536 else { return .failure(SweepError("NR_CPUS \(n) is outside 1 ... 65536")) }
            p.config.nrCpus = Int(n)
        case (.pageSize, .choice(let text)):
            let sizes: [String: UInt64] = ["4K": 4096, "16K": 16384, "64K": 65536]
            guard let size = sizes[text] else { return .failure(SweepError("unknown page size \(text)")) }
            p.config.pageSize = size
        case (.vaBits, .choice(let text)):
            guard let bits = Int(text) else { return .failure(SweepError("unknown VA_BITS \(text)")) }
            p.config.vaBits = bits
        case (.paging, .choice(let text)):
            guard let mode = PagingMode(rawValue: text) else { return .failure(SweepError("unknown paging mode \(text)")) }
            p.config.pagingMode = mode
        case (.kernel, .choice(let text)):
            guard let kernel = try? KernelVersion.parse(text) else { return .failure(SweepError("unknown kernel \(text)")) }
            p.kernel = kernel
        default:
            return .failure(SweepError("\(rawValue) takes \(isNumeric ? "a number" : "a name")"))
        }
        if let reason = Self.unbuildable(p) { return .failure(SweepError(reason)) }
        return .success(p)
    }

    /// Why no kernel can be built with `p`'s arm64 page size and VA_BITS
    /// (arch/arm64/Kconfig: ARM64_VA_BITS_* depend on the page size; 52 bits
    /// with 4K/16K pages needs LPA2, v6.9+), or nil.
    static func unbuildable(_ p: Platform) -> String? {
        guard p.arch == .arm64, let bits = p.config.vaBits else { return nil }
        let page = p.config.pageSize
        let needs: [UInt64] = switch bits {
        case 36, 47: [16384]
        case 39: [4096]
        case 42: [65536]
        case 48: [4096, 16384, 65536]
        case 52: p.kernel.has(.arm64LPA2) ? [4096, 16384, 65536] : [65536]
        default: []
        }
        return needs.contains(page) ? nil : "VA_BITS=\(bits) cannot be built with \(page / 1024)K pages"
    }
}

/// One value of the swept parameter.
public enum SweepValue: Equatable, Hashable, Sendable, CustomStringConvertible {
    case number(UInt64)
    case choice(String)

    public var description: String {
        switch self {
        case .number(let n): "\(n)"
        case .choice(let s): s
        }
    }

    var number: UInt64? {
        if case .number(let n) = self { return n }
        return nil
    }
}
