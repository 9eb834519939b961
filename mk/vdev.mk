# Virtual devices a guest sees (PIC, PIT, UART, CMOS/RTC, ACPI tables, local
# APIC, I/O APIC): plain C, also built on the host for the unit tests in
# tests/unit/test_v*.c.
HOST_SRC += drivers/vpic.c drivers/vpit.c drivers/vuart.c drivers/vrtc.c drivers/vacpi.c
HOST_SRC += drivers/vlapic.c drivers/vioapic.c drivers/vpci.c
