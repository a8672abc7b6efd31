/// `firmware.device-tree.boot-loader-memory`: the RAM banks a boot loader or UEFI
/// writes into the tree's `/memory` nodes (see `BootLoaderMemory`), e.g.
///
///     boot-loader-memory:
///       - { base: 0x40000000, size: 2G }
///       - { base: 0x880000000, size: 2G, numa-node-id: 1 }
enum BootLoaderMemorySection {
    static let keys = ["base", "size", "numa-node-id"]

    static func parse(_ field: Field) throws(InputError) -> [BootLoaderMemory] {
        var banks: [BootLoaderMemory] = []
        for element in try field.sequence(expected: "a list of {base, size, numa-node-id} banks") {
            let fields = try element.mapping(keys: keys, expected: "a bank mapping with base, size and numa-node-id")
            guard let baseField = fields["base"] else { throw fields.absent("base", expected: "the bank's physical base address") }
            guard let sizeField = fields["size"] else { throw fields.absent("size", expected: "the bank's size in bytes, above 0") }
            let base = try baseField.number(expected: "the bank's physical base address")
            let size = try sizeField.integer(in: 1...UInt64.max, expected: "a size above 0, like 2G")
            guard base <= UInt64.max - (size - 1) else {
                throw sizeField.error("the bank ends beyond 2^64", expected: "base + size <= 2^64")
            }
            let node = try fields["numa-node-id"]?.u32("a 32-bit node id")
            banks.append(BootLoaderMemory(base: base, size: size, node: node,
                                          origin: "\(element.error("").location) '\(element.path)'"))
        }
        return banks
    }
}
