#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The sharevisor-pat host tool: page lines, summary, --explain, and its errors.
cd "$(dirname "$0")/../.."
make -s build/host/sharevisor-pat >/dev/null 2>&1 || { echo "not ok - sharevisor-pat: build failed"; exit 0; }
T=build/host/sharevisor-pat
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
python3 - "$D/img" <<'PY'
import sys
page = lambda b: bytes(b)[:4096]
data = bytes(4096) + b'\xab\xcd' * 2048 + bytes(range(256)) * 16 + b'ab' * 2048 + bytes(10)
open(sys.argv[1], 'wb').write(data)
PY
check() {	# NAME CONDITION-COMMAND...
	local name=$1; shift
	if "$@"; then echo "ok - sharevisor-pat: $name"; else echo "not ok - sharevisor-pat: $name"; fi
}
out=$($T "$D/img" 2>"$D/err"); rc=$?
check "defaults exit 0" test $rc -eq 0
check "zero page line" grep -qx "$D/img 0 zero 00000001" <<<"$out"
check "repeat page line with unit key" grep -qx "$D/img 1 repeat 00000002:abcd" <<<"$out"
check "unmatched page line" grep -qx "$D/img 2 - -" <<<"$out"
check "summary counts" grep -q '^# repeat *2 pages' <<<"$out"
check "trailing bytes reported" grep -q 'ignoring 10 trailing bytes' "$D/err"
out=$($T --defaults -p ab='(ab)*' -p any='.*' "$D/img"); rc=$?
check "-p patterns after the defaults" grep -qx "$D/img 2 any 00000004" <<<"$out"
out=$($T -p ab='(ab)*' "$D/img")
check "-p alone replaces the defaults" grep -qx "$D/img 3 ab 00000001" <<<"$out"
$T -p bad='a(b' "$D/img" >/dev/null 2>"$D/err"; rc=$?
check "bad pattern exits 2" test $rc -eq 2
check "bad pattern names the position" grep -q 'at byte 3: expected' "$D/err"
$T "$D/missing" >/dev/null 2>"$D/err"; rc=$?
check "unreadable file exits 1" test $rc -eq 1
check "unreadable file message" grep -q 'missing: No such file' "$D/err"
out=$($T --explain '(\x00\x00\x00[\x00-\x7f])*'); rc=$?
check "explain exit 0" test $rc -eq 0
check "explain DFA size" grep -q '^DFA states:  5' <<<"$out"
check "explain samples" grep -q 'offset    0:   1 byte:  \\x00' <<<"$out"
out=$($T --explain '\x00{4096}')
check "explain singular" grep -q '^singular:    yes' <<<"$out"
$T --explain '(a|b)*a(a|b){20}' >/dev/null 2>"$D/err"; rc=$?
check "explain over the state limit exits 2" test $rc -eq 2
check "state limit message" grep -q 'DFA exceeds 16384 states' "$D/err"
