# The local APIC and I/O APIC of a VM: APIC_BASE, ID and version by MMIO,
# a self-IPI held back by TPR, self-NMIs (one held until the handler's IRET), one-shot timer deadlines against the ACPI PM
# timer, the PIT through I/O APIC pin 2, x2APIC MSRs and SELF_IPI; beside a
# timer guest that keeps using the 8259 through the virtual wire.
EMULATORS="qemu bochs bochs-amd"
CMDLINE=""
MODULES=(
	"build/guests/apic.elf vm=apic mem=4M"
	"build/guests/timer.elf vm=timer mem=4M"
)
RESULT=PASS
TIMEOUT=90
EXPECT=(
	'^frames after the VMs: .* guest 0, pattern 0, content 0'
	'^\[apic\] apic: base fee00900 id 0 version 50014'
	'^\[apic\] apic: ACPI: 1 CPUs, 1 I/O APIC, PM timer at 608; MP table found'
	'^\[apic\] test self_ipi: ok'
	'^\[apic\] apic: 2 NMIs, nested at most 1 deep, the second 0 loop rounds after the IRET'
	"^vm [0-9]+ 'apic': PASS, code 0 .*interrupts injected, 2 NMIs injected,"
	'^\[apic\] apic: one-shot 100 us fired after'
	'^\[apic\] apic: one-shot 100000 us fired after'
	'^\[apic\] test one_shot: ok'
	'^\[apic\] apic: ioapic version 170011'
	'^\[apic\] test ioapic_pit: ok'
	'^\[apic\] test x2apic: ok'
	"^vm [0-9]+ 'apic': PASS, code 0"
	"^vm [0-9]+ 'timer': PASS, code 0"
)
EXPECT_NOT=('^EXCEPTION' '^PANIC' 'FAILED')
