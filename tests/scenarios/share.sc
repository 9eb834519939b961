# Page sharing end to end: three VMs write zero, repeating-unit, duplicated and
# unique pages; two share a domain and a seed, the third is in a domain of its
# own; a fifth, with the same seed, runs with share=off and must keep every
# page private. Each guest checks, page by page, that the scanner reached exactly the
# state its own writes imply, then writes every page (COW) and verifies every
# byte; a fourth guest rewrites its memory in place while the scanner merges,
# then checks the scanner saw every change (dirty bits must never hide one).
EMULATORS="qemu bochs bochs-amd"
CMDLINE="scan_rate=256"
MODULES=(
	"build/guests/share.elf vm=a mem=4M cmdline=\"seed=3 check=1 peers=1\""
	"build/guests/share.elf vm=b mem=4M cmdline=\"seed=3 check=1 peers=1\""
	"build/guests/share.elf vm=c mem=4M domain=tenant2 cmdline=\"seed=3 check=1\""
	"build/guests/share.elf vm=churn mem=3M cmdline=\"seed=9 churn=3 check=1\""
	"build/guests/share.elf vm=loner mem=3M share=off cmdline=\"seed=3 check=1 unshared=1 polls=20\""
)
RESULT=PASS
TIMEOUT=120
EXPECT=(
	'^frames after the VMs: .* guest 0, pattern 0, content 0'
	'^sharing: mode on'
	'^\[a\] share: area pattern=([0-9]+)/\1 content=([1-9][0-9]*)/\2 private=([0-9]+)/\3'
	'^\[b\] share: area pattern=([0-9]+)/\1 content=([1-9][0-9]*)/\2 private=([0-9]+)/\3'
	'^\[c\] share: area pattern=([0-9]+)/\1 content=0/0 private=([0-9]+)/\2'
	'^\[a\] guest share: PASS'
	'^\[b\] guest share: PASS'
	'^\[c\] guest share: PASS'
	'^\[loner\] share: area pattern=0/0 content=0/0 private=([0-9]+)/\1'
	'^\[loner\] guest share: PASS'
	'^\[churn\] share: after churn pattern=([0-9]+)/\1 private=([0-9]+)/\2'
	'^\[churn\] test churn: ok'
	'^\[churn\] guest share: PASS'
	'^sharing: .* pattern pages [0-9]+ on [0-9]+ frames?; content frames [0-9]+'
	'^sharing: COW breaks [1-9][0-9]* pattern, [1-9][0-9]* content; .* 0 hash collisions; [0-9]+ pages hashed, [1-9][0-9]* skipped as clean'
)
