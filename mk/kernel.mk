# Plain-C parts of kernel/ that are also built on the host for unit tests.
HOST_SRC += kernel/scanpace.c kernel/multiboot2.c kernel/cmdline.c kernel/lineedit.c kernel/shell_parse.c \
	kernel/ctlreg.c kernel/vcpustate.c kernel/firmware.c kernel/mtrr.c

