/// Typed views of a property value (Devicetree Specification v0.4 §2.2.4.2).
///
/// These accessors are strict: a value of the wrong length is a
/// `DeviceTreeError` naming the property, never a silent truncation. The
/// kernel's more lenient readings (`of_property_read_u32` accepting longer
/// values, for instance) live in `DeviceTreeNUMAFacts.swift`, where the
/// distinction matters.
public extension DeviceTreeProperty {
    /// The value as one `<u32>`; it must be exactly 4 bytes.
    func u32() throws(DeviceTreeError) -> UInt32 {
        guard value.count == 4 else { throw lengthError(expected: "4 bytes") }
        return BigEndian.u32(value, at: 0)
    }

    /// The value as a `<prop-encoded-array>` of cells; the length must be a
    /// multiple of 4 (an empty value is an empty array).
    func u32Array() throws(DeviceTreeError) -> [UInt32] {
        guard value.count % 4 == 0 else { throw lengthError(expected: "a multiple of 4 bytes") }
        return stride(from: 0, to: value.count, by: 4).map { BigEndian.u32(value, at: $0) }
    }

    /// The value as one `<u64>` (two cells, high first); it must be exactly 8 bytes.
    func u64() throws(DeviceTreeError) -> UInt64 {
        guard value.count == 8 else { throw lengthError(expected: "8 bytes") }
        return UInt64(BigEndian.u32(value, at: 0)) << 32 | UInt64(BigEndian.u32(value, at: 4))
    }

    /// The value as one `<string>`: UTF-8, NUL-terminated, no NUL inside.
    func string() throws(DeviceTreeError) -> String {
        guard let last = value.last, last == 0 else {
            throw DeviceTreeError(.invalidString(property: name, reason: value.isEmpty ? "empty value" : "not NUL-terminated"))
        }
        let body = value.dropLast()
        if body.contains(0) {
            throw DeviceTreeError(.invalidString(property: name, reason: "NUL inside the string (a string list?)"))
        }
        return try Self.decodeUTF8(body, property: name)
    }

    /// The value as a `<stringlist>`: NUL-terminated UTF-8 strings back to back.
    /// An empty value is an empty list.
    func stringList() throws(DeviceTreeError) -> [String] {
        if value.isEmpty { return [] }
        guard value.last == 0 else {
            throw DeviceTreeError(.invalidString(property: name, reason: "not NUL-terminated"))
        }
        var result: [String] = []
        var start = 0
        for index in value.indices where value[index] == 0 {
            result.append(try Self.decodeUTF8(value[start..<index], property: name))
            start = index + 1
        }
        return result
    }

    /// The bytes up to the first NUL (or all of them): what C's `strcmp` sees
    /// when the kernel compares `device_type` or `status`.
    internal var firstCStringBytes: ArraySlice<UInt8> {
        if let nul = value.firstIndex(of: 0) { return value[..<nul] }
        return value[...]
    }

    /// The pieces `of_prop_next_string` walks (drivers/of/property.c, v6.8):
    /// NUL-separated strings, a trailing unterminated piece included.
    internal var cStringPieces: [ArraySlice<UInt8>] {
        var pieces: [ArraySlice<UInt8>] = []
        var start = value.startIndex
        for index in value.indices where value[index] == 0 {
            pieces.append(value[start..<index])
            start = index + 1
        }
        if start < value.endIndex { pieces.append(value[start...]) }
        return pieces
    }

    /// The length error for this property.
    private func lengthError(expected: String) -> DeviceTreeError {
        DeviceTreeError(.badPropertyLength(property: name, length: value.count, expected: expected))
    }

    /// Strict UTF-8 decoding: a byte sequence that is not UTF-8 is an error, not U+FFFD.
    internal static func decodeUTF8(_ bytes: ArraySlice<UInt8>, property: String) throws(DeviceTreeError) -> String {
        guard let string = String(validating: bytes, as: UTF8.self) else {
            throw DeviceTreeError(.invalidString(property: property, reason: "not valid UTF-8"))
        }
        return string
    }
}

/// Case-insensitive ASCII comparison, as `of_compat_cmp` (`strcasecmp`) does.
func asciiCaseInsensitiveEqual<A: Collection, B: Collection>(_ a: A, _ b: B) -> Bool
where A.Element == UInt8, B.Element == UInt8 {
    guard a.count == b.count else { return false }
    return zip(a, b).allSatisfy { lowerASCII($0) == lowerASCII($1) }
}

/// `tolower` for one ASCII byte.
private func lowerASCII(_ byte: UInt8) -> UInt8 {
    (byte >= 0x41 && byte <= 0x5a) ? byte + 0x20 : byte
}
