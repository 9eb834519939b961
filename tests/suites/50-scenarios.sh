#!/usr/bin/env bash
# Boot scenarios: every tests/scenarios/*.sc on each of its emulators, two at
# a time; each run prints its result line as it finishes.
# test.sh: show every result
cd "$(dirname "$0")/../.."
set -u
jobs=()
for sc in tests/scenarios/*.sc; do
	if ! out=$(scripts/scenario.sh iso "$sc" 2>&1); then
		echo "not ok - $(basename "$sc" .sc) (ISO build failed)"
		echo "$out"
		continue
	fi
	emus=$(bash -c 'EMULATORS="qemu bochs"; source "$1"; echo $EMULATORS' _ "$sc")
	for e in $emus; do
		jobs+=("$sc $e")
	done
done
printf '%s\n' "${jobs[@]}" | xargs -P "${SCENARIO_JOBS:-2}" -L 1 scripts/scenario.sh run
