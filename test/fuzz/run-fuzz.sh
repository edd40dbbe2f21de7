#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# One bounded run of a libFuzzer target, as `meson test --suite fuzz` does
# it (docs/fuzzing.md):
#
#   run-fuzz.sh <target> <workdir> <seconds> [libFuzzer options] -- [seeds]
#
# The run starts from an empty scratch corpus (<workdir>/corpus, where
# libFuzzer writes what it finds) and reads every seed folder (never
# written), so each run executes all the seeds first: the committed
# reproducers of old crashes are regression tests. A crash, a leak,
# undefined behaviour, an input slower than 10 s or more than 2 GB of
# memory fails the run; the input that did it is kept in
# <workdir>/artifacts/ and the command that reproduces it is printed.
# Run from the repository's top folder (seed paths are relative to it).

set -u

[ $# -ge 3 ] || { echo "usage: $0 target workdir seconds [opts] -- [seeds]" >&2; exit 2; }
target=$1 workdir=$2 seconds=$3
shift 3
opts=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
	opts+=("$1")
	shift
done
[ $# -gt 0 ] && shift
seeds=()
for d in "$@"; do
	[ -d "$d" ] || { echo "run-fuzz: no seed folder $d" >&2; exit 2; }
	seeds+=("$d")
done

rm -rf "$workdir/corpus" "$workdir/artifacts"
mkdir -p "$workdir/corpus" "$workdir/artifacts"

# UBSan stops at the first report (the targets are also built with
# -fno-sanitize-recover=undefined); ASan checks leaks at every input's end.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

echo "run-fuzz: $target ${opts[*]} for ${seconds}s, seeds: ${seeds[*]:-none}"
"$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 -artifact_prefix="$workdir/artifacts/" \
	"${opts[@]}" "$workdir/corpus" "${seeds[@]}"
rc=$?
if [ $rc -ne 0 ]; then
	echo "run-fuzz: $target FAILED (exit $rc); inputs kept:" >&2
	for f in "$workdir"/artifacts/*; do
		[ -e "$f" ] || continue
		echo "  $f" >&2
		echo "  reproduce: $target $f" >&2
		echo "  minimise:  $target -minimize_crash=1 -runs=10000 $f" >&2
	done
fi
exit $rc
