# SPDX-License-Identifier: MIT
# pattern.mk - the pattern engine's extra host programs: the PCRE2
# differential test, the libFuzzer target and the benchmark.
#
#   make pattern-diff     build/host/pattern-diff (run by tests/suites/20-pattern-diff.sh)
#   make fuzz             libFuzzer over parser/compiler/matcher, FUZZ_SECONDS (60) each
#   make bench            build/host/pattern-bench, -O2, prints GB/s and ratios

FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
PATTERN_SRC   = $(wildcard sharing/pattern*.c sharing/patset*.c)

$(BUILD)/host/pattern-diff: tests/fuzz/pattern_diff.c $(HOST_LIB) $(BUILD)/host/obj/tools/host_plat.o
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$@)$(HOSTCC) $(HOST_CFLAGS) $< $(HOST_LIB) $(BUILD)/host/obj/tools/host_plat.o -lpcre2-8 -o $@

# libFuzzer needs clang and its own instrumented build of the engine sources.
$(BUILD)/host/fuzz-pattern: tests/fuzz/fuzz_pattern.c tests/fuzz/coverage-ignore.txt $(PATTERN_SRC) tools/host_plat.c $(wildcard sharing/*.h)
	@mkdir -p $(dir $@)
	$(call say,FUZZCC,$@)$(FUZZ_CC) -std=gnu11 -g -O1 -I. -DSV_HOSTED -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined -fsanitize-coverage-ignorelist=tests/fuzz/coverage-ignore.txt \
		$< $(PATTERN_SRC) tools/host_plat.c -o $@

$(BUILD)/host/pattern-bench: bench/pattern_bench.c $(HOST_LIB) $(BUILD)/host/obj/tools/host_plat.o
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$@)$(HOSTCC) $(HOST_CFLAGS) -O2 $< $(HOST_LIB) $(BUILD)/host/obj/tools/host_plat.o -o $@

pattern-diff: $(BUILD)/host/pattern-diff

pattern-fuzz: $(BUILD)/host/fuzz-pattern
	@mkdir -p $(BUILD)/fuzz/corpus-pattern
	cp -n tests/fuzz/corpus-pattern/* $(BUILD)/fuzz/corpus-pattern/ 2>/dev/null || true
	$(BUILD)/host/fuzz-pattern -max_total_time=$(FUZZ_SECONDS) -max_len=600 -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 $(BUILD)/fuzz/corpus-pattern

pattern-bench: $(BUILD)/host/pattern-bench
	$(BUILD)/host/pattern-bench

host: $(BUILD)/host/pattern-diff
fuzz: pattern-fuzz
bench: pattern-bench

.PHONY: pattern-diff pattern-fuzz pattern-bench
