#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# extract-vmlinux.py - the uncompressed kernel ELF (vmlinux) inside a bzImage.
#
#   extract-vmlinux.py BZIMAGE VMLINUX
#
# The boot protocol (Linux's Documentation/arch/x86/boot.rst) names the
# compressed payload: setup-header fields payload_offset (0x248, from the
# start of the protected-mode code at (setup_sects + 1) * 512) and
# payload_length (0x24c). The build appends the uncompressed size as the
# payload's last 4 bytes (scripts/Makefile.lib, size_append). Debian's kernel
# is XZ-compressed; gzip and LZMA are handled too (all three are in Python's
# standard library). The result is checked (ELF magic, the appended size) and
# written through a temporary file, so a failed run leaves no half file.
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


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: extract-vmlinux.py BZIMAGE VMLINUX")
    with open(sys.argv[1], "rb") as f:
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
    tmp = sys.argv[2] + ".tmp"
    with open(tmp, "wb") as f:
        f.write(elf)
    os.replace(tmp, sys.argv[2])


if __name__ == "__main__":
    main()
