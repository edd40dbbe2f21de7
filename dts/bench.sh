#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The performance benchmark in one command (docs/perf.md): builds
# haven-bench in a release build directory if needed, picks hugepages when
# enough are free (else --no-huge), and runs it. haven-bench runs the
# dpdk-testpmd baseline itself, interleaved with its own measurements, and
# prints one table on stdout (progress on stderr).
#
#   dts/bench.sh                 full run: 64K and 1M bindings, 5 rounds
#   dts/bench.sh --smoke         a few seconds, 4096 bindings, 1 round
#   dts/bench.sh --rounds 3 --secs 0.5 --sizes 65536
#
# Environment: BUILD (default build-perf), SETUP=1 runs dts/setup.sh first
# (as root: packages, hugepages), HUGE=0 forces --no-huge.

set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$HERE")
BUILD=${BUILD:-$REPO/build-perf}

say() { echo "bench: $*" >&2; }

smoke=0
for a in "$@"; do
	[ "$a" = --smoke ] && smoke=1
	[ "$a" = -h ] || [ "$a" = --help ] && {
		sed -n '3,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0; }
done

# --- set-up and build, if needed --------------------------------------------
if [ "${SETUP:-0}" = 1 ] || ! command -v meson >/dev/null ||
   ! pkg-config --exists libdpdk 2>/dev/null; then
	say "running dts/setup.sh (packages, hugepages)"
	SKIP_BUILD=1 "$HERE/setup.sh" >&2
fi
if [ ! -f "$BUILD/build.ninja" ]; then
	say "configuring $BUILD (release)"
	meson setup "$BUILD" "$REPO" --buildtype=release >&2
fi
ninja -C "$BUILD" app/haven-bench/haven-bench >&2
command -v dpdk-testpmd >/dev/null ||
	say "dpdk-testpmd not found (Debian package dpdk): (a) uses the in-process loop"

# --- memory -------------------------------------------------------------------
# The full run holds 1M bindings (~250 MiB), a bare hash of the same keys
# (~70 MiB) and mbufs; testpmd takes 128 MB more while it runs. The IP in
# UDP row (c') holds the same bindings once more in a second table (~250
# MiB): with 800 MB of hugepages but not 1100 it is left out at 1M.
mem_args=()
if [ $smoke = 1 ]; then
	mem_args=(--no-huge --mem 256)
else
	free_pages=$(awk '/^HugePages_Free/ {print $2}' /proc/meminfo 2>/dev/null || echo 0)
	page_kb=$(awk '/^Hugepagesize/ {print $2}' /proc/meminfo 2>/dev/null || echo 2048)
	free_mb=$(( ${free_pages:-0} * ${page_kb:-2048} / 1024 ))
	if [ "${HUGE:-1}" != 0 ] && [ "$free_mb" -ge 1100 ] &&
	   grep -qs hugetlbfs /proc/mounts; then
		say "hugepages: $free_mb MB free, using 900 MB"
		mem_args=(--mem 900)
	elif [ "${HUGE:-1}" != 0 ] && [ "$free_mb" -ge 800 ] &&
	   grep -qs hugetlbfs /proc/mounts; then
		say "hugepages: $free_mb MB free, using 640 MB"
		mem_args=(--mem 640)
	else
		say "hugepages: $free_mb MB free, not enough: --no-huge"
		mem_args=(--no-huge --mem 1024)
	fi
fi

exec "$BUILD/app/haven-bench/haven-bench" "${mem_args[@]}" "$@"
