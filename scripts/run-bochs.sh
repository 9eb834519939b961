#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run-bochs.sh - boot an ISO under Bochs (Intel VMX + EPT) with the console on this terminal.
#   run-bochs.sh ISO [CPU_MODEL]
# Bochs serves COM1 on a TCP port; scripts/svctl connects this terminal to it
# (Ctrl-] quits and stops Bochs). Bochs takes one client, once: for scripts,
# run scripts/bochs.sh with BOCHS_SERIAL and point one svctl session at it.
# BOCHS_MEM: the machine's MiB (default 512; make run-bochs sets it for its guests).
set -eu
iso=$1
model=${2:-corei7_skylake_x}
port=${BOCHS_CONSOLE_PORT:-5599}
log=build/bochs-console.log
: >"$log"
echo "sharevisor under Bochs ($model), console on 127.0.0.1:$port: type 'stats' at the prompt; Ctrl-] quits."
BOCHS_SERIAL="mode=socket-server, dev=127.0.0.1:$port" scripts/bochs.sh "$iso" "$log" "$model" "${BOCHS_MEM:-512}" &
pid=$!
stop_bochs() { kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; }
trap stop_bochs EXIT INT TERM
# Ctrl-] ends svctl; Bochs is stopped then, and the status is svctl's (0), not
# that of the Bochs it stopped.
status=0
scripts/svctl -c "127.0.0.1:$port" --wait 30 term || status=$?
stop_bochs
trap - EXIT INT TERM
exit $status
