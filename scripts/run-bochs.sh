#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run-bochs.sh - boot an ISO under Bochs (Intel VMX + EPT) and follow its console.
#   run-bochs.sh ISO [CPU_MODEL]
set -eu
iso=$1
log=build/bochs-console.log
: >"$log"
echo "sharevisor under Bochs (${2:-corei7_skylake_x}); console follows. Quit: Ctrl-C."
scripts/bochs.sh "$iso" "$log" "${2:-corei7_skylake_x}" &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT INT TERM
tail -f "$log" --pid=$pid
