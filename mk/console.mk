# SPDX-License-Identifier: MIT
# console.mk - the console's host side: scripts/svctl, the demo, unit tests.
#
#   make demo               boot the default scenario (mk/guests.mk; or SCENARIO=FILE) unattended,
#                           record `stats json` until the scanner converges, print
#                           the final tables, write build/demo/{stats.jsonl,plot.png,plot.gp,final.txt,serial.log}
#   make run CONSOLE=socket the console on build/console.sock (scripts/svctl)
#   make console-test       the console scenario tests alone (tests/suites/60-console.sh)
#
# tests/unit/test_console.c is picked up by the top-level UNIT_SRC wildcard
# (run by tests/suites/10-unit.sh); 60-console.sh builds its own ISOs.

demo: deps $(RUN_ISO)
	@QEMU_MEM=$(QEMU_MEM) DEMO_STABLE=$(DEMO_STABLE) DEMO_MAX=$(DEMO_MAX) \
		scripts/demo.sh $(RUN_ISO) $(BUILD)/demo

console-test: all
	bash tests/suites/60-console.sh

.PHONY: demo console-test
