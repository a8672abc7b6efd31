#!/bin/bash
# ../shared/tools/record-firmware.sh (the firmware initramfs boot: console with memblock=debug,
# the machine's ACPI tables and FDT extracted next to it) with the kernel image as a choice:
#   PCPU_KERNEL_IMAGE  a vmlinuz to boot instead of Debian's 6.1.0-56, e.g. trixie's
#                      vmlinuz-6.12.117+deb13-amd64 (apt-get download linux-image-6.12.117+deb13-amd64
#                      from a trixie sources.list, then dpkg -x), as the *-6.12 cases were recorded
#   PCPU_ARM64_BIOS    the UEFI image for arm64-uefi instead of bookworm's QEMU_EFI.fd (edk2 2022.11),
#                      e.g. trixie's qemu-efi-aarch64 2025.02 QEMU_EFI.fd: bookworm's hands the empty
#                      second flash bank (0x4000000) to the kernel as RAM that no SRAT range covers,
#                      so arm64's ACPI NUMA init always fails and fakes one node
# Everything else as the shared script: QEMU 7.2 from Debian, -M pc (x86_64; a later -M in the
# arguments wins, e.g. -M q35), -cpu max; busybox-static initramfs from make-firmware-initramfs.sh.
# usage: record-firmware.sh OUTDIR NAME ARCH(x86_64|arm64-uefi|arm64) "QEMU ARGS" "EXTRA CMDLINE"
set -u
out=$1 name=$2 arch=$3 qargs=$4 extra=${5:-}
kc=${PCPU_KERNEL_CACHE:-/var/cache/pcpu-boot-kernels}
shared=$(cd "$(dirname "$0")/../../shared/tools" 2>/dev/null && pwd || echo /work/shared/tools)
base="loglevel=8 ignore_loglevel log_buf_len=16M panic=-1 nokaslr memblock=debug"
case $arch in
  x86_64) flav=amd64; q="qemu-system-x86_64 -M pc -cpu max"; con=ttyS0; deb=amd64 ;;
  arm64-uefi) flav=arm64; q="qemu-system-aarch64 -M virt -cpu cortex-a57 -bios ${PCPU_ARM64_BIOS:-/usr/share/qemu-efi-aarch64/QEMU_EFI.fd}"; con=ttyAMA0; deb=arm64 ;;
  arm64) flav=arm64; q="qemu-system-aarch64 -M virt -cpu cortex-a57"; con=ttyAMA0; deb=arm64 ;;
  *) echo "unknown ARCH $arch" >&2; exit 2 ;;
esac
k=${PCPU_KERNEL_IMAGE:-$(ls $kc/$flav/boot/vmlinuz-6.1.0-56-$flav $kc/bookworm/$flav/boot/vmlinuz-6.1.0-56-$flav 2>/dev/null | head -1)}
[ -f "$k" ] || { echo "no kernel image '$k' (PCPU_KERNEL_IMAGE, or vmlinuz-6.1.0-56-$flav under $kc)" >&2; exit 1; }
initrd=/var/cache/pcpu-initramfs/firmware-$deb.cpio.gz
[ -f "$initrd" ] || "$shared/make-firmware-initramfs.sh" $deb "$initrd"
mkdir -p "$out/$name"
cmd="console=$con $base $extra"
echo "$q $qargs -kernel $(basename "$k") -initrd firmware-initramfs -append \"$cmd\"" | sed "s#${PCPU_ARM64_BIOS:-^}#QEMU_EFI.fd-from-qemu-efi-aarch64-2025.02#" > "$out/$name/qemu-command.txt"
timeout 600 $q $qargs -kernel "$k" -initrd "$initrd" -append "$cmd" -nographic -no-reboot < /dev/null > "$out/$name/console.log" 2>&1
"$shared/extract-firmware.py" "$out/$name/console.log" "$out/$name/acpi" | sed 's#.*/##' | tr '\n' ' '
[ -f "$out/$name/acpi/board.dtb" ] && mv "$out/$name/acpi/board.dtb" "$out/$name/board.dtb"
rmdir "$out/$name/acpi" 2>/dev/null
echo; echo "$name: $(grep -ac 'percpu:' "$out/$name/console.log") percpu line(s)"
