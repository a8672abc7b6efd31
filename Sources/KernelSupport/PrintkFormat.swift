/// The kernel's printk number formats, reproduced exactly.
///
/// The kernel's vsprintf differs from libc in a few places that matter for
/// byte-identical logs: `%#x` of 0 prints `0x0` (libc prints `0`), and `%pa`
/// always prints a 64-bit `phys_addr_t` as `0x` plus 16 hex digits.
public enum Printk {
    /// `%pa` / `%pap` of a phys_addr_t: `0x` + 16 lower-case hex digits.
    public static func pa(_ v: UInt64) -> String { "0x" + hex(v, minDigits: 16) }

    /// `%#x` / `%#lx` / `%#llx`: `0x` + minimal hex digits (`0x0` for zero).
    public static func hexAlt(_ v: UInt64) -> String { "0x" + hex(v, minDigits: 1) }

    /// `%#0Wx` style: zero-padded to a total field width of `width` characters
    /// including the `0x` prefix (so `%#010Lx` is `hexAlt(v, width: 10)`).
    public static func hexAlt(_ v: UInt64, width: Int) -> String {
        "0x" + hex(v, minDigits: max(width - 2, 1))
    }

    /// `%x` / `%lx`: minimal lower-case hex digits, no prefix.
    public static func hex(_ v: UInt64, minDigits: Int = 1) -> String {
        let digits = String(v, radix: 16)
        return digits.count >= minDigits ? digits : String(repeating: "0", count: minDigits - digits.count) + digits
    }

    /// `%0*d`: a decimal zero-padded to `width` characters (sign first).
    public static func zeroPadded(_ v: Int, width: Int) -> String {
        let digits = String(v.magnitude)
        let sign = v < 0 ? "-" : ""
        let pad = max(width - sign.count - digits.count, 0)
        return sign + String(repeating: "0", count: pad) + digits
    }
}
