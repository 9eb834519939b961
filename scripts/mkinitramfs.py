#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""mkinitramfs.py - write a gzip-compressed newc cpio archive (the format
Linux unpacks as its initramfs, Documentation/driver-api/early-userspace/
buffer-format.rst) from a list of entries, with device nodes and owners
set without root privileges:

    mkinitramfs.py OUT dir PATH MODE | file PATH MODE SRC | nod PATH MODE MAJOR MINOR ...

(one entry per group of arguments, modes in octal, files owned by root).
"""
import gzip
import sys

S_IFDIR, S_IFREG, S_IFCHR = 0o040000, 0o100000, 0o020000


def entry(ino, name, mode, data=b"", rdev=(0, 0)):
    name_b = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, 2 if mode & S_IFDIR else 1, 0, len(data), 0, 0,
              rdev[0], rdev[1], len(name_b), 0]
    out = b"070701" + b"".join(b"%08x" % f for f in fields) + name_b
    out += b"\0" * (-len(out) % 4)
    out += data + b"\0" * (-len(data) % 4)
    return out


def main(argv):
    out, args = argv[1], argv[2:]
    parts, ino = [], 1
    while args:
        kind = args[0]
        if kind == "dir":
            parts.append(entry(ino, args[1], S_IFDIR | int(args[2], 8)))
            args = args[3:]
        elif kind == "file":
            with open(args[3], "rb") as f:
                parts.append(entry(ino, args[1], S_IFREG | int(args[2], 8), f.read()))
            args = args[4:]
        elif kind == "nod":
            parts.append(entry(ino, args[1], S_IFCHR | int(args[2], 8),
                               rdev=(int(args[3]), int(args[4]))))
            args = args[5:]
        else:
            sys.exit("mkinitramfs.py: unknown entry kind '%s'" % kind)
        ino += 1
    parts.append(entry(0, "TRAILER!!!", 0))
    with gzip.open(out, "wb", compresslevel=6) as f:
        f.write(b"".join(parts))


if __name__ == "__main__":
    main(sys.argv)
