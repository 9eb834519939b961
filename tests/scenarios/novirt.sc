# No usable virtualization: the hypervisor names what is missing and stops cleanly.
EMULATORS="qemu-novirt qemu-svm-nonpt"
CMDLINE=""
MODULES=("build/guests/hello.elf vm=hello")
RESULT=FAIL
EXPECT=(
	'^boot complete'
	'^ERROR: (virt: this CPU has no hardware virtualization|virt: SVM: missing NPT \(nested paging\))'
	'^ERROR: no guests can run on this machine; halting'
)
EXPECT_NOT=('^\[hello\]' '^EXCEPTION')
