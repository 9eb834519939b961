# The Linux guest of linux.sc, one VM, on Bochs (VMX+EPT): Debian's kernel
# takes its TSC frequency from the paravirtual clock and, Bochs's Intel model
# having a constant TSC, runs on the tsc clocksource.
LINUX_EMULATORS=bochs LINUX_MEM=512 LINUX_VMS=1
# shellcheck disable=SC1091
source tests/scenarios/linux.sc
EXPECT+=('^\[lx1\] sharevisor-linux: clocksource tsc')
