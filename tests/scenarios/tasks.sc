# Hardware task switches in a guest (tests/guests/tasks.c): CALL/IRET, JMP,
# an exception and INT n through task gates, the T flag. Bochs's VMX exits
# on every task switch and sharevisor does it (emu/x86task.c); SVM (QEMU,
# Bochs's AMD model) lets the guest switch natively: all agree with a bare
# CPU (the bare suite runs the same guest). QEMU's TCG raises no T-flag #DB,
# bare or not: the guest skips that check there, and only there.
EMULATORS="qemu bochs bochs-amd"
CMDLINE=""
MODULES=(
	"build/guests/tasks.elf vm=tasks"
	"build/guests/share.elf vm=share mem=8M cmdline=\"seed=4 check=1\""
)
RESULT=PASS
TIMEOUT=120
EXPECT=(
	'^\[tasks\] test call_iret: ok'
	'^\[tasks\] test jmp_back: ok'
	'^\[tasks\] test gp_gate: ok'
	'^\[tasks\] test int_gate: ok'
	'^\[tasks\] test trap_flag: ok'
	"^vm [0-9]+ 'tasks': PASS, code 0"
	"^vm [0-9]+ 'share': PASS, code 0"
)
EXPECT_NOT=('^EXCEPTION' '^PANIC' 'FAILED')
