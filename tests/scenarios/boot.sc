# The boot foundation: banner, CPU features, memory map, modules, frame counters.
# The modules are text, not kernels: no VM starts, so the verdict is FAIL.
EMULATORS="qemu bochs"
CMDLINE="loglevel=6"
MODULES=("tests/scenarios/data/module.txt first module" "tests/scenarios/data/module.txt second one")
RESULT=FAIL
EXPECT=(
	'^sharevisor .*: a memory-sharing hypervisor'
	'^cpu: (GenuineIntel|AuthenticAMD)'
	'^cpu: (VMX yes.*EPT yes.*VPID yes, unrestricted guest yes|SVM yes, NPT yes, ASIDs [0-9]+)'
	'^  mmap 0000000000100000-[0-9a-f]+ usable'
	'^paging: identity map'
	'^modules: 2'
	"^  module 0: .* 'first module'"
	"^  module 1: .* 'second one'"
	'^frames: total [1-9][0-9]* .* free [1-9]'
	'^boot complete'
	'^ERROR: no VM was started: none of the 2 modules loaded'
)
