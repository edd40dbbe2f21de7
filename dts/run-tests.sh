#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The whole test run, as root on Debian 12: set-up (packages, hugepages,
# build), the unit tests (meson test), the sanitizer and fuzz build (clang,
# build-fuzz/: the unit tests again under AddressSanitizer and UBSan, and a
# bounded run of every fuzz target from its seeds, docs/fuzzing.md), then
# the end-to-end suites on the namespace lab (pytest). Exits non-zero if
# anything failed; the pytest summary is printed last. Extra arguments go
# to pytest. FUZZ_SECONDS (default 5) is each fuzz target's run;
# SKIP_FUZZ=1 leaves the clang build out.

set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$HERE")
BUILD=${BUILD:-$REPO/build}
FUZZ_BUILD=${FUZZ_BUILD:-$REPO/build-fuzz}
FUZZ_SECONDS=${FUZZ_SECONDS:-5}
cd "$REPO"

bash "$HERE/setup.sh" || { echo "run-tests: setup failed" >&2; exit 1; }

rc=0
echo "=== unit tests"
meson test -C "$BUILD" --print-errorlogs
urc=$?
[ "$urc" -eq 0 ] || rc=1

# Configured afresh every run: a new test/fuzz_*.c is found at set-up.
frc=0
if [ "${SKIP_FUZZ:-0}" != 1 ]; then
	echo "=== sanitizers and fuzz targets (clang, $FUZZ_BUILD)"
	t0=$SECONDS
	fopts=(-Dfuzz=true -Dfuzz_seconds="$FUZZ_SECONDS"
		-Db_sanitize=address,undefined -Dbuildtype=debugoptimized)
	if [ -f "$FUZZ_BUILD/build.ninja" ]; then
		meson setup --reconfigure "${fopts[@]}" "$FUZZ_BUILD" >/dev/null
	else
		CC=clang meson setup "${fopts[@]}" "$FUZZ_BUILD" >/dev/null
	fi &&
	ninja -C "$FUZZ_BUILD" unit-and-fuzz >/dev/null &&
	meson test -C "$FUZZ_BUILD" --no-rebuild --suite unit --suite fuzz \
		--print-errorlogs
	frc=$?
	echo "sanitizers and fuzz targets: $((SECONDS - t0)) s"
	[ "$frc" -eq 0 ] || rc=1
fi

echo "=== end-to-end suites"
mkdir -p "$HERE/out"
/usr/bin/python3 -m pytest "$HERE" -v "$@" 2>&1 | tee "$HERE/out/pytest.log"
prc=${PIPESTATUS[0]}
[ "$prc" -eq 0 ] || rc=1

echo
echo "=== summary"
[ "$urc" -eq 0 ] && echo "unit tests: passed" || echo "unit tests: FAILED"
if [ "${SKIP_FUZZ:-0}" != 1 ]; then
	[ "$frc" -eq 0 ] && echo "sanitizers and fuzz targets: passed" ||
		echo "sanitizers and fuzz targets: FAILED"
fi
grep -E "^(FAILED|ERROR) " "$HERE/out/pytest.log" || true
tail -n 1 "$HERE/out/pytest.log"
exit $rc
