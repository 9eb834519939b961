/* SPDX-License-Identifier: MIT */
/* errno.h - the error numbers hypervisor functions return, negated (Linux values). */
#ifndef SV_MM_ERRNO_H
#define SV_MM_ERRNO_H

#define SV_EPERM	1
#define SV_ENOENT	2
#define SV_EIO		5
#define SV_E2BIG	7
#define SV_ENOEXEC	8
#define SV_EAGAIN	11
#define SV_ENOMEM	12
#define SV_EFAULT	14
#define SV_EBUSY	16
#define SV_EEXIST	17
#define SV_EINVAL	22
#define SV_ENOSPC	28
#define SV_ERANGE	34
#define SV_ENOSYS	38
#define SV_ENOTSUP	95

#endif
