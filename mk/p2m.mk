# SPDX-License-Identifier: MIT
# p2m.mk - the EPT and NPT entry formats are plain C: build them into the
# host library too, so the p2m unit tests run the walker over both.
HOST_SRC += arch/x86/vmx/ept.c arch/x86/svm/npt.c
