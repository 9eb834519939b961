# SPDX-License-Identifier: MIT
# sharevisor - top-level build.
#
#   make            build/sharevisor.elf, the test guests, host tests and tools (warnings are errors)
#   make run        boot the default scenario under QEMU TCG (AMD SVM + NPT): four Debian
#                   Linux guests; GUEST=test for the test guests, VMS=N, MEM=SIZE each
#                   (mk/guests.mk); SCENARIO=FILE boots a scenario file of one's own
#                   instead; HV_OPTS="..." adds to the hypervisor's command line
#   make run-bochs  boot it under Bochs (Intel VMX + EPT)
#   make debug      QEMU with a gdb stub on :1234, stopped at the first instruction
#   make test       every test: host unit tests, differential, fuzz smoke, scenarios
#   make bench      host benchmarks of mm/ and sharing/
#   make fuzz       bounded fuzzing runs (FUZZ_SECONDS each)
#
# mm/ and sharing/ build twice: freestanding into the hypervisor and hosted
# (build/host/) into tests, tools and benchmarks.
#
# A build step prints one short line ("  CC      kernel/vm.c"); V=1 prints each
# command in full, make -s nothing.

BUILD    := build
CC       := gcc
HOSTCC   := gcc
LD       := ld
VERSION  := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

HV_DIRS  := arch/x86 arch/x86/vmx arch/x86/svm kernel mm sharing emu drivers lib
HV_SRC   := $(foreach d,$(HV_DIRS),$(wildcard $(d)/*.c) $(wildcard $(d)/*.S))
HV_OBJ   := $(patsubst %,$(BUILD)/hv/%.o,$(HV_SRC))

GCCINC   := $(shell $(CC) -print-file-name=include)
WARN     := -Wall -Wextra -Werror -Wmissing-prototypes -Wshadow -Wstrict-prototypes
HV_CFLAGS := -std=gnu11 -O2 -g $(WARN) -ffreestanding -fno-builtin -nostdinc \
	-isystem $(GCCINC) -Ilib/include -I. -fno-pic -fno-pie -mcmodel=small \
	-mno-red-zone -mno-sse -mno-sse2 -mno-mmx -mno-avx -mno-80387 \
	-fno-stack-protector -fno-omit-frame-pointer -fno-strict-aliasing \
	-fno-asynchronous-unwind-tables -DSV_VERSION='"$(VERSION)"' -MMD -MP
HV_ASFLAGS := -g -I. -Ilib/include -D__ASSEMBLY__ -MMD -MP
HV_LDFLAGS := -nostdlib -n -z noexecstack -z max-page-size=0x1000 -T linker.ld --no-warn-rwx-segments

HOST_SRC := $(wildcard mm/*.c) $(wildcard sharing/*.c) tools/host_plat.c
HOST_OBJ = $(patsubst %.c,$(BUILD)/host/obj/%.o,$(HOST_SRC))
HOST_CFLAGS := -std=gnu11 -O2 -g $(WARN) -I. -DSV_HOSTED -MMD -MP
HOST_LIB := $(BUILD)/host/libsv.a

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(patsubst tests/unit/%.c,$(BUILD)/host/tests/%,$(UNIT_SRC))
TOOL_SRC := $(wildcard tools/sharevisor-*.c)
TOOL_BIN = $(patsubst tools/%.c,$(BUILD)/host/%,$(TOOL_SRC))

ifeq ($(V),1)
say =
else ifneq ($(findstring s,$(firstword -$(MAKEFLAGS))),)
say = @
else
say = @printf '  %-7s %s\n' '$(1)' '$(2)';
endif

all: $(BUILD)/sharevisor.elf guests host

# Feature fragments (guests, benchmarks, fuzzing, extra host sources): each
# mk/*.mk owns its rules and may append to HOST_SRC, DEFAULT_MODULES, ...
include $(sort $(wildcard mk/*.mk))

$(BUILD)/sharevisor.elf: $(HV_OBJ) linker.ld
	$(call say,LD,$@)$(LD) $(HV_LDFLAGS) -o $@ $(HV_OBJ)

$(BUILD)/hv/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(HV_CFLAGS) -c $< -o $@

$(BUILD)/hv/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(call say,AS,$<)$(CC) $(HV_ASFLAGS) -c $< -o $@

# What make run, run-bochs, debug and demo boot: the default scenario
# (build/sharevisor.iso: mk/guests.mk's GUEST, VMS and MEM), or with
# SCENARIO=FILE a scenario file (tests/scenarios/*.sc's format; its CMDLINE,
# MODULES and MEM are used, the test fields ignored) in build/run/NAME.iso;
# HV_OPTS is added to the hypervisor's command line in both. The ISO is
# rebuilt only when its grub.cfg or a file in it changed (scripts/mkiso.sh);
# the files under build/ are made first (guests, the Linux guest).
ifdef SCENARIO
ifeq ($(wildcard $(SCENARIO)),)
$(error SCENARIO=$(SCENARIO): no such file)
endif
RUN_ISO := $(BUILD)/run/$(basename $(notdir $(SCENARIO))).iso
RUN_FILES := $(filter build/%,$(shell scripts/scenario.sh files $(SCENARIO)))
QEMU_MEM := $(shell scripts/scenario.sh mem $(SCENARIO))
$(RUN_ISO): $(BUILD)/sharevisor.elf $(RUN_FILES) FORCE
	@scripts/scenario.sh run-iso $(SCENARIO) $@ "$(HV_OPTS)"
else
RUN_ISO := $(BUILD)/sharevisor.iso
RUN_FILES := $(filter build/%,$(patsubst "%,%,$(filter "%,$(DEFAULT_MODULES))))
$(RUN_ISO): $(BUILD)/sharevisor.elf $(RUN_FILES) FORCE
	@scripts/mkiso.sh $@ "$(BUILD)/sharevisor.elf" "$(HV_OPTS)" $(DEFAULT_MODULES)
endif

# The Linux test guest's files: scripts/linux-guest.sh makes them, changing
# only what is out of date (so an ISO holding them is rebuilt only then).
$(BUILD)/linux/vmlinuz $(BUILD)/linux/vmlinux $(BUILD)/linux/initrd.img: linux-guest ;

host: $(HOST_LIB) $(UNIT_BIN) $(TOOL_BIN)

$(BUILD)/host/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$<)$(HOSTCC) $(HOST_CFLAGS) -c $< -o $@

$(HOST_LIB): $(filter-out %/host_plat.o,$(HOST_OBJ))
	@mkdir -p $(dir $@)
	$(call say,AR,$@)rm -f $@ && ar rcs $@ $^

$(BUILD)/host/tests/%: tests/unit/%.c $(HOST_LIB) $(BUILD)/host/obj/tools/host_plat.o
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$@)$(HOSTCC) $(HOST_CFLAGS) $< $(HOST_LIB) $(BUILD)/host/obj/tools/host_plat.o -lcmocka -o $@

$(BUILD)/host/%: tools/%.c $(HOST_LIB) $(BUILD)/host/obj/tools/host_plat.o
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$@)$(HOSTCC) $(HOST_CFLAGS) $< $(HOST_LIB) $(BUILD)/host/obj/tools/host_plat.o -o $@

# Every header must compile on its own (freestanding flags).
HEADERS := $(filter-out tools/% tests/%,$(shell find arch kernel mm sharing emu drivers lib -name '*.h'))
check-headers:
	@set -e; for h in $(HEADERS); do \
		echo "#include \"$$h\"" | $(CC) $(filter-out -MMD -MP,$(HV_CFLAGS)) -x c -fsyntax-only - \
		|| { echo "header $$h does not compile on its own"; exit 1; }; done
	@echo "headers: $(words $(HEADERS)) compile on their own"

deps:
	@scripts/deps.sh

run: deps $(RUN_ISO)
	@QEMU_MEM=$(QEMU_MEM) scripts/run-qemu.sh $(RUN_ISO)

run-bochs: deps $(RUN_ISO)
	@BOCHS_MEM=$(QEMU_MEM) scripts/run-bochs.sh $(RUN_ISO)

debug: deps $(RUN_ISO)
	@QEMU_MEM=$(QEMU_MEM) scripts/run-qemu.sh $(RUN_ISO) -s -S

test: deps
	@scripts/test.sh

# The Linux test guest in build/linux/ (scripts/linux-guest.sh: Debian's kernel
# and busybox-static by apt-get download, cached; the initramfs built here).
linux-guest:
	@scripts/linux-guest.sh

clean:
	rm -rf $(BUILD)

.PHONY: all host deps run run-bochs debug test clean check-headers guests bench fuzz linux-guest \
	FORCE

guests:
bench:
fuzz:
FORCE:


-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
