# SPDX-License-Identifier: MIT
# guests.mk - the test guests: tiny Multiboot v1 kernels that run as VMs in
# scenario tests, and bare under QEMU (tests/suites/40-guests-bare.sh).
#
#   make guests    build/guests/NAME.elf for each tests/guests/NAME.c (32-bit),
#                  hello in every loader format (see tests/guests/README.md),
#                  and for each tests/guests/64/NAME.c a 64-bit kernel:
#                  build/guests/NAME.elf (ELF64, entered in 32-bit mode as
#                  Multiboot says) and NAME-elf32.elf (the same code in an
#                  ELF32 file, for QEMU's -kernel, which refuses ELF64)

GUESTS_DIR   := build/guests
GUEST_NAMES  := $(basename $(notdir $(wildcard tests/guests/*.c)))
GUEST_ELFS   := $(patsubst %,$(GUESTS_DIR)/%.elf,$(GUEST_NAMES))
GUEST_FORMATS := $(GUESTS_DIR)/hello64.elf $(GUESTS_DIR)/hello-objcopy.elf \
	$(GUESTS_DIR)/hello.bin
GUEST_RT_SRC := $(wildcard tests/guests/rt/*.c)
GUEST_RT_OBJ := $(patsubst tests/guests/rt/%.c,$(GUESTS_DIR)/rt/%.o,$(GUEST_RT_SRC))
GUEST_LDS    := tests/guests/rt/guest.ld

GUEST_CFLAGS := -m32 -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wshadow \
	-Wmissing-prototypes -Wstrict-prototypes -ffreestanding -nostdlib \
	-fno-builtin -fno-tree-loop-distribute-patterns -fno-pic -fno-pie \
	-fno-stack-protector -fno-asynchronous-unwind-tables -mno-sse -mno-mmx \
	-mno-80387 -Itests/guests/rt -MMD -MP
GUEST_LDFLAGS := -m elf_i386 -nostdlib -n -T $(GUEST_LDS) --no-warn-rwx-segments

GUEST64_NAMES := $(basename $(notdir $(wildcard tests/guests/64/*.c)))
GUEST64_ELFS  := $(patsubst %,$(GUESTS_DIR)/%.elf,$(GUEST64_NAMES)) \
	$(patsubst %,$(GUESTS_DIR)/%-elf32.elf,$(GUEST64_NAMES))
GUEST64_RT_OBJ := $(patsubst tests/guests/rt/%.c,$(GUESTS_DIR)/rt64/%.o,$(GUEST_RT_SRC))
GUEST64_CFLAGS := $(filter-out -m32,$(GUEST_CFLAGS)) -m64 -mno-red-zone -mcmodel=small
GUEST64_LDFLAGS := $(patsubst elf_i386,elf_x86_64,$(GUEST_LDFLAGS))

# Default scenario (make run, make demo, make run-bochs, make debug): one GRUB
# module2 line per quoted spec (scripts/mkiso.sh), chosen by GUEST:
#   GUEST=linux (default)  VMS (default 4) Debian Linux guests lx1..lxN of MEM
#                          (default 256M) each, command line console=ttyS0 (make
#                          linux-guest fetches the kernel and builds the initramfs);
#                          make demo records until `saved` is unchanged for 20 s
#   GUEST=test             the test guests: VMS (default 3, at most 16) sharing guests
#                          a, b, c, ... of MEM (default 16M) that stay alive (two by
#                          two with the same seed: a's and b's "dup" pages merge
#                          across VMs, c's and d's, ...) and an idle guest of 8 MiB
#                          for `console idle`
# QEMU gets VMS x MEM + 512 MiB (QEMU_MEM= overrides it).
GUEST ?= linux
ifeq ($(GUEST),test)
VMS ?= 3
MEM ?= 16M
else
VMS ?= 4
MEM ?= 256M
endif
SEQ_VMS = $(shell seq 1 $(VMS) 2>/dev/null)
TEST_NAMES := a b c d e f g h i j k l m n o p
TEST_SEEDS := 3 3 5 5 7 7 9 9 11 11 13 13 15 15 17 17
TEST_MODULES = $(foreach i,$(SEQ_VMS),"$(GUESTS_DIR)/share.elf vm=$(word $(i),$(TEST_NAMES)) \
	mem=$(MEM) cmdline=\"seed=$(word $(i),$(TEST_SEEDS)) linger=1\"") \
	"$(GUESTS_DIR)/idle.elf vm=idle mem=8M"
LINUX_MODULES = $(foreach i,$(SEQ_VMS),\
	"build/linux/vmlinuz vm=lx$(i) mem=$(MEM) cmdline=\"console=ttyS0\"" "build/linux/initrd.img for=lx$(i)")
MEM_MIB = $(if $(filter %G,$(MEM)),$(shell echo $$(( $(MEM:G=) * 1024 )) 2>/dev/null),$(MEM:M=))
QEMU_MEM ?= $(shell echo $$(( $(VMS) * $(MEM_MIB) + 512 )) 2>/dev/null)
ifeq ($(GUEST),test)
DEFAULT_MODULES = $(TEST_MODULES)
DEMO_STABLE ?= 5
DEMO_MAX ?= 120
else
DEFAULT_MODULES = $(LINUX_MODULES)
DEMO_STABLE ?= 10
DEMO_MAX ?= 300
endif

# GUEST, VMS and MEM must make sense (one clear line, not an empty ISO), checked
# when a goal boots the default scenario, before anything is built.
ifeq ($(SCENARIO),)
ifneq ($(filter run run-bochs debug demo $(BUILD)/sharevisor.iso,$(MAKECMDGOALS)),)
ifeq ($(filter linux test,$(GUEST)),)
$(error GUEST=$(GUEST): expected linux or test)
endif
ifeq ($(shell [ "$(VMS)" -ge 1 ] 2>/dev/null && echo ok),)
$(error VMS=$(VMS): expected a number of VMs, 1 or more)
endif
ifeq ($(GUEST)$(shell [ "$(VMS)" -gt 16 ] 2>/dev/null && echo big),testbig)
$(error VMS=$(VMS): GUEST=test has at most 16 VMs)
endif
ifeq ($(shell echo '$(MEM)' | grep -Ex '[1-9][0-9]*[MG]'),)
$(error MEM=$(MEM): expected each VM's RAM in MiB or GiB, e.g. 256M or 1G)
endif
endif
endif

# A real-mode guest (entry=real): 16-bit code, a flat a.out-kludge binary at 0x8000.
GUEST_REAL := $(GUESTS_DIR)/real16.bin

guests: $(GUEST_ELFS) $(GUEST_FORMATS) $(GUEST_REAL) $(GUEST64_ELFS)

$(GUESTS_DIR)/real16.bin: tests/guests/real16.S
	@mkdir -p $(GUESTS_DIR)/obj
	$(call say,CC,$<)$(CC) -m32 -c $< -o $(GUESTS_DIR)/obj/real16.o
	$(call say,LD,$@)$(LD) -m elf_i386 -Ttext 0 --oformat binary -o $@ $(GUESTS_DIR)/obj/real16.o

$(GUESTS_DIR)/rt/%.o: tests/guests/rt/%.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(GUEST_CFLAGS) -c $< -o $@

$(GUESTS_DIR)/rt/entry.o: tests/guests/rt/entry.S
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) -m32 -g -Itests/guests/rt -MMD -MP -c $< -o $@

$(GUESTS_DIR)/rt/entry-aout.o: tests/guests/rt/entry.S
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) -m32 -g -Itests/guests/rt -DMB_AOUT -MMD -MP -c $< -o $@

$(GUESTS_DIR)/obj/%.o: tests/guests/%.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(GUEST_CFLAGS) -c $< -o $@

# (1) plain ELF32, linked directly.
$(GUESTS_DIR)/%.elf: $(GUESTS_DIR)/rt/entry.o $(GUEST_RT_OBJ) $(GUESTS_DIR)/obj/%.o $(GUEST_LDS)
	$(call say,LD,$@)$(LD) $(GUEST_LDFLAGS) -o $@ $(filter %.o,$^)

# (2) ELF64 holding the same 32-bit code and Multiboot header.
$(GUESTS_DIR)/hello64.elf: $(GUESTS_DIR)/hello.elf
	$(call say,OBJCOPY,$@)objcopy -O elf64-x86-64 $< $@

# (3) ELF32 "the usual way": objcopy -O elf32-i386 of a 64-bit ELF.
$(GUESTS_DIR)/hello-objcopy.elf: $(GUESTS_DIR)/hello64.elf
	$(call say,OBJCOPY,$@)objcopy -O elf32-i386 $< $@

# (4) a.out kludge: flat binary whose Multiboot header has flag bit 16.
$(GUESTS_DIR)/hello-aout.elf: $(GUESTS_DIR)/rt/entry-aout.o $(GUEST_RT_OBJ) $(GUESTS_DIR)/obj/hello.o $(GUEST_LDS)
	$(call say,LD,$@)$(LD) $(GUEST_LDFLAGS) -o $@ $(filter %.o,$^)

$(GUESTS_DIR)/hello.bin: $(GUESTS_DIR)/hello-aout.elf
	$(call say,OBJCOPY,$@)objcopy -O binary -j .text -j .rodata -j .data $< $@

# The 64-bit guests: the same runtime built for x86-64, entry64.S instead of entry.S.
$(GUESTS_DIR)/rt64/%.o: tests/guests/rt/%.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(GUEST64_CFLAGS) -c $< -o $@

$(GUESTS_DIR)/rt64/entry64.o: tests/guests/rt/entry64.S
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) -m64 -g -Itests/guests/rt -MMD -MP -c $< -o $@

$(GUESTS_DIR)/obj64/%.o: tests/guests/64/%.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(GUEST64_CFLAGS) -c $< -o $@

$(patsubst %,$(GUESTS_DIR)/%.elf,$(GUEST64_NAMES)): $(GUESTS_DIR)/%.elf: $(GUESTS_DIR)/rt64/entry64.o \
		$(GUEST64_RT_OBJ) $(GUESTS_DIR)/obj64/%.o $(GUEST_LDS)
	$(call say,LD,$@)$(LD) $(GUEST64_LDFLAGS) -o $@ $(filter %.o,$^)

$(GUESTS_DIR)/%-elf32.elf: $(GUESTS_DIR)/%.elf
	$(call say,OBJCOPY,$@)objcopy -O elf32-i386 $< $@

.PRECIOUS: $(GUESTS_DIR)/obj/%.o $(GUESTS_DIR)/rt/%.o $(GUESTS_DIR)/obj64/%.o $(GUESTS_DIR)/rt64/%.o

# make fuzz-guests SEEDS=N: the hostile guest for seeds 1..N, every mode, on
# QEMU (SVM), Bochs (VMX) and Bochs's AMD model (EMULATORS=, MODES=, STEPS=,
# PACK= as in scripts/fuzz-guests.sh); a table of outcomes, non-zero exit on
# any host failure.
SEEDS ?= 3
fuzz-guests: all
	scripts/fuzz-guests.sh $(SEEDS)

.PHONY: fuzz-guests
