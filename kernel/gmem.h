/* SPDX-License-Identifier: MIT */
/*
 * gmem.h - reading guest memory the way the guest sees it.
 *
 * For emulation (instruction fetch without decode assists, and later string
 * I/O and MMIO): guest-physical reads go through the VM's p2m; linear reads
 * first walk the guest's own page tables in whatever paging mode it is in.
 */
#ifndef SV_KERNEL_GMEM_H
#define SV_KERNEL_GMEM_H

#include <stddef.h>
#include <stdint.h>

struct vm;
struct vcpu;

/*
 * guest_read_phys - copy @n bytes at guest-physical @gpa. RAM never touched
 * reads as zeros (it is zero when first touched). Returns 0, or -SV_EFAULT
 * when any byte is not guest RAM.
 */
int guest_read_phys(struct vm *vm, uint64_t gpa, void *buf, size_t n);

/*
 * guest_linear_to_phys - translate linear address @la with the guest's
 * paging (off, 32-bit, PAE or 4-level, from its CR0/CR4/EFER). Returns 0
 * with *gpa set, or -SV_EFAULT when the guest's tables do not map @la.
 */
int guest_linear_to_phys(struct vcpu *v, uint64_t la, uint64_t *gpa);

/* guest_read_linear - copy @n bytes at linear @la. Returns 0 or -SV_EFAULT. */
int guest_read_linear(struct vcpu *v, uint64_t la, void *buf, size_t n);

#endif
