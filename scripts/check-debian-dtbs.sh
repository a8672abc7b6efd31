#!/bin/bash
# Reads every device tree that Debian's arm64 and riscv64 kernel packages ship
# with pcpu-boot and checks the contract: each ends in exit 0, 1 or 2 within a
# second of CPU time, an exit 2 with one precise line naming the file, never a trap.
#
#   scripts/check-debian-dtbs.sh [PCPU_BOOT_BINARY]
#
# Environment: DTB_SUITE (default trixie), DTB_CACHE (default
# /var/cache/pcpu-boot-dtbs), DTB_LIMIT (check only the first N per
# architecture), DTB_EXTRA_FLAGS (added to every run, e.g. "--memory 0x80000000:1G").
# The DTBs are in linux-image-ABI-FLAVOUR (bookworm, trixie) or linux-base-ABI-FLAVOUR
# (unstable from 7.x on). Downloads with apt-get into a private folder (the machine's sources are not
# touched). Prints one line per problem and a summary; exits 1 if any DTB
# broke the contract.
set -uo pipefail
bin=${1:-$(dirname "$0")/../.build/debug/pcpu-boot}
suite=${DTB_SUITE:-trixie}
cache=${DTB_CACHE:-/var/cache/pcpu-boot-dtbs}/$suite
limit=${DTB_LIMIT:-0}
[ -x "$bin" ] || { echo "no pcpu-boot at $bin (swift build first)" >&2; exit 2; }

apt_dir=$cache/apt
opts="-o Dir::Etc::sourcelist=$apt_dir/sources.list -o Dir::Etc::sourceparts=- -o Dir::State::Lists=$apt_dir/lists
 -o Dir::Cache::archives=$apt_dir/archives -o APT::Architectures::=amd64 -o APT::Architectures::=arm64
 -o APT::Architectures::=riscv64"
if [ ! -d "$apt_dir/lists" ]; then
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $suite main" \
    > "$apt_dir/sources.list"
  apt-get -qq $opts update >/dev/null || { echo "apt-get update for $suite failed" >&2; rm -rf "$apt_dir/lists"; exit 2; }
fi

# The kernel package of a flavour, unpacked: its DTBs are under usr/lib/linux-image-*.
unpack() {  # $1 flavour = Debian arch
  local flavour=$1 dir=$cache/$1 abi
  if [ -z "$(find "$dir" -name '*.dtb' 2>/dev/null | head -1)" ]; then
    abi=$(apt-cache $opts depends "linux-image-$flavour:$flavour" 2>/dev/null \
          | sed -n "s/.*Depends: linux-image-\(.*\)-$flavour\(:$flavour\)\{0,1\}$/\1/p" | grep -v unsigned | head -1)
    [ -n "$abi" ] || { echo "no linux-image-$flavour in $suite" >&2; return 1; }
    mkdir -p "$dir" && (cd "$dir" && for p in "linux-image-$abi-$flavour" "linux-binary-$abi-$flavour" "linux-base-$abi-$flavour"; do
      apt-get $opts download "$p:$flavour" >/dev/null 2>&1 && dpkg -x "$p"_*.deb . && rm -f "$p"_*.deb
    done; true)
  fi
  find "$dir" -name '*.dtb' | sort
}

total=0; broken=0; slow=0
timing=$(mktemp); trap 'rm -f "$timing"' EXIT
[ -x /usr/bin/time ] || { apt-get install -y -qq time >/dev/null 2>&1 || { echo "needs /usr/bin/time (Debian package time)" >&2; exit 2; }; }
declare -A status_count=() reason_count=()
for arch in arm64 riscv64; do
  mapfile -t dtbs < <(unpack "$arch")
  [ "$limit" -gt 0 ] && dtbs=("${dtbs[@]:0:$limit}")
  echo "$arch: ${#dtbs[@]} device trees from $suite"
  for dtb in "${dtbs[@]}"; do
    total=$((total + 1))
    # CPU time (user + system) of the run, so that a loaded machine does not count against it.
    err=$(timeout 10 /usr/bin/time -f "%U %S" -o "$timing" "$bin" --dtb "$dtb" --arch "$arch" --static-size 87272 \
          --format dmesg ${DTB_EXTRA_FLAGS:-} 2>&1 >/dev/null)
    rc=$?
    ms=$(awk '/^[0-9.]+ [0-9.]+$/ { printf "%d", ($1 + $2) * 1000 }' "$timing" 2>/dev/null)
    ms=${ms:-0}
    if grep -q "terminated by signal" "$timing" 2>/dev/null; then rc=$((128 + $(grep -o "signal [0-9]*" "$timing" | grep -o "[0-9]*"))); fi
    status_count[$rc]=$(( ${status_count[$rc]:-0} + 1 ))
    problem=""
    case $rc in
      0|1) ;;
      2) lines=$(printf '%s\n' "$err" | grep -c .)
         [ "$lines" = 1 ] || problem="exit 2 with $lines stderr lines"
         case $err in *"$dtb"*) ;; *) problem="exit 2 without naming the file: $err" ;; esac
         # What the message is about, without the file name and numbers: for the summary.
         reason=$(printf '%s' "${err#*error: }" | sed -e "s|$dtb||g" -e 's/0x[0-9a-f]*/N/g' -e 's/[0-9][0-9]*/N/g' | cut -c1-90)
         reason_count[$reason]=$(( ${reason_count[$reason]:-0} + 1 )) ;;
      124) problem="timed out after 10 s" ;;
      *) problem="exit $rc: $(printf '%s' "$err" | head -c 300)" ;;
    esac
    if [ "$ms" -gt 1000 ]; then slow=$((slow + 1)); problem="${problem:+$problem; }took $ms ms of CPU time"; fi
    if [ -n "$problem" ]; then broken=$((broken + 1)); echo "BROKEN $dtb: $problem"; fi
  done
done
echo "exit 2 reasons:"
for r in "${!reason_count[@]}"; do printf '%6d  %s\n' "${reason_count[$r]}" "$r"; done | sort -rn
summary="device trees: $total;"
for s in "${!status_count[@]}"; do summary+=" exit $s: ${status_count[$s]};"; done
echo "$summary slower than 1 s: $slow; contract broken: $broken"
[ "$broken" = 0 ]
