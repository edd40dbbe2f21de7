#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The whole test run, as root on Debian 12: set-up (packages, hugepages,
# build), the unit tests (meson test), then the end-to-end suites on the
# namespace lab (pytest). Exits non-zero if anything failed; the pytest
# summary is printed last. Extra arguments go to pytest.

set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$HERE")
BUILD=${BUILD:-$REPO/build}
cd "$REPO"

bash "$HERE/setup.sh" || { echo "run-tests: setup failed" >&2; exit 1; }

rc=0
echo "=== unit tests"
meson test -C "$BUILD" --print-errorlogs
urc=$?
[ "$urc" -eq 0 ] || rc=1

echo "=== end-to-end suites"
mkdir -p "$HERE/out"
/usr/bin/python3 -m pytest "$HERE" -v "$@" 2>&1 | tee "$HERE/out/pytest.log"
prc=${PIPESTATUS[0]}
[ "$prc" -eq 0 ] || rc=1

echo
echo "=== summary"
[ "$urc" -eq 0 ] && echo "unit tests: passed" || echo "unit tests: FAILED"
grep -E "^(FAILED|ERROR) " "$HERE/out/pytest.log" || true
tail -n 1 "$HERE/out/pytest.log"
exit $rc
