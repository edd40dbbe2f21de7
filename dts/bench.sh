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
#   dts/bench.sh --before REV    also the fast path of commit REV, measured
#                                in the same rounds (before and after)
#   dts/bench.sh --rounds 3 --secs 0.5 --sizes 65536 --variants dense
#
# Environment: BUILD (default build-perf), SETUP=1 runs dts/setup.sh first
# (as root: packages, hugepages), HUGE=0 forces --no-huge.

set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$HERE")
BUILD=${BUILD:-$REPO/build-perf}

say() { echo "bench: $*" >&2; }

smoke=0
before=
args=()
while [ $# -gt 0 ]; do
	case "$1" in
	--smoke) smoke=1; args+=("$1") ;;
	--before) before=$2; shift ;;
	-h|--help) sed -n '3,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) args+=("$1") ;;
	esac
	shift
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

# --- the earlier fast path, for (c0) ------------------------------------------
# This haven-bench's source built with -DHAVEN_BENCH_BEFORE against REV's
# libraries, with the flags meson's release build uses.
if [ -n "$before" ]; then
	rev=$(git -C "$REPO" rev-parse --short "$before")
	src=$BUILD/before-$rev
	if [ ! -x "$src/haven-bench" ] ||
	   [ "$REPO/app/haven-bench/bench.c" -nt "$src/haven-bench" ]; then
		say "building the fast path of $rev in $src"
		rm -rf "$src"
		mkdir -p "$src"
		git -C "$REPO" archive "$rev" lib | tar -x -C "$src"
		# shellcheck disable=SC2046
		cc -O3 -DALLOW_EXPERIMENTAL_API -D_GNU_SOURCE -DHAVEN_BENCH_BEFORE \
			-march=native $(pkg-config --cflags libdpdk) \
			-I"$src/lib/common" -I"$src/lib/binding" \
			-I"$src/lib/fastpath" -I"$src/lib/mip4" -I"$src/lib/mip6" \
			"$REPO/app/haven-bench/bench.c" \
			"$src"/lib/binding/*.c "$src"/lib/fastpath/*.c \
			"$src"/lib/mip4/*.c "$src"/lib/mip6/*.c \
			-o "$src/haven-bench" $(pkg-config --libs libdpdk) \
			-lcrypto -lm >&2
	fi
	args+=(--before "$src/haven-bench" --before-label "commit $rev")
fi

# --- memory -------------------------------------------------------------------
# The full run holds 1M bindings (~250 MiB, IPv6 ~400 MiB), a bare hash of
# the same keys (~70 MiB) and mbufs; testpmd and the (c0) child take
# their own while they run.
mem_args=()
if [ $smoke = 1 ]; then
	mem_args=(--no-huge --mem 256)
else
	free_pages=$(awk '/^HugePages_Free/ {print $2}' /proc/meminfo 2>/dev/null || echo 0)
	page_kb=$(awk '/^Hugepagesize/ {print $2}' /proc/meminfo 2>/dev/null || echo 2048)
	free_mb=$(( ${free_pages:-0} * ${page_kb:-2048} / 1024 ))
	need=800
	[ -n "$before" ] && need=1600
	if [ "${HUGE:-1}" != 0 ] && [ "$free_mb" -ge $need ] &&
	   grep -qs hugetlbfs /proc/mounts; then
		say "hugepages: $free_mb MB free, using 640 MB"
		mem_args=(--mem 640)
	else
		say "hugepages: $free_mb MB free, not enough: --no-huge"
		mem_args=(--no-huge --mem 1024)
	fi
fi

exec "$BUILD/app/haven-bench/haven-bench" "${mem_args[@]}" "${args[@]}"
