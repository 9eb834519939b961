# SPDX-License-Identifier: MIT
# loader.mk - the guest loader and VM option parser also build hosted (unit tests).
HOST_SRC += kernel/vmconfig.c kernel/loader.c
