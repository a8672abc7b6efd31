#!/bin/sh
# Rebuilds the snapshots of Tests/Fixtures/this-machine (see README.md).
#   make-snapshots.sh record NAME      copy the running machine's files (run as root) into NAME/
#   make-snapshots.sh shared           arrange ../shared/firmware-boots' recorded boots as sysfs/procfs trees
set -eu
here=$(cd "$(dirname "$0")" && pwd)
shared=${SHARED:-/work/shared}

record() {
    out=$here/$1
    rm -rf "$out"
    mkdir -p "$out/sys/firmware/acpi/tables" "$out/proc/sys/kernel" "$out/dev"
    for f in /sys/firmware/acpi/tables/*; do [ -f "$f" ] && cp "$f" "$out/sys/firmware/acpi/tables/"; done
    [ -f /sys/firmware/fdt ] && cp /sys/firmware/fdt "$out/sys/firmware/fdt"
    for d in /sys/firmware/memmap/*; do
        n=$(basename "$d"); mkdir -p "$out/sys/firmware/memmap/$n"
        for f in start end type; do cat "$d/$f" > "$out/sys/firmware/memmap/$n/$f"; done
    done
    cat /proc/cmdline > "$out/proc/cmdline"
    cat /proc/sys/kernel/osrelease > "$out/proc/sys/kernel/osrelease"
    cat /proc/sys/kernel/arch > "$out/proc/sys/kernel/arch"
    [ -f /proc/config.gz ] && cat /proc/config.gz > "$out/proc/config.gz"
    # kallsyms trimmed: the first lines, _text/_etext, and the per-CPU symbols when listed.
    { head -3 /proc/kallsyms; grep -E ' (_text|_etext|__per_cpu_start|__per_cpu_end)$' /proc/kallsyms; } | sort -u > "$out/proc/kallsyms"
    # /dev/kmsg's records, read non-blocking until EAGAIN (as dmesg does).
    python3 -c '
import os, sys
fd = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK)
out = open(sys.argv[1], "wb")
while True:
    try:
        out.write(os.read(fd, 16384))
    except BlockingIOError:
        break
    except BrokenPipeError:
        continue
' "$out/dev/kmsg"
}

shared_case() { # NAME SOURCE RELEASE ARCHNAME
    out=$here/$1; src=$shared/firmware-boots/$2
    rm -rf "$out"
    mkdir -p "$out/sys/firmware/acpi/tables" "$out/proc/sys/kernel" "$out/var/log" "$out/boot"
    cp "$src"/acpi/* "$out/sys/firmware/acpi/tables/"
    [ -f "$src/board.dtb" ] && cp "$src/board.dtb" "$out/sys/firmware/fdt"
    echo "$3" > "$out/proc/sys/kernel/osrelease"
    echo "$4" > "$out/proc/sys/kernel/arch"
    # /proc/cmdline: the log's 'Kernel command line:' (what the kernel parsed).
    tr -d "\r" < "$src/console.log" | sed -n "s/^.*\] Kernel command line: //p" | head -1 > "$out/proc/cmdline"
    cp "$src/console.log" "$out/var/log/dmesg"
}

case "${1:-}" in
record) record "$2" ;;
shared)
    shared_case x86-2node-embed x86-2node-embed 6.1.0-56-amd64 x86_64
    out=$here/x86-2node-embed
    cp "$shared/kernel-boots/configs/config-6.1.0-56-amd64" "$out/boot/config-6.1.0-56-amd64"
    grep -E ' (_text|_stext|__per_cpu_start|__per_cpu_end)$' "$shared/kernel-boots/system-maps/System.map-6.1.0-56-amd64" \
        > "$out/boot/System.map-6.1.0-56-amd64"
    # kallsyms as a reader without CAP_SYSLOG sees it (kptr_restrict): every address 0.
    sed 's/^[0-9a-f]*/0000000000000000/' "$out/boot/System.map-6.1.0-56-amd64" > "$out/proc/kallsyms"
    # /sys/firmware/memmap: the firmware's e820 map, as the log's BIOS-e820 lines print it.
    n=0
    sed -n 's/^.*BIOS-e820: \[mem \(0x[0-9a-f]*\)-\(0x[0-9a-f]*\)\] \(.*\)$/\1 \2 \3/p' "$shared/firmware-boots/x86-2node-embed/console.log" | tr -d '\r' |
    while read -r start end type; do
        mkdir -p "$out/sys/firmware/memmap/$n"
        printf '0x%x\n' "$start" > "$out/sys/firmware/memmap/$n/start"
        printf '0x%x\n' "$end" > "$out/sys/firmware/memmap/$n/end"
        case "$type" in usable) t="System RAM" ;; reserved) t="Reserved" ;; "ACPI data") t="ACPI Tables" ;;
            "ACPI NVS") t="ACPI Non-volatile Storage" ;; *) t="$type" ;; esac
        echo "$t" > "$out/sys/firmware/memmap/$n/type"
        n=$((n + 1))
    done
    shared_case arm64-acpi-2node arm64-acpi-2node 6.1.0-56-arm64 aarch64
    gzip -9n < "$shared/kernel-boots/configs/config-6.1.0-56-arm64" > "$here/arm64-acpi-2node/proc/config.gz"
    rmdir "$here/arm64-acpi-2node/boot"
    ;;
*) echo "usage: $0 record NAME | shared" >&2; exit 2 ;;
esac
