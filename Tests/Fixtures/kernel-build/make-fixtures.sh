#!/bin/sh
# Makes the small kernel-build fixtures of Tests/KernelBuildTests with independent tools:
#  - tiny-vmlinux: an ELF64 little-endian executable (GNU as + ld) whose .data..percpu section
#    lies between __per_cpu_start and __per_cpu_end at a kernel-like address, as
#    include/asm-generic/vmlinux.lds.h's PERCPU_INPUT places them;
#  - tiny-vmlinux.stripped: the same after `objcopy --strip-all` (no symbols left);
#  - tiny-vmlinux.readelf: `readelf -S -s` of it, the expected values;
#  - config.gz, fixed.gz, stored.gz: a kernel configuration compressed by gzip -9 (dynamic
#    Huffman blocks), and by Python's zlib with Z_FIXED (fixed Huffman) and level 0 (stored);
#  - System.map-6.1.0-56-{arm64,amd64}.percpu: the lines of Debian's System.map files
#    (../shared/kernel-boots/system-maps) that name the per-CPU section and the kernel text.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
cat > "$tmp/percpu.s" <<'ASM'
	.section .text
	.globl _start
_start:	ret
	.section .data..percpu,"aw"
	.globl __per_cpu_start
__per_cpu_start:
	.quad 0x1122334455667788
	.space 0x1e0
	.globl __per_cpu_end
__per_cpu_end:
ASM
cat > "$tmp/link.ld" <<'LD'
SECTIONS {
  . = 0xffffffff81000000;
  .text : { *(.text) }
  . = 0xffffffff83044000;
  .data..percpu : { *(.data..percpu) }
}
LD
as --64 -o "$tmp/percpu.o" "$tmp/percpu.s"
ld -m elf_x86_64 -z max-page-size=0x1000 -T "$tmp/link.ld" -o "$here/tiny-vmlinux" "$tmp/percpu.o"
objcopy --strip-all "$here/tiny-vmlinux" "$here/tiny-vmlinux.stripped"
readelf -S -s "$here/tiny-vmlinux" > "$here/tiny-vmlinux.readelf"
configs="$here/../kernel-boots/configs"
gzip -9 -n -c "$configs/config-6.1.0-56-arm64" > "$here/config.gz"
python3 - "$here" <<'PY'
import sys, zlib, gzip, struct
here = sys.argv[1]
def wrap(raw, data):
    head = b"\x1f\x8b\x08\x00" + b"\x00" * 4 + b"\x00\x03"
    return head + raw + struct.pack("<II", zlib.crc32(data), len(data))
text = b"CONFIG_SMP=y\nCONFIG_NR_CPUS=64\n# CONFIG_NUMA is not set\n" * 20
c = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_FIXED)
open(here + "/fixed.gz", "wb").write(wrap(c.compress(text) + c.flush(), text))
c = zlib.compressobj(0, zlib.DEFLATED, -15)
open(here + "/stored.gz", "wb").write(wrap(c.compress(text) + c.flush(), text))
open(here + "/small.config", "wb").write(text)
PY
maps=${SYSTEM_MAPS:-$here/../../../../shared/kernel-boots/system-maps}
for a in arm64 amd64; do
  grep -E ' (_text|_stext|__per_cpu_load|__per_cpu_start|__per_cpu_end)$' "$maps/System.map-6.1.0-56-$a" \
    > "$here/System.map-6.1.0-56-$a.percpu"
done
rm -rf "$tmp"
