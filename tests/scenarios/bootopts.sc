# The hypervisor's own command line is checked like the module options: an
# unknown key and a bad number each give one warning line (naming the known
# keys, or the range), and the run goes on with the defaults.
EMULATORS="qemu"
CMDLINE="bogus=1 loglevel=9 stats_every=soon share=on"
MODULES=("build/guests/hello.elf vm=hello")
RESULT=PASS
EXPECT=(
	'^warning: command line: bogus: unknown key, ignored \(known: share scan_rate patterns stats_every loglevel test_exit test_fault test_reserve\)'
	'^warning: command line: loglevel=9: expected 0 to 7; using 6'
	'^warning: command line: stats_every=soon: expected seconds from 0 to 86400; no stats lines'
	'^sharing: mode on, '
)
EXPECT_NOT=('unknown key.*(share|test_exit)[:=]' '^ERROR' '^EXCEPTION' '^PANIC')
