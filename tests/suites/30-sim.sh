#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The sharevisor-sim host tool: counters over images of known content, computed
# here from what was written (never copied from a run), every mode, and its errors.
cd "$(dirname "$0")/../.."
make -s build/host/sharevisor-sim >/dev/null 2>&1 ||
	{ echo "not ok - sharevisor-sim: build failed"; exit 0; }
T=build/host/sharevisor-sim
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT

# Images: a.img and b.img in the default domain, c.img in domain "other".
# Zero pages, repeating units (2 and 8 bytes), pages duplicated across and
# inside VMs, unique pages, and a last partial page (zero-padded by the tool).
python3 - "$D" <<'PY'
import hashlib, sys
d = sys.argv[1]
PG = 4096
def rnd(seed):			# a page no pattern matches, fixed by its seed
    out = b''
    i = 0
    while len(out) < PG:
        out += hashlib.sha256(f'{seed}/{i}'.encode()).digest()
        i += 1
    return out[:PG]
zero = bytes(PG)
ab = b'\xab\xcd' * (PG // 2)
u8 = bytes.fromhex('0102030405060708') * (PG // 8)
u8b = bytes.fromhex('1122334455667788') * (PG // 8)
dup = [rnd(f'dup{i}') for i in range(4)]
a = [zero] * 5 + [ab] * 3 + [u8] * 2 + dup + [dup[0]] + [rnd('a0'), rnd('a1'), rnd('a2')]
b = [zero] * 2 + [ab, u8b] + dup + [rnd('b0'), rnd('b1')]
c = [dup[0], dup[1], zero, zero, rnd('c0')]
tail = b'tail' * 10		# a.img ends with a partial page
open(f'{d}/a.img', 'wb').write(b''.join(a) + tail)
open(f'{d}/b.img', 'wb').write(b''.join(b))
open(f'{d}/c.img', 'wb').write(b''.join(c))
open(f'{d}/empty.img', 'wb').write(b'')
open(f'{d}/zeros.img', 'wb').write(bytes(PG * 3))
# More equal pages than one content frame takes (SHARE_MAX_SHARING = 256): 600 of one
# page, 513 of another (two full frames and one left over), 257 of a third.
many = [rnd('m0')] * 600 + [rnd('m1')] * 513 + [rnd('m2')] * 257 + [zero] * 300
open(f'{d}/many.img', 'wb').write(b''.join(many))
PY

# expect.py - the naive reference: what a perfect engine reaches from the files.
cat >"$D/expect.py" <<'PY'
import json, sys
PG = 4096
MAX = 256			# SHARE_MAX_SHARING: mappings of one content frame
def pages(path):
    data = open(path, 'rb').read()
    data += bytes(-len(data) % PG)
    return [data[i:i + PG] for i in range(0, len(data), PG)]
def key(p):			# default pattern set: "zero", then the repeating-unit family
    if p == bytes(PG):
        return ('zero', b'')
    for n in range(1, 65):
        if p == (p[:n] * (PG // n + 1))[:PG]:
            return ('repeat', p[:n])
    return None
def expect(mode, sparse, vms):	# vms: [(path, domain)]
    x = dict(pattern_pages=0, pattern_frames=0, pages_shared=0, pages_sharing=0,
             populated=0, untouched=0, patterns={}, vm=[])
    rest = {}
    for path, dom in vms:
        keys, pp = set(), 0
        for p in pages(path):
            k = key(p)
            if sparse and k == ('zero', b''):
                x['untouched'] += 1
                continue
            x['populated'] += 1
            if mode in ('intra', 'on') and k:
                pp += 1
                keys.add(k)
                x['patterns'][k[0]] = x['patterns'].get(k[0], 0) + 1
            elif mode in ('inter', 'on'):
                rest.setdefault(dom, []).append(p)
        x['pattern_pages'] += pp
        x['pattern_frames'] += len(keys)
        x['vm'].append(dict(pattern_pages=pp, pattern_frames=len(keys)))
    for dom, ps in rest.items():
        count = {}
        for p in ps:
            count[p] = count.get(p, 0) + 1
        for n in count.values():
            # A frame takes at most MAX mappings; full frames, then one for the
            # rest if two or more are left (a last single page stays unshared).
            frames = n // MAX + (n % MAX >= 2)
            x['pages_shared'] += frames
            x['pages_sharing'] += (n - n % MAX * (n % MAX < 2)) - frames
    x['saved'] = x['pattern_pages'] - x['pattern_frames'] + x['pages_sharing']
    return x
mode, sparse, out = sys.argv[1], sys.argv[2] == '1', json.load(open(sys.argv[3]))
vms = [(v['image'], v['domain']) for v in out['vm']]
x = expect(mode, sparse, vms)
bad = []
for k in ('pattern_pages', 'pattern_frames', 'pages_shared', 'pages_sharing', 'saved',
          'populated', 'untouched'):
    if out[k] != x[k]:
        bad.append(f'{k}: got {out[k]}, expected {x[k]}')
if out['patterns'] != x['patterns']:
    bad.append(f"patterns: got {out['patterns']}, expected {x['patterns']}")
for i, v in enumerate(x['vm']):
    for k, want in v.items():
        if out['vm'][i][k] != want:
            bad.append(f"vm {i + 1} {k}: got {out['vm'][i][k]}, expected {want}")
pct = round(100.0 * x['saved'] / x['populated'], 2) if x['populated'] else 0.0
if abs(out['saved_percent'] - pct) > 0.006:
    bad.append(f"saved_percent: got {out['saved_percent']}, expected {pct}")
if not out['converged'] or out['engine_bytes'] <= 0:
    bad.append('not converged, or no engine_bytes')
print('\n'.join(bad))
sys.exit(1 if bad else 0)
PY

check() {	# NAME CONDITION-COMMAND...
	local name=$1; shift
	if "$@"; then echo "ok - sharevisor-sim: $name"; else echo "not ok - sharevisor-sim: $name"; fi
}
# run NAME MODE SPARSE ARGS...: exit 0 and counters equal to the reference.
run() {
	local name=$1 mode=$2 sparse=$3 rc; shift 3
	$T "$@" >"$D/out.json" 2>"$D/err"; rc=$?
	check "$name: exit 0" test $rc -eq 0
	[ $rc -eq 0 ] || sed 's/^/# /' "$D/err"
	if python3 "$D/expect.py" "$mode" "$sparse" "$D/out.json" >"$D/why"; then
		echo "ok - sharevisor-sim: $name: counters equal the reference"
	else
		echo "not ok - sharevisor-sim: $name: counters equal the reference"
		sed 's/^/# /' "$D/why"
	fi
}
IMGS=("$D/a.img" "$D/b.img" --domain other "$D/c.img")
run "mode on, NPT dirty bits" on 0 "${IMGS[@]}"
run "mode on, EPT without A/D" on 0 --no-ad "${IMGS[@]}"
run "mode intra" intra 0 --mode intra "${IMGS[@]}"
run "mode inter" inter 0 --mode inter "${IMGS[@]}"
run "mode off" off 0 --mode off "${IMGS[@]}"
run "sparse: zero pages untouched" on 1 --sparse "${IMGS[@]}"
run "one domain for all" on 0 "$D/a.img" "$D/b.img" "$D/c.img"
run "mode inter, more equal pages than a frame takes" inter 0 --mode inter "$D/many.img" "$D/a.img"
run "mode on, more equal pages than a frame takes" on 0 "$D/many.img" "$D/many.img"

# Domains isolate: c.img alone in "other" shares nothing with a/b's copies.
$T "$D/b.img" --domain other "$D/b.img" >"$D/out.json"
check "same image in two domains shares no content" python3 -c '
import json, sys; d = json.load(open(sys.argv[1])); sys.exit(d["pages_sharing"] != 0)' "$D/out.json"
$T --max-scans 1 "$D/a.img" "$D/b.img" >"$D/out.json"; rc=$?
check "--max-scans 1 stops early, not converged" python3 -c '
import json, sys; d = json.load(open(sys.argv[1]))
sys.exit(not (d["full_scans"] == 1 and d["converged"] is False))' "$D/out.json"

# Errors: a message and a non-zero exit.
err() {	# NAME EXPECTED-RC MESSAGE-REGEX ARGS...
	local name=$1 want=$2 msg=$3 rc; shift 3
	$T "$@" >"$D/out" 2>"$D/err"; rc=$?
	check "$name: exit $want" test $rc -eq "$want"
	check "$name: message" grep -q "$msg" "$D/err"
	check "$name: nothing on stdout" test ! -s "$D/out"
}
err "missing file" 1 'missing.img: No such file' "$D/a.img" "$D/missing.img"
err "empty image" 1 'empty.img: empty image' "$D/empty.img"
err "bad option" 2 'unrecognized option' --frobnicate "$D/a.img"
err "bad mode" 2 "bad mode 'sideways'" --mode sideways "$D/a.img"
err "bad --max-scans" 2 "bad --max-scans" --max-scans 0 "$D/a.img"
err "no image" 2 'no image given'
err "directory" 1 'not a regular file' "$D"
$T --help >"$D/out" 2>&1; rc=$?
check "--help exits 0 and says how pages are counted" \
	test $rc -eq 0 -a -n "$(grep -l untouched "$D/out")"
