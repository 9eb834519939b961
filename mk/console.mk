# SPDX-License-Identifier: MIT
# console.mk - the console's host side: scripts/svctl, the demo, unit tests.
#
#   make demo               boot the default scenario (DEFAULT_MODULES) unattended,
#                           record `stats json` until the scanner converges, print
#                           the final tables, write build/demo/{stats.jsonl,plot.png}
#   make run CONSOLE=socket the console on build/console.sock (scripts/svctl)
#
# tests/unit/test_console.c is picked up by the top-level UNIT_SRC wildcard;
# tests/suites/60-console.sh boots QEMU with the console tests' ISO built here.

CONSOLE_TEST_ISO := $(BUILD)/console-tests/console.iso

demo: deps all
	scripts/demo.sh $(BUILD)/sharevisor.iso $(BUILD)/demo

.PHONY: demo
