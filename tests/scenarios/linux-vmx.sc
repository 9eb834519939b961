# The Linux guest of linux.sc, one VM, on Bochs (VMX+EPT): Debian's kernel
# takes its TSC and APIC timer frequencies from CPUID 0x15 there and runs on
# the TSC clocksource.
LINUX_EMULATORS=bochs LINUX_MEM=512 LINUX_VMS=1
# shellcheck disable=SC1091
source tests/scenarios/linux.sc
EXPECT+=('^\[lx1\] \[ *[0-9.]+\] tsc: Detected [0-9.]+ MHz' '^\[lx1\] sharevisor-linux: clocksource tsc')
EXPECT_NOT+=('Marking TSC unstable' 'calibration failed')
