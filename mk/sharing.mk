# Simulated guests over the sharing engine: shared by the unit tests and sharevisor-sim.
HOST_SRC += tools/simvm.c
