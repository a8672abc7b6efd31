/// Overflow-checked arithmetic for every input-dependent value.
///
/// Swift traps on overflow; the emulator never may. Each helper names what it
/// computes so that a failure says which quantity did not fit, e.g.
/// "unit_size * nr_units overflows 64 bits".

/// An input-dependent computation that does not fit its type.
public struct ArithmeticOverflow: Error, Equatable, CustomStringConvertible, Sendable {
    public let what: String
    public init(_ what: String) { self.what = what }
    public var description: String { "\(what) overflows 64 bits" }
}

public enum Checked {
    @inlinable
    public static func add(_ a: UInt64, _ b: UInt64, _ what: @autoclosure () -> String = "sum") throws(ArithmeticOverflow) -> UInt64 {
        let (r, o) = a.addingReportingOverflow(b)
        if o { throw ArithmeticOverflow(what()) }
        return r
    }

    @inlinable
    public static func sub(_ a: UInt64, _ b: UInt64, _ what: @autoclosure () -> String = "difference") throws(ArithmeticOverflow) -> UInt64 {
        let (r, o) = a.subtractingReportingOverflow(b)
        if o { throw ArithmeticOverflow(what()) }
        return r
    }

    @inlinable
    public static func mul(_ a: UInt64, _ b: UInt64, _ what: @autoclosure () -> String = "product") throws(ArithmeticOverflow) -> UInt64 {
        let (r, o) = a.multipliedReportingOverflow(by: b)
        if o { throw ArithmeticOverflow(what()) }
        return r
    }

    /// `ALIGN(x, a)` / `roundup(x, a)` for a power-of-two or any non-zero `a`.
    @inlinable
    public static func roundUp(_ x: UInt64, _ a: UInt64, _ what: @autoclosure () -> String = "round-up") throws(ArithmeticOverflow) -> UInt64 {
        precondition(a != 0, "roundUp by zero")
        let r = x % a
        if r == 0 { return x }
        return try add(x - r, a, what())
    }
}

extension UInt64 {
    /// `round_down(x, a)` (any non-zero `a`).
    @inlinable public func roundedDown(to a: UInt64) -> UInt64 { self - self % a }
    /// `IS_ALIGNED(x, a)`.
    @inlinable public func isAligned(to a: UInt64) -> Bool { a == 0 ? false : self % a == 0 }
}

/// `fls()`: 1-based index of the most significant set bit, 0 for 0.
@inlinable public func fls(_ x: UInt64) -> Int { x == 0 ? 0 : 64 - x.leadingZeroBitCount }

/// `__ffs()`: 0-based index of the least significant set bit (x must be non-zero).
@inlinable public func ffs0(_ x: UInt64) -> Int { x.trailingZeroBitCount }

/// `roundup_pow_of_two(x)`, or nil when the result does not fit 64 bits.
@inlinable public func roundUpPowerOfTwo(_ x: UInt64) -> UInt64? {
    if x <= 1 { return 1 }
    let bits = fls(x - 1)
    return bits >= 64 ? nil : (UInt64(1) << UInt64(bits))
}

/// `rounddown_pow_of_two(x)` for x > 0.
@inlinable public func roundDownPowerOfTwo(_ x: UInt64) -> UInt64 {
    precondition(x > 0)
    return UInt64(1) << UInt64(fls(x) - 1)
}

/// `DIV_ROUND_UP(n, d)` without overflow.
@inlinable public func divRoundUp(_ n: UInt64, _ d: UInt64) -> UInt64 {
    n / d + (n % d == 0 ? 0 : 1)
}

/// `BITS_TO_LONGS(bits)` on a 64-bit kernel.
@inlinable public func bitsToLongs(_ bits: UInt64) -> UInt64 { divRoundUp(bits, 64) }
