#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# keepalived's notify script in the lab: append one line per VRRP state
# transition to the file named by the first argument, with the wall clock
# (seconds since 1970, nanoseconds), so a test can read the transitions
# and time them against its own clock:
#
#   <epoch.ns> <TYPE> <NAME> <STATE> <PRIORITY>
#
# keepalived calls it as `notify "<this script> <file>"`, appending TYPE
# (INSTANCE or GROUP), NAME (the vrrp_instance), STATE (MASTER, BACKUP,
# FAULT, STOP, DELETED) and PRIORITY. The agent's own script will write to
# its console socket instead; this one only records.

out=$1
shift
printf '%s %s\n' "$(date +%s.%N)" "$*" >> "$out"
