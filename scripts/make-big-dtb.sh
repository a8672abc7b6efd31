#!/bin/sh
# Writes a device tree blob for a large arm64 NUMA machine with the project's
# own FDT writer (FlattenedDeviceTreeWriter): CPUS CPUs spread evenly over NODES
# nodes of 1 GiB each, a chain numa-distance-map-v1. Default: 8192 CPUs, 1024 nodes.
#   scripts/make-big-dtb.sh big.dtb [CPUS] [NODES]
# Boot it with a platform file that raises NR_CPUS and NODES_SHIFT, e.g.
#   arch: arm64 / config: { nr-cpus: 8192, nodes-shift: 10 } / static-size: 87272 /
#   firmware: { device-tree: { dtb: big.dtb } }
set -eu
cd "$(dirname "$0")/.."
out=${1:?usage: scripts/make-big-dtb.sh FILE [CPUS] [NODES]}
case "$out" in /*) ;; *) out="$OLDPWD/$out" ;; esac
swift run -c release pcpu-boot-bench make-dtb "$out" "${2:-8192}" "${3:-1024}"
