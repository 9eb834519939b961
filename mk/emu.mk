# SPDX-License-Identifier: MIT
# emu.mk - the x86 instruction emulator (emu/): plain C, built into the
# hypervisor (emu is in HV_DIRS) and into build/host/libsv.a for the tests.
#
# tests/unit/test_x86emu.c   the executor against a fake guest (RAM, MMIO, ports)
#                            and the host CPU's own flags
# tests/unit/test_x86decode.c  the decoder against Capstone (libcapstone-dev);
#                            X86DECODE_SEED=n replays a run, X86DECODE_COUNT=n sizes it
HOST_SRC += $(wildcard emu/*.c)

# The Capstone test links one more library than the pattern rule gives.
$(BUILD)/host/tests/test_x86decode: tests/unit/test_x86decode.c $(HOST_LIB) $(BUILD)/host/obj/tools/host_plat.o
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$@)$(HOSTCC) $(HOST_CFLAGS) $< $(HOST_LIB) $(BUILD)/host/obj/tools/host_plat.o -lcmocka -lcapstone -o $@
