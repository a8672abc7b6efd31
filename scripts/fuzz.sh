#!/bin/bash
# Fuzzes the readers of untrusted input with libFuzzer (swiftc -sanitize=fuzzer):
#   yaml  PlatformLoader (platform files)
#   fdt   the flattened device tree reader
#   log   the console-log readers (check's RealBootLog, import's BootLogFacts and
#         platform file, the memblock dump replay)
#   acpi  the binary ACPI tables (SRAT, SLIT, MADT, FADT), then a boot from them
#   build the kernel build's files (vmlinux ELF64, System.map, .config and gzip)
#   calls the allocator's inputs (call traces, tracepoint lines, workload YAML), replayed
#
#   scripts/fuzz.sh [TARGET...]            all six by default
#
# Environment: FUZZ_SECONDS per target (default 60), FUZZ_RUNS (stop after this
# many executions instead), FUZZ_CONFIG (debug|release, default release), FUZZ_MAX_LEN
# (libFuzzer's -max_len), FUZZ_NO_BUILD=1 (reuse the fuzzer an earlier run built),
# FUZZ_SCRATCH (the build and corpus folder, default .build-fuzz).
# Seeds come from the fixtures; the corpus grows in .build-fuzz/corpus/TARGET.
# A crash leaves its input in .build-fuzz/crashes/ and fails the script: copy it
# to Tests/Fixtures/fuzz-regressions/TARGET/ so that FuzzRegressionTests keep it.
# Prints one line per target: executions, corpus size, and whether it crashed.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH=/opt/swift/usr/bin:$PATH
scratch=${FUZZ_SCRATCH:-.build-fuzz}
config=${FUZZ_CONFIG:-release}
seconds=${FUZZ_SECONDS:-60}
runs=${FUZZ_RUNS:--1}
targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=(yaml fdt log acpi build calls)

# FUZZ_NO_BUILD=1: use the fuzzer built by an earlier run (to run targets side by side).
[ "${FUZZ_NO_BUILD:-0}" = 1 ] || swift build --scratch-path "$scratch" -c "$config" --product pcpu-boot-fuzz \
  -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library -Xswiftc -DPCPU_FUZZER >"$scratch.log" 2>&1 \
  || { tail -30 "$scratch.log" >&2; echo "fuzz build failed" >&2; exit 2; }
bin=$scratch/$config/pcpu-boot-fuzz

seeds() {
  case $1 in
    yaml) ls Platforms/*.yaml; find Tests -name '*.yaml' ;;
    fdt)  find Tests/Fixtures -name '*.dtb' ;;
    log)  find Tests/Fixtures/kernel-boots Tests/Fixtures/firmware-boots -name console.log ;;
    acpi) # One seed per recorded machine: its tables end to end, as the target cuts them.
          for d in Tests/Fixtures/firmware-boots/*/acpi; do
            out=$scratch/seed-src/acpi-$(basename "$(dirname "$d")"); mkdir -p "$(dirname "$out")"
            cat "$d"/SRAT "$d"/SLIT "$d"/APIC "$d"/FACP 2>/dev/null > "$out"; echo "$out"
            for t in "$d"/*; do echo "$t"; done
          done ;;
    build) find Tests/Fixtures/kernel-build -type f ! -name '*.sh' ! -name '*.readelf' ;;
    calls) # The recorded traces are large: their first lines, and the console logs' tracepoint lines.
          mkdir -p "$scratch/seed-src"
          for f in Tests/Fixtures/percpu-calls/*/percpu-calls.txt; do
            out=$scratch/seed-src/calls-$(basename "$(dirname "$f")"); head -c 12000 "$f" > "$out"; echo "$out"
          done
          for f in Tests/Fixtures/percpu-calls/*/console.log; do
            out=$scratch/seed-src/tp-$(basename "$(dirname "$f")"); grep -a -m 150 'percpu_' "$f" > "$out"; echo "$out"
          done
          printf 'balance: manual\nsteps:\n  - alloc: { count: 100, size: 8, align: 8, gfp: GFP_KERNEL_ACCOUNT, tag: a }\n  - free: { tag: a, every: 2 }\n  - balance: 1\n  - alloc: { count: 3, size: 4096, reserved: true }\n' > "$scratch/seed-src/workload.yaml"
          echo "$scratch/seed-src/workload.yaml" ;;
  esac
  [ -d "Tests/Fixtures/fuzz-regressions/$1" ] && find "Tests/Fixtures/fuzz-regressions/$1" -type f
}

failed=0
for target in "${targets[@]}"; do
  corpus=$scratch/corpus/$target seed_dir=$scratch/seeds/$target
  mkdir -p "$corpus" "$seed_dir" "$scratch/crashes"
  # libFuzzer reads seeds from folders: copy them in (each under a unique name).
  i=0; while read -r f; do cp "$f" "$seed_dir/$i-$(basename "$f")"; i=$((i + 1)); done < <(seeds "$target")
  max_len=65536; case $target in log|calls) max_len=16384 ;; acpi) max_len=8192 ;; esac
  max_len=${FUZZ_MAX_LEN:-$max_len}
  out=$scratch/$target.out
  # Swift's own backtracer would take the trap before libFuzzer could save the input.
  SWIFT_BACKTRACE=enable=no PCPU_FUZZ_TARGET=$target "$bin" "$corpus" "$seed_dir" -max_total_time="$seconds" -runs="$runs" \
    -max_len=$max_len -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$scratch/crashes/$target-" \
    -print_final_stats=1 >"$out" 2>&1
  rc=$?
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out" | tail -1)
  corpus_size=$(ls "$corpus" | wc -l)
  if [ $rc = 0 ]; then
    echo "fuzz $target: ${executions:-?} executions, corpus $corpus_size inputs, no crash"
  else
    failed=1
    echo "fuzz $target: ${executions:-?} executions, FAILED (exit $rc): $(grep -m1 -E 'ERROR|Fatal|deadly|timeout' "$out")"
    ls "$scratch/crashes/$target-"* 2>/dev/null | sed 's/^/  input: /'
  fi
done
exit $failed
