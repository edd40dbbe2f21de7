#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# keepalived's notify script (the lab uses it as it is): append one line per VRRP state
# transition to the file named by the first argument, with the wall clock
# (seconds since 1970, nanoseconds), so a test can read the transitions
# and time them against its own clock:
#
#   <epoch.ns> <TYPE> <NAME> <STATE> <PRIORITY>
#
# keepalived calls it as `notify "<this script> <file> [--console SOCKET
# --client HAVEN-CONSOLE]"`, appending TYPE (INSTANCE or GROUP), NAME (the
# vrrp_instance), STATE (MASTER, BACKUP, FAULT, STOP, DELETED) and
# PRIORITY. With --console, an instance's transition is also told to the
# haven on that console socket, as `set redundancy-role <state>` (MASTER:
# active, BACKUP: standby, FAULT and STOP: neither; docs/redundancy.md);
# what haven answers is appended to <file>.console.

out=$1
shift
sock=
client=
while [ $# -gt 1 ]; do
	case $1 in
	--console) sock=$2; shift 2 ;;
	--client) client=$2; shift 2 ;;
	*) break ;;
	esac
done
printf '%s %s\n' "$(date +%s.%N)" "$*" >> "$out"
[ -n "$sock" ] && [ "$1" = INSTANCE ] || exit 0
case $3 in
MASTER) role=master ;;
BACKUP) role=backup ;;
FAULT) role=fault ;;
STOP) role=stop ;;
*) exit 0 ;;
esac
printf 'set redundancy-role %s\n' "$role" |
	"${client:-haven-console}" -t 2 "$sock" >> "$out.console" 2>&1
printf '%s told haven %s (rc %s)\n' "$(date +%s.%N)" "$role" "$?" \
	>> "$out.console"
