#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Haven in five minutes: build, bring the lab up, and leave you at the
# primary home agent's console while a mobile node away from home registers
# and the correspondent host pings it through the tunnel. Two secondary
# home agents run beside it (EP 1134991). Try:
#
#   haven> show bindings
#   haven> delegate 192.0.2.100 sha1     (the stream moves to sha1)
#   haven> show delegation               (sha1's count grows, ours stops)
#   haven> show peers
#   haven> undelegate 192.0.2.100        (and it comes back)
#   haven> shutdown                      (the lab is torn down afterwards)
#
# Environment: PREFIX (lab prefix, default hv), CONFIG (default
# config/lab-pha.yaml), SECONDARIES (default "sha1 sha2", "" for none),
# SKIP_SETUP=1 to skip dts/setup.sh.

set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$HERE")
PREFIX=${PREFIX:-hv}
CONFIG=${CONFIG:-$REPO/config/lab-pha.yaml}
SECONDARIES=${SECONDARIES-sha1 sha2}
HAVEN=${HAVEN:-$REPO/build/app/haven/haven}
PY=/usr/bin/python3
OUT=$HERE/out
LOG=$OUT/demo.log
# shellcheck source=lab.env
. "$HERE/lab.env"

say() { printf '\033[1mdemo:\033[0m %s\n' "$*"; }

[ "$(id -u)" -eq 0 ] || { echo "demo: must run as root" >&2; exit 1; }
mkdir -p "$OUT"
: > "$LOG"

if [ "${SKIP_SETUP:-0}" != 1 ]; then
	say "setting up (packages, hugepages, build): see $OUT/setup.log"
	bash "$HERE/setup.sh" > "$OUT/setup.log" 2>&1 ||
		{ tail -20 "$OUT/setup.log"; exit 1; }
fi
[ -x "$HAVEN" ] || { echo "demo: $HAVEN is not built" >&2; exit 1; }

# The SA of the mobile node, from the configuration haven will read.
read -r SPI ALG KEY < <("$PY" - "$CONFIG" "$MN_HOME_ADDR" <<'PYEOF'
import sys, yaml
cfg = yaml.safe_load(open(sys.argv[1]))
for m in cfg.get("mobile_nodes", []):
    if m.get("home_address") == sys.argv[2]:
        print(m["spi"], m.get("algorithm", "hmac-md5"), m["key"])
        break
PYEOF
)
[ -n "${KEY:-}" ] || { echo "demo: $MN_HOME_ADDR not in $CONFIG" >&2; exit 1; }
FILE_PREFIX=$("$PY" -c 'import sys, yaml
print(yaml.safe_load(open(sys.argv[1]))["eal"]["file_prefix"])' "$CONFIG")
TEL=/var/run/dpdk/$FILE_PREFIX/dpdk_telemetry.v2

pids=()
cleanup() {
	trap - EXIT INT TERM
	say "tearing down"
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	bash "$HERE/lab.sh" down "$PREFIX" >> "$LOG" 2>&1
	say "lab '$PREFIX' removed; logs in $LOG"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "building the lab '$PREFIX' (home link $HOME_NET, visited $VA_NET and $VB_NET)"
bash "$HERE/lab.sh" down "$PREFIX" >> "$LOG" 2>&1
bash "$HERE/lab.sh" up "$PREFIX" >> "$LOG" 2>&1 ||
	{ echo "demo: lab.sh up failed, see $LOG" >&2; exit 1; }

say "mobile node endpoint in $PREFIX-mn: tun0 $MN_HOME_ADDR, CoA $MN_VA_ADDR"
ip netns exec "$PREFIX-mn" "$PY" "$HERE/mn_endpoint.py" --ha "$HA_ADDR" \
	--hoa "$MN_HOME_ADDR" --iface "$MN_VA_IFACE" --coa "$MN_VA_ADDR" \
	--stats "$OUT/demo-endpoint.json" < /dev/null >> "$LOG" 2>&1 &
pids+=($!)

# What happens once haven is up, in the background, so that you are at
# the console meanwhile.
rm -f "$TEL"
(
	for _ in $(seq 1 150); do [ -S "$TEL" ] && break; sleep 0.2; done
	sleep 2
	echo "--- registration" >> "$LOG"
	r=$(ip netns exec "$PREFIX-mn" "$PY" "$HERE/mipclient.py" register \
		--ha "$HA_ADDR" --hoa "$MN_HOME_ADDR" --coa "$MN_VA_ADDR" \
		--spi "$SPI" --alg "$ALG" --key "$KEY" --lifetime 600 2>&1)
	echo "$r" >> "$LOG"
	printf '\r'; say "mobile node registered from $MN_VA_ADDR: $r"
	sleep 1
	echo "--- ping" >> "$LOG"
	p=$(ip netns exec "$PREFIX-ch" ping -n -c 5 -i 0.3 "$MN_HOME_ADDR" 2>&1 |
		tee -a "$LOG" | grep "packets transmitted")
	printf '\r'; say "ping $CH_ADDR -> $MN_HOME_ADDR through the tunnel: $p"
	say "a 100 pps UDP stream runs for 60 s; try 'show bindings', then"
	say "'delegate $MN_HOME_ADDR sha1' and 'show delegation'"
	printf 'haven> '
	ip netns exec "$PREFIX-mn" "$PY" "$HERE/udp_stream.py" recv --port 9000 \
		--duration 70 --out "$OUT/demo-stream.json" >> "$LOG" 2>&1 &
	sleep 0.5
	ip netns exec "$PREFIX-ch" "$PY" "$HERE/udp_stream.py" send \
		--dst "$MN_HOME_ADDR" --count 6000 --rate 100 >> "$LOG" 2>&1
	wait
) < /dev/null &
pids+=($!)

for sha in $SECONDARIES; do
	say "secondary home agent $sha in $PREFIX-$sha (config/lab-$sha.yaml)"
	ip netns exec "$PREFIX-$sha" "$HAVEN" -f "$REPO/config/lab-$sha.yaml" \
		--no-console < /dev/null > "$OUT/demo-$sha.log" 2>&1 &
	pids+=($!)
done

say "starting haven in $PREFIX-ha on ha0 ($HA_MAC), home agent $HA_ADDR"
say "the registration and a ping follow in a few seconds; 'shutdown' ends the demo (quit only leaves the console)"
ip netns exec "$PREFIX-ha" "$HAVEN" -f "$CONFIG"
say "haven exited ($?)"
