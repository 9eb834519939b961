# SPDX-License-Identifier: MIT
# simbench.mk - the sharing engine's benchmark (tools/bench-share.c).
#
#   make sharing-bench    build/host/bench-share, -O2: read baseline, merge phase,
#                         steady state, memory, and Linux KSM side by side (as root)

$(BUILD)/host/bench-share: tools/bench-share.c $(HOST_LIB) $(BUILD)/host/obj/tools/host_plat.o
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$@)$(HOSTCC) $(HOST_CFLAGS) -O2 $< $(HOST_LIB) $(BUILD)/host/obj/tools/host_plat.o -o $@

sharing-bench: $(BUILD)/host/bench-share
	$(BUILD)/host/bench-share

bench: sharing-bench

.PHONY: sharing-bench
