# SPDX-License-Identifier: MIT
# loader.mk - the guest loader and the VM option parser, built hosted too.
#
# kernel/vmconfig.c, kernel/loader.c, kernel/linux.c and kernel/pvh.c are plain C: they go
# into the hypervisor with the rest of kernel/ and into build/host/libsv.a for tests.
HOST_SRC += kernel/vmconfig.c kernel/loader.c kernel/linux.c kernel/pvh.c kernel/errmsg.c

# test_loader.c, test_linux.c, test_pvh.c and test_vmconfig.c compile their own copy of
# the code under test (they #include the .c) so that their fuzz loops run under
# AddressSanitizer and UBSan. "private" keeps
# these flags from leaking into the prerequisites (libsv.a, host_plat.o).
SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
$(BUILD)/host/tests/test_loader: private HOST_CFLAGS += $(SANITIZE)
$(BUILD)/host/tests/test_linux: private HOST_CFLAGS += $(SANITIZE)
$(BUILD)/host/tests/test_pvh: private HOST_CFLAGS += $(SANITIZE)
$(BUILD)/host/tests/test_vmconfig: private HOST_CFLAGS += $(SANITIZE)
