# The PVH guest of linux-pvh.sc, one VM, on Bochs (VMX+EPT): the same entry
# state through the other backend.
LINUX_EMULATORS=bochs LINUX_MEM=512 LINUX_VMS=1
# shellcheck disable=SC1091
source tests/scenarios/linux-pvh.sc
