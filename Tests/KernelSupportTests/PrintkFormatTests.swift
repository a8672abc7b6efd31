import Testing
@testable import KernelSupport

/// Expected strings are what the kernel's vsprintf prints (lib/vsprintf.c):
/// `%pa` always 16 digits, `%#x` of zero is `0x0`, `%#010Lx` pads to 10 columns.
@Suite struct PrintkFormatTests {
    @Test func physAddr() {
        #expect(Printk.pa(0x40000000) == "0x0000000040000000")
        #expect(Printk.pa(0) == "0x0000000000000000")
        #expect(Printk.pa(UInt64.max) == "0xffffffffffffffff")
    }

    @Test func alternateHex() {
        #expect(Printk.hexAlt(0) == "0x0")
        #expect(Printk.hexAlt(0x1000) == "0x1000")
        // From a real log: "NUMA: NODE_DATA [mem 0x7fffd380-0x7fffffff]"
        #expect(Printk.hexAlt(0x7fffd380, width: 10) == "0x7fffd380")
        #expect(Printk.hexAlt(0x13f7ea380, width: 10) == "0x13f7ea380")
        #expect(Printk.hexAlt(0x1000, width: 10) == "0x00001000")
    }

    @Test func zeroPadding() {
        #expect(Printk.zeroPadded(3, width: 2) == "03")
        #expect(Printk.zeroPadded(123, width: 2) == "123")
        #expect(Printk.zeroPadded(-1, width: 3) == "-01")
    }
}

@Suite struct CheckedArithmeticTests {
    @Test func overflowIsReportedNotTrapped() {
        #expect(throws: ArithmeticOverflow("base + size")) {
            try Checked.add(UInt64.max, 1, "base + size")
        }
        #expect(throws: ArithmeticOverflow("units")) { try Checked.mul(1 << 40, 1 << 30, "units") }
        #expect(throws: ArithmeticOverflow("x")) { try Checked.roundUp(UInt64.max, 4096, "x") }
    }

    @Test func bitHelpers() throws {
        // fls(126976) = 17 because 2^16 = 65536 <= 126976 < 131072 = 2^17.
        #expect(fls(126976) == 17)
        #expect(fls(0) == 0)
        #expect(fls(1) == 1)
        #expect(roundUpPowerOfTwo(22) == 32)
        #expect(roundUpPowerOfTwo(32) == 32)
        #expect(roundUpPowerOfTwo(UInt64.max) == nil)
        #expect(roundDownPowerOfTwo(10) == 8)
        #expect(try Checked.roundUp(124136, 4096) == 126976)
        #expect(bitsToLongs(3073) == 49)
    }
}
