#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Prepare a fresh Debian 12 machine (as root) to build and test haven:
# packages, 2 MB hugepages (best effort: without them haven runs with
# --no-huge through "hugepages: auto"), then meson setup and ninja.
# Idempotent; SKIP_APT=1 skips the package step, SKIP_BUILD=1 the build.

set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$HERE")
BUILD=${BUILD:-$REPO/build}
HUGEPAGES=${HUGEPAGES:-512}

PACKAGES=(
	build-essential meson ninja-build pkg-config
	libdpdk-dev dpdk libyaml-dev libjansson-dev libssl-dev liblmdb-dev
	python3 python3-scapy python3-pytest python3-yaml python3-prometheus-client
	tshark nftables ethtool iproute2 iputils-ping procps
	# the NAT of the RFC 3519 suite forgets its mappings (lab.sh nat-flush)
	conntrack
	# VRRP of the active/standby pair (dts/keepalived_lab.py)
	keepalived
	# RADIUS server of the AAA suites (dts/radius/raddb)
	freeradius freeradius-utils
	# dpdk-telemetry.py, dpdk-dumpcap and dpdk-proc-info (operator suite)
	dpdk-dev
	# libFuzzer, AddressSanitizer and UBSan runtimes (docs/fuzzing.md)
	clang libclang-rt-14-dev
	# promtool checks the exporter's output and the alerting rules
	prometheus
)

say() { echo "setup: $*"; }

[ "$(id -u)" -eq 0 ] || { echo "setup: must run as root" >&2; exit 1; }

# --- packages ---------------------------------------------------------------
if [ "${SKIP_APT:-0}" != 1 ]; then
	missing=()
	for p in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q "install ok installed" || missing+=("$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		say "installing ${missing[*]}"
		export DEBIAN_FRONTEND=noninteractive
		# tshark asks whether non-root users may capture: answer no
		echo "wireshark-common wireshark-common/install-setuid boolean false" |
			debconf-set-selections
		apt-get update
		apt-get install -y --no-install-recommends "${missing[@]}"
		# Debian's prometheus package starts a Prometheus server (port
		# 9090) where systemd runs; only its promtool is wanted here
		if [[ " ${missing[*]} " == *" prometheus "* ]] &&
		   [ -d /run/systemd/system ]; then
			systemctl disable --now prometheus >/dev/null 2>&1 || true
			say "prometheus service disabled (promtool is what the tests use)"
		fi
	else
		say "packages present"
	fi
fi

# Debian enables a system-wide FreeRADIUS on install; the lab runs its own
# instances (dts/radius/raddb, ports of their own) and wants none on
# 1812/1813 with the package's default configuration.
if [ -d /run/systemd/system ] &&
	systemctl is-enabled --quiet freeradius 2>/dev/null; then
	say "disabling the system FreeRADIUS (the lab starts its own)"
	systemctl disable --now freeradius || true
fi

# --- hugepages (best effort) ------------------------------------------------
nr=/proc/sys/vm/nr_hugepages
if [ -w "$nr" ]; then
	cur=$(cat "$nr")
	if [ "$cur" -lt "$HUGEPAGES" ]; then
		echo "$HUGEPAGES" > "$nr" 2>/dev/null || true
	fi
	say "hugepages: $(cat "$nr") x 2 MB reserved"
else
	say "hugepages: cannot reserve (haven falls back to --no-huge)"
fi
if ! grep -qs " /dev/hugepages hugetlbfs " /proc/mounts; then
	mkdir -p /dev/hugepages 2>/dev/null || true
	if mount -t hugetlbfs nodev /dev/hugepages 2>/dev/null; then
		say "mounted hugetlbfs on /dev/hugepages"
	else
		say "cannot mount hugetlbfs (haven falls back to --no-huge)"
	fi
fi

# --- build ------------------------------------------------------------------
if [ "${SKIP_BUILD:-0}" != 1 ]; then
	cd "$REPO"
	if [ -f "$BUILD/build.ninja" ]; then
		meson setup --reconfigure "$BUILD" >/dev/null ||
			meson setup --wipe "$BUILD"
	else
		meson setup "$BUILD"
	fi
	ninja -C "$BUILD"
	say "built in $BUILD"
fi
