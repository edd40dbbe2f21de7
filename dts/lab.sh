#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Haven lab: a home link, a router and a mobile node built from network
# namespaces, veth pairs and a bridge, so that a home agent running with
# net_af_packet on ha0 has real Linux hosts to talk to (DESIGN.md section 4).
#
#   dts/lab.sh up     [prefix]   build the lab (idempotent)
#   dts/lab.sh up6    [prefix]   the same, plus IPv6 (2001:db8::/32) on the
#                                correspondent host, the router and the
#                                mobile node (LAB_IPV6=1 dts/lab.sh up is
#                                the same); ha0, sha1, sha2 stay IPv6-silent
#   dts/lab.sh down   [prefix]   remove everything it made, even half-built
#   dts/lab.sh status [prefix]   show it; exit 1 if something is missing
#   dts/lab.sh loss N [prefix] [udp-port]
#                                drop N % of the frames on the home bridge,
#                                or only of UDP to/from udp-port (0 removes
#                                the rule)
#   dts/lab.sh cut-control on|off [prefix]
#                                drop every delegation message (UDP 4434,
#                                either direction) on the home bridge
#   dts/lab.sh nat [prefix] [udp-timeout]
#                                add a NAT (nftables masquerade, random
#                                ports) between the router and a second
#                                mobile node namespace <p>-mnn; its UDP
#                                conntrack timeout in seconds (lab.env's
#                                NAT_UDP_TIMEOUT by default). Only the
#                                suites that need it build it.
#   dts/lab.sh nat-flush [prefix]
#                                forget the NAT's mappings (conntrack -F):
#                                the next packet gets a new public port
#   dts/lab.sh scale N [prefix]  add secondaries sha3..shaN (N <= 8) to a
#                                lab that is up, and on an IPv6 lab route
#                                the bulk visited prefix VC6_NET through
#                                the router to the mobile node (only the
#                                suites that need them; down removes them)
#
# Topology (prefix "hv"; every name begins with the prefix):
#
#   hv-ch  eth0 192.0.2.10 ---+
#   hv-ha  ha0 (no address) --+-- br0 in hv-home (home link 192.0.2.0/24)
#   hv-sha1 sha1, hv-sha2 sha2+         |
#   hv-rt  home0 192.0.2.254 -+
#          vna 198.51.100.1 ----------- va 198.51.100.10  hv-mn
#          vnb 203.0.113.1  ----------- vb 203.0.113.10   (tun0 192.0.2.100
#                                                          made by mn_endpoint)
#          vnn 203.0.113.129/28 -- npub 203.0.113.130  hv-nat    (lab.sh nat)
#                                  npriv 198.51.100.129/28 -- vn 198.51.100.138
#                                                                 hv-mnn
#
# Addresses and names live in dts/lab.env, shared with the Python harness.

set -u
set -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lab.env
. "$HERE/lab.env"

usage() {
	echo "usage: $0 up|up6|down|status [prefix]" >&2
	echo "       $0 loss <percent> [prefix] [udp-port]" >&2
	echo "       $0 cut-control on|off [prefix]" >&2
	echo "       $0 nat|nat-flush [prefix] [udp-timeout]" >&2
	echo "       $0 scale <secondaries> [prefix]" >&2
	exit 2
}

log() { echo "lab: $*"; }
die() { echo "lab: error: $*" >&2; exit 1; }

# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

ns_names() {
	local p=$1 i
	echo "$p-home $p-ha $p-ch $p-rt $p-mn $p-sha1 $p-sha2"
	# sha3..sha8 exist only after "scale"
	for i in $(seq 3 "$MAX_SHAS"); do
		ns_exists "$p-sha$i" && echo "$p-sha$i"
	done
}

# the NAT's namespaces, made only by "nat"
nat_ns_names() {
	local p=$1
	echo "$p-nat $p-mnn"
}

ns_exists() { [ -e "/var/run/netns/$1" ]; }

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

link_exists() { ip -n "$1" link show dev "$2" >/dev/null 2>&1; }

ensure_ns() {
	local ns=$1
	if ! ns_exists "$ns"; then
		ip netns add "$ns" || die "cannot create namespace $ns"
	fi
	ip -n "$ns" link set lo up
	# Quiet, IPv4-only hosts; no reverse path filtering anywhere.
	nsx "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 \
		net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0 >/dev/null
}

# offloads_off NS IFACE: af_packet must see whole frames with full checksums.
offloads_off() {
	ethtool_out=$(nsx "$1" ethtool -K "$2" tx off rx off tso off gso off \
		gro off 2>&1) || log "ethtool -K $2 in $1: $ethtool_out"
}

# veth NS1 IF1 MAC1 NS2 IF2: a veth pair with IF1 in NS1 and IF2 in NS2.
veth() {
	local ns1=$1 if1=$2 mac1=$3 ns2=$4 if2=$5
	if link_exists "$ns1" "$if1" && link_exists "$ns2" "$if2"; then
		:
	else
		# half-built: remove whichever end is left over
		ip -n "$ns1" link del "$if1" >/dev/null 2>&1
		ip -n "$ns2" link del "$if2" >/dev/null 2>&1
		ip -n "$ns1" link add "$if1" type veth peer name "$if2" \
			netns "$ns2" || die "cannot create veth $ns1/$if1 - $ns2/$if2"
	fi
	if [ -n "$mac1" ]; then
		ip -n "$ns1" link set dev "$if1" address "$mac1"
	fi
	ip -n "$ns1" link set dev "$if1" mtu 1500
	ip -n "$ns2" link set dev "$if2" mtu 1500
	offloads_off "$ns1" "$if1"
	offloads_off "$ns2" "$if2"
	nsx "$ns1" sysctl -qw "net.ipv4.conf.$if1.rp_filter=0" >/dev/null
	nsx "$ns2" sysctl -qw "net.ipv4.conf.$if2.rp_filter=0" >/dev/null
}

# port NS IF MAC PORTNAME: veth from NS to the home bridge.
port() {
	local ns=$1 if=$2 mac=$3 pname=$4 home=$P-home
	veth "$ns" "$if" "$mac" "$home" "$pname"
	ip -n "$home" link set dev "$pname" master "$BRIDGE"
	ip -n "$home" link set dev "$pname" up
	ip -n "$ns" link set dev "$if" up
}

# silent NS IF: an interface the kernel must never speak on (DPDK owns it).
silent() {
	ip -n "$1" addr flush dev "$2"
	ip -n "$1" link set dev "$2" arp off
	nsx "$1" sysctl -qw "net.ipv6.conf.$2.disable_ipv6=1" >/dev/null
}

# --------------------------------------------------------------------------
# up
# --------------------------------------------------------------------------

# nft_mn_rules NS PROTOCOLS: the rules of a mobile node's namespace.
nft_mn_rules() {
	# The kernel has no ipip/gre modules: it answers every tunnelled
	# packet with "protocol unreachable". The user-space endpoint handles
	# them, so those answers must not leave. Port unreachables that quote
	# one of PROTOCOLS (offset 17 of the ICMP message is the quoted IP
	# header's protocol field) go too: the tunnel protocols, and behind
	# the NAT UDP (17), for tunnel data that reaches the node's port
	# while no socket holds it.
	nsx "$1" nft -f - <<-EOF
	table inet havenlab
	delete table inet havenlab
	table inet havenlab {
		chain out {
			type filter hook output priority 0; policy accept;
			icmp type destination-unreachable icmp code prot-unreachable counter drop
			icmp type destination-unreachable icmp code port-unreachable @th,136,8 { $2 } counter drop
		}
	}
	EOF
}

lab_up() {
	local ns
	log "building lab '$P'"
	for ns in $(ns_names "$P"); do
		ensure_ns "$ns"
	done

	# home link: the bridge
	local home=$P-home
	if ! link_exists "$home" "$BRIDGE"; then
		ip -n "$home" link add "$BRIDGE" type bridge stp_state 0 \
			forward_delay 0 mcast_snooping 0 ||
			die "cannot create bridge"
	fi
	nsx "$home" sysctl -qw "net.ipv6.conf.$BRIDGE.disable_ipv6=1" >/dev/null
	ip -n "$home" link set dev "$BRIDGE" up

	# home agent and spare home agents: silent ports, fixed MACs
	port "$P-ha" "$HA_IFACE" "$HA_MAC" p-ha
	silent "$P-ha" "$HA_IFACE"
	port "$P-sha1" "$SHA1_IFACE" "$SHA1_MAC" p-sha1
	silent "$P-sha1" "$SHA1_IFACE"
	port "$P-sha2" "$SHA2_IFACE" "$SHA2_MAC" p-sha2
	silent "$P-sha2" "$SHA2_IFACE"

	# correspondent host
	port "$P-ch" "$CH_IFACE" "$CH_MAC" p-ch
	ip -n "$P-ch" addr replace "$CH_ADDR/$HOME_PREFIX_LEN" dev "$CH_IFACE"
	ip -n "$P-ch" route replace default via "$RT_HOME_ADDR"

	# router
	port "$P-rt" "$RT_HOME_IFACE" "$RT_HOME_MAC" p-rt
	ip -n "$P-rt" addr replace "$RT_HOME_ADDR/$HOME_PREFIX_LEN" \
		dev "$RT_HOME_IFACE"
	veth "$P-rt" "$RT_VA_IFACE" "" "$P-mn" "$MN_VA_IFACE"
	veth "$P-rt" "$RT_VB_IFACE" "" "$P-mn" "$MN_VB_IFACE"
	ip -n "$P-mn" link set dev "$MN_VA_IFACE" address "$MN_VA_MAC"
	ip -n "$P-mn" link set dev "$MN_VB_IFACE" address "$MN_VB_MAC"
	ip -n "$P-rt" addr replace "$RT_VA_ADDR/24" dev "$RT_VA_IFACE"
	ip -n "$P-rt" addr replace "$RT_VB_ADDR/24" dev "$RT_VB_IFACE"
	ip -n "$P-rt" link set dev "$RT_VA_IFACE" up
	ip -n "$P-rt" link set dev "$RT_VB_IFACE" up
	nsx "$P-rt" sysctl -qw net.ipv4.ip_forward=1 >/dev/null

	# mobile node: two co-located care-of addresses
	local mn=$P-mn
	ip -n "$mn" addr replace "$MN_VA_ADDR/24" dev "$MN_VA_IFACE"
	ip -n "$mn" addr replace "$MN_VB_ADDR/24" dev "$MN_VB_IFACE"
	ip -n "$mn" link set dev "$MN_VA_IFACE" up
	ip -n "$mn" link set dev "$MN_VB_IFACE" up
	ip -n "$mn" route replace default via "$RT_VA_ADDR"
	ip -n "$mn" route replace "$HA_ADDR/32" via "$RT_VA_ADDR"
	# what leaves from a care-of address leaves through its own link
	ip -n "$mn" route replace default via "$RT_VA_ADDR" \
		table "$MN_VA_TABLE"
	ip -n "$mn" route replace default via "$RT_VB_ADDR" \
		table "$MN_VB_TABLE"
	while ip -n "$mn" rule del from "$MN_VA_ADDR" 2>/dev/null; do :; done
	while ip -n "$mn" rule del from "$MN_VB_ADDR" 2>/dev/null; do :; done
	ip -n "$mn" rule add from "$MN_VA_ADDR" lookup "$MN_VA_TABLE" pref 1001
	ip -n "$mn" rule add from "$MN_VB_ADDR" lookup "$MN_VB_TABLE" pref 1002
	nft_mn_rules "$mn" "4, 47, 55" ||
		die "cannot install nftables rules in $mn"

	log "lab '$P' is up"
}

# --------------------------------------------------------------------------
# nat: a NAT between the router and a mobile node (RFC 3519 suites)
# --------------------------------------------------------------------------

lab_nat() {
	local timeout=${1:-$NAT_UDP_TIMEOUT} rt=$P-rt nat=$P-nat mnn=$P-mnn ns
	case $timeout in ''|*[!0-9]*) die "nat wants a timeout in seconds";; esac
	ns_exists "$rt" || die "lab '$P' is not up"
	log "adding a NAT to lab '$P' (UDP timeout ${timeout}s)"
	for ns in $(nat_ns_names "$P"); do
		ensure_ns "$ns"
	done
	# router <-> NAT (public side), NAT <-> mobile node (private side)
	veth "$rt" "$RT_NAT_IFACE" "" "$nat" "$NAT_PUB_IFACE"
	veth "$nat" "$NAT_PRIV_IFACE" "" "$mnn" "$MNN_IFACE"
	ip -n "$mnn" link set dev "$MNN_IFACE" address "$MNN_MAC"
	ip -n "$rt" addr replace "$RT_NAT_ADDR/$NAT_PREFIX_LEN" \
		dev "$RT_NAT_IFACE"
	ip -n "$nat" addr replace "$NAT_PUB_ADDR/$NAT_PREFIX_LEN" \
		dev "$NAT_PUB_IFACE"
	ip -n "$nat" addr replace "$NAT_PRIV_ADDR/$NAT_PREFIX_LEN" \
		dev "$NAT_PRIV_IFACE"
	ip -n "$mnn" addr replace "$MNN_ADDR/$NAT_PREFIX_LEN" dev "$MNN_IFACE"
	ip -n "$rt" link set dev "$RT_NAT_IFACE" up
	ip -n "$nat" link set dev "$NAT_PUB_IFACE" up
	ip -n "$nat" link set dev "$NAT_PRIV_IFACE" up
	ip -n "$mnn" link set dev "$MNN_IFACE" up
	ip -n "$nat" route replace default via "$RT_NAT_ADDR"
	ip -n "$mnn" route replace default via "$NAT_PRIV_ADDR"
	nsx "$nat" sysctl -qw net.ipv4.ip_forward=1 >/dev/null
	# Masquerade with random ports, as carrier NATs do: a mapping that
	# ends and is made again gets another public port. Nothing from the
	# public side reaches the private one unless a mapping lets it.
	nsx "$nat" nft -f - <<-EOF || die "cannot install the NAT in $nat"
	table ip havennat
	delete table ip havennat
	table ip havennat {
		chain masq {
			type nat hook postrouting priority srcnat; policy accept;
			oifname "$NAT_PUB_IFACE" counter masquerade random
		}
		chain guard {
			type filter hook forward priority 0; policy drop;
			iifname "$NAT_PRIV_IFACE" oifname "$NAT_PUB_IFACE" accept
			iifname "$NAT_PUB_IFACE" oifname "$NAT_PRIV_IFACE" ct state established,related accept
			counter drop
		}
	}
	EOF
	# conntrack's UDP timeouts, per namespace once the NAT loaded it:
	# one-way flows and "streams" (seen both ways) alike
	nsx "$nat" sysctl -qw \
		"net.netfilter.nf_conntrack_udp_timeout=$timeout" \
		"net.netfilter.nf_conntrack_udp_timeout_stream=$timeout" \
		>/dev/null || die "cannot set the NAT's UDP timeout"
	nsx "$nat" conntrack -F >/dev/null 2>&1
	# the kernel's answers to what the user-space endpoint handles
	nft_mn_rules "$mnn" "4, 17, 47, 55" ||
		die "cannot install nftables rules in $mnn"
	log "NAT of lab '$P' is up"
}

lab_nat_flush() {
	ns_exists "$P-nat" || die "lab '$P' has no NAT"
	nsx "$P-nat" conntrack -F >/dev/null 2>&1 ||
		die "cannot flush the NAT's mappings (conntrack installed?)"
	log "NAT mappings of lab '$P' forgotten"
}

# --------------------------------------------------------------------------
# up6: IPv6 on top of up (Mobile IPv6, issue 6)
# --------------------------------------------------------------------------

# v6_on NS IF: enable IPv6 on one interface, with no DAD (addresses are
# usable at once), no router advertisements and no autoconfiguration.
# The namespace's "all"/"default" disable_ipv6 stay 1, so interfaces made
# later (TUN devices, haven's) start IPv6-silent unless enabled explicitly.
v6_on() {
	local ns=$1 if=$2
	nsx "$ns" sysctl -qw "net.ipv6.conf.$if.accept_dad=0" \
		"net.ipv6.conf.$if.accept_ra=0" \
		"net.ipv6.conf.$if.autoconf=0" \
		"net.ipv6.conf.$if.router_solicitations=0" \
		"net.ipv6.conf.$if.disable_ipv6=0" >/dev/null ||
		die "cannot enable IPv6 on $ns/$if"
}

# v6_addr NS IF ADDR/LEN
v6_addr() {
	ip -n "$1" -6 addr replace "$3" dev "$2" nodad ||
		die "cannot add $3 to $1/$2"
}

nft_mn6_rules() {
	# No ip6tnl and no Mobile IPv6 in the kernel: tunnelled packets
	# (next header 41) to a care-of address draw "parameter problem,
	# unrecognized next header" (code 1), and a Binding Acknowledgement's
	# type 2 routing header draws "parameter problem, erroneous header
	# field" (code 0). The user-space endpoint and mip6client handle
	# them; the kernel's answers must not leave.
	nsx "$P-mn" nft -f - <<-EOF
	table ip6 havenlab6
	delete table ip6 havenlab6
	table ip6 havenlab6 {
		chain out {
			type filter hook output priority 0; policy accept;
			icmpv6 type parameter-problem icmpv6 code { 0, 1 } counter drop
		}
	}
	EOF
}

lab_up6() {
	local ns if mn=$P-mn rt=$P-rt ch=$P-ch
	lab_up
	log "adding IPv6 to lab '$P'"
	for ns in "$ch" "$rt" "$mn"; do
		nsx "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0 \
			net.ipv6.conf.all.accept_ra=0 \
			net.ipv6.conf.default.accept_ra=0 >/dev/null
		v6_on "$ns" lo
	done
	# the haven ports and the bridge stay silent (lab_up made them so);
	# say it again in case something enabled them
	for ns in ha sha1 sha2; do
		nsx "$P-$ns" sysctl -qw net.ipv6.conf.all.accept_ra=0 \
			net.ipv6.conf.default.accept_ra=0 >/dev/null
	done
	nsx "$P-ha" sysctl -qw "net.ipv6.conf.$HA_IFACE.disable_ipv6=1" >/dev/null
	nsx "$P-sha1" sysctl -qw "net.ipv6.conf.$SHA1_IFACE.disable_ipv6=1" >/dev/null
	nsx "$P-sha2" sysctl -qw "net.ipv6.conf.$SHA2_IFACE.disable_ipv6=1" >/dev/null

	# correspondent host
	v6_on "$ch" "$CH_IFACE"
	v6_addr "$ch" "$CH_IFACE" "$CH6_ADDR/$HOME6_PREFIX_LEN"
	ip -n "$ch" -6 route replace default via "$RT6_HOME_ADDR" \
		dev "$CH_IFACE"

	# router
	v6_on "$rt" "$RT_HOME_IFACE"
	v6_on "$rt" "$RT_VA_IFACE"
	v6_on "$rt" "$RT_VB_IFACE"
	v6_addr "$rt" "$RT_HOME_IFACE" "$RT6_HOME_ADDR/$HOME6_PREFIX_LEN"
	v6_addr "$rt" "$RT_VA_IFACE" "$RT6_VA_ADDR/$V6_PREFIX_LEN"
	v6_addr "$rt" "$RT_VB_IFACE" "$RT6_VB_ADDR/$V6_PREFIX_LEN"
	nsx "$rt" sysctl -qw net.ipv6.conf.all.forwarding=1 >/dev/null

	# mobile node: two co-located IPv6 care-of addresses
	v6_on "$mn" "$MN_VA_IFACE"
	v6_on "$mn" "$MN_VB_IFACE"
	v6_addr "$mn" "$MN_VA_IFACE" "$MN6_VA_ADDR/$V6_PREFIX_LEN"
	v6_addr "$mn" "$MN_VB_IFACE" "$MN6_VB_ADDR/$V6_PREFIX_LEN"
	ip -n "$mn" -6 route replace default via "$RT6_VA_ADDR" \
		dev "$MN_VA_IFACE"
	ip -n "$mn" -6 route replace default via "$RT6_VA_ADDR" \
		dev "$MN_VA_IFACE" table "$MN_VA_TABLE"
	ip -n "$mn" -6 route replace default via "$RT6_VB_ADDR" \
		dev "$MN_VB_IFACE" table "$MN_VB_TABLE"
	while ip -n "$mn" -6 rule del from "$MN6_VA_ADDR" 2>/dev/null; do :; done
	while ip -n "$mn" -6 rule del from "$MN6_VB_ADDR" 2>/dev/null; do :; done
	ip -n "$mn" -6 rule add from "$MN6_VA_ADDR" lookup "$MN_VA_TABLE" pref 1001
	ip -n "$mn" -6 rule add from "$MN6_VB_ADDR" lookup "$MN_VB_TABLE" pref 1002
	nft_mn6_rules || die "cannot install IPv6 nftables rules in $mn"

	log "lab '$P' is up with IPv6"
}

# --------------------------------------------------------------------------
# scale: more secondaries, and a visited prefix for many mobile nodes
# --------------------------------------------------------------------------

lab_scale() {
	local n=$1 i ns iface mac rt=$P-rt
	case $n in ''|*[!0-9]*) die "scale wants a number of secondaries";; esac
	[ "$n" -ge 2 ] && [ "$n" -le "$MAX_SHAS" ] ||
		die "scale wants 2..$MAX_SHAS secondaries"
	ns_exists "$P-home" || die "lab '$P' is not up"
	for i in $(seq 3 "$n"); do
		ns=$P-sha$i
		eval "iface=\$SHA${i}_IFACE mac=\$SHA${i}_MAC"
		ensure_ns "$ns"
		port "$ns" "$iface" "$mac" "p-sha$i"
		silent "$ns" "$iface"
		nsx "$ns" sysctl -qw net.ipv6.conf.all.accept_ra=0 \
			net.ipv6.conf.default.accept_ra=0 >/dev/null
	done
	# IPv6 lab: the router forwards the bulk visited prefix to the
	# mobile node's care-of address on va, one neighbour for all of it
	if ip -n "$rt" -6 addr show dev "$RT_VA_IFACE" 2>/dev/null |
		grep -q "$RT6_VA_ADDR/"; then
		ip -n "$rt" -6 route replace "$VC6_NET" via "$MN6_VA_ADDR" \
			dev "$RT_VA_IFACE" ||
			die "cannot route $VC6_NET to the mobile node"
	fi
	log "lab '$P' has secondaries sha1..sha$n"
}

# --------------------------------------------------------------------------
# down
# --------------------------------------------------------------------------

lab_down() {
	local ns pids pid
	for ns in $(nat_ns_names "$P") $(ns_names "$P"); do
		ns_exists "$ns" || continue
		# processes left in the lab's namespaces (haven, endpoints,
		# captures) hold them alive: end them first, by pid
		pids=$(ip netns pids "$ns" 2>/dev/null)
		if [ -n "$pids" ]; then
			log "ending processes in $ns: $(echo $pids)"
			for pid in $pids; do kill -TERM "$pid" 2>/dev/null; done
			sleep 1
			for pid in $(ip netns pids "$ns" 2>/dev/null); do
				kill -KILL "$pid" 2>/dev/null
			done
		fi
		ip netns del "$ns" || log "cannot delete $ns"
	done
	log "lab '$P' is down"
}

# --------------------------------------------------------------------------
# status
# --------------------------------------------------------------------------

lab_status() {
	local ns rc=0
	for ns in $(ns_names "$P"); do
		if ns_exists "$ns"; then
			echo "== $ns"
			ip -n "$ns" -br addr show | sed 's/^/   /'
		else
			echo "== $ns: missing"
			rc=1
		fi
	done
	if ns_exists "$P-home"; then
		echo "== bridge ports"
		ip -n "$P-home" -br link show master "$BRIDGE" 2>/dev/null | sed 's/^/   /'
		nsx "$P-home" nft list table bridge havenloss 2>/dev/null |
			grep -q drop && echo "== loss rule active on $BRIDGE"
		nsx "$P-home" nft list table bridge havencut 2>/dev/null |
			grep -q drop && echo "== control link cut on $BRIDGE"
	fi
	for ns in $(nat_ns_names "$P"); do
		ns_exists "$ns" || continue
		echo "== $ns"
		ip -n "$ns" -br addr show | sed 's/^/   /'
	done
	return $rc
}

# --------------------------------------------------------------------------
# loss
# --------------------------------------------------------------------------

lab_loss() {
	local pct=$1 uport=${2:-} what="the frames"
	case $pct in ''|*[!0-9]*) die "loss wants a percentage";; esac
	[ "$pct" -le 100 ] || die "loss wants 0..100"
	if [ -n "$uport" ]; then
		case $uport in *[!0-9]*) die "loss wants a UDP port number";; esac
		[ "$uport" -ge 1 ] && [ "$uport" -le 65535 ] ||
			die "UDP port out of range"
		# both directions, each frame drawn once: the delegation
		# protocol uses one port on both ends, the registration
		# protocol answers from 434
		what="UDP port $uport"
	fi
	ns_exists "$P-home" || die "lab '$P' is not up"
	nsx "$P-home" nft delete table bridge havenloss 2>/dev/null
	if [ "$pct" -eq 0 ]; then
		log "no loss on the home link"
		return 0
	fi
	if [ -n "$uport" ]; then
		nsx "$P-home" nft -f - <<-EOF || die "cannot install loss rule"
		table bridge havenloss {
			chain drop_some {
				type filter hook forward priority 0; policy accept;
				meta l4proto udp th dport $uport numgen random mod 100 < $pct counter drop
				meta l4proto udp th sport $uport th dport != $uport numgen random mod 100 < $pct counter drop
			}
		}
		EOF
	else
		nsx "$P-home" nft -f - <<-EOF || die "cannot install loss rule"
		table bridge havenloss {
			chain drop_some {
				type filter hook forward priority 0; policy accept;
				numgen random mod 100 < $pct counter drop
			}
		}
		EOF
	fi
	log "dropping $pct % of $what on the home link"
}

# --------------------------------------------------------------------------
# cut-control
# --------------------------------------------------------------------------

DELEG_PORT=${DELEG_PORT:-4434}

lab_cut_control() {
	local how=$1
	ns_exists "$P-home" || die "lab '$P' is not up"
	nsx "$P-home" nft delete table bridge havencut 2>/dev/null
	case $how in
	off)
		log "control link restored"
		return 0 ;;
	on) ;;
	*) die "cut-control wants on or off" ;;
	esac
	nsx "$P-home" nft -f - <<-EOF || die "cannot install cut rule"
	table bridge havencut {
		chain cut {
			type filter hook forward priority -10; policy accept;
			meta l4proto udp th dport $DELEG_PORT counter drop
			meta l4proto udp th sport $DELEG_PORT counter drop
		}
	}
	EOF
	log "control link cut: UDP $DELEG_PORT dropped on the home link"
}

# --------------------------------------------------------------------------

[ $# -ge 1 ] || usage
[ "$(id -u)" -eq 0 ] || die "must run as root"
cmd=$1
case $cmd in
up|up6|down|status|nat|nat-flush)
	P=${2:-$DEFAULT_PREFIX}
	;;
loss|cut-control|scale)
	[ $# -ge 2 ] || usage
	P=${3:-$DEFAULT_PREFIX}
	;;
*)	usage ;;
esac
case $P in
''|*[!A-Za-z0-9]*) die "prefix must be alphanumeric";;
esac
[ ${#P} -le 8 ] || die "prefix too long (8 characters at most)"

case $cmd in
up)	if [ "${LAB_IPV6:-0}" = 1 ]; then lab_up6; else lab_up; fi ;;
up6)	lab_up6 ;;
down)	lab_down ;;
status)	lab_status ;;
loss)	lab_loss "$2" "${4:-}" ;;
cut-control) lab_cut_control "$2" ;;
nat)	lab_nat "${3:-}" ;;
nat-flush) lab_nat_flush ;;
scale)	lab_scale "$2" ;;
esac
