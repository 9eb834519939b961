#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# extract-vmlinux.py - the uncompressed kernel ELF (vmlinux) inside a bzImage.
#
#   extract-vmlinux.py [--trim] BZIMAGE VMLINUX
#
# The boot protocol (Linux's Documentation/arch/x86/boot.rst) names the
# compressed payload: setup-header fields payload_offset (0x248, from the
# start of the protected-mode code at (setup_sects + 1) * 512) and
# payload_length (0x24c). The build appends the uncompressed size as the
# payload's last 4 bytes (scripts/Makefile.lib, size_append). Debian's kernel
# is XZ-compressed; gzip and LZMA are handled too (all three are in Python's
# standard library). The result is checked (ELF magic, the appended size) and
# written through a temporary file, so a failed run leaves no half file.
#
# --trim: the same memory image in fewer bytes. Each PT_LOAD segment's
# trailing zero file bytes become bss (p_filesz shrinks, p_memsz stays),
# the file ends after the last byte a program header still covers, and the
# section headers are dropped (e_shoff = e_shnum = e_shstrndx = 0; a loader
# reads program headers only, the notes are in their PT_NOTE). Debian's
# kernel has a 4 MiB PROGBITS .init.scratch after its 17 MiB .bss, so its
# vmlinux carries both as zeros: 66 MB, 41 MB trimmed, which GRUB reads from
# an emulated CD about 2 s faster.
import lzma
import os
import struct
import sys
import zlib


def fail(msg):
    sys.exit(f"extract-vmlinux: {msg}")


def payload(image):
    if len(image) < 0x250 or image[0x202:0x206] != b"HdrS":
        fail("not a bzImage (no \"HdrS\" at 0x202)")
    if struct.unpack_from("<H", image, 0x206)[0] < 0x0208:
        fail("boot protocol older than 2.08: no payload fields")
    setup_sects = image[0x1f1] or 4
    offset, length = struct.unpack_from("<II", image, 0x248)
    start = (setup_sects + 1) * 512 + offset
    if length < 4 or start + length > len(image):
        fail(f"payload [{start:#x}, {start + length:#x}) is outside the file ({len(image)} bytes)")
    return image[start:start + length]


def decompress(data):
    if data.startswith(b"\xfd7zXZ\x00"):
        return lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(data)
    if data.startswith(b"\x1f\x8b"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data)
    if data[:3] == b"\x5d\x00\x00":
        return lzma.LZMADecompressor(format=lzma.FORMAT_ALONE).decompress(data)
    fail(f"payload compressed with an unsupported method (magic {data[:6].hex()})")


def trim(elf):
    if elf[4] != 2 or elf[5] != 1:
        fail("--trim handles little-endian ELF64 only")
    out = bytearray(elf)
    phoff, = struct.unpack_from("<Q", elf, 32)
    phentsize, phnum = struct.unpack_from("<HH", elf, 54)
    end = phoff + phentsize * phnum
    for i in range(phnum):
        ph = phoff + i * phentsize
        ptype, = struct.unpack_from("<I", elf, ph)
        off, = struct.unpack_from("<Q", elf, ph + 8)
        filesz, = struct.unpack_from("<Q", elf, ph + 32)
        if ptype == 1:  # PT_LOAD
            filesz = len(elf[off:off + filesz].rstrip(b"\0"))
            struct.pack_into("<Q", out, ph + 32, filesz)
        if filesz:
            end = max(end, off + filesz)
    struct.pack_into("<Q", out, 40, 0)          # e_shoff
    struct.pack_into("<HHH", out, 58, 0, 0, 0)  # e_shentsize, e_shnum, e_shstrndx
    return bytes(out[:end])


def main():
    args = sys.argv[1:]
    trimmed = args[:1] == ["--trim"]
    if trimmed:
        args = args[1:]
    if len(args) != 2:
        sys.exit("usage: extract-vmlinux.py [--trim] BZIMAGE VMLINUX")
    with open(args[0], "rb") as f:
        data = payload(f.read())
    try:
        elf = decompress(data)
    except (lzma.LZMAError, zlib.error) as e:
        fail(f"decompressing the payload failed: {e}")
    if not elf.startswith(b"\x7fELF"):
        fail("the payload does not decompress to an ELF file")
    want = struct.unpack_from("<I", data, len(data) - 4)[0]
    if want != len(elf) & 0xffffffff:
        fail(f"decompressed {len(elf)} bytes, the payload says {want}")
    if trimmed:
        elf = trim(elf)
    tmp = args[1] + ".tmp"
    with open(tmp, "wb") as f:
        f.write(elf)
    os.replace(tmp, args[1])


if __name__ == "__main__":
    main()
