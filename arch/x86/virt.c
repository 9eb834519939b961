// SPDX-License-Identifier: MIT
/*
 * virt.c - choose the virtualization backend at boot.
 *
 * One binary runs on Intel and AMD: CPUID says which extension the CPU has
 * (cpufeat.c probed every feature); each backend lists what it requires,
 * and every missing requirement is reported by name.
 */
#include "arch/x86/cpufeat.h"
#include "arch/x86/svm/svm.h"
#include "arch/x86/vmx/vmx.h"
#include "kernel/printk.h"
#include "kernel/virt.h"
#include "mm/errno.h"

const struct virt_ops *virt;

struct requirement {
	bool have;
	const char *name;
};

static bool check(const char *backend, const struct requirement *req, int n)
{
	bool ok = true;

	for (int i = 0; i < n; i++) {
		if (!req[i].have) {
			pr_err("virt: %s: missing %s\n", backend, req[i].name);
			ok = false;
		}
	}
	return ok;
}

static const struct virt_ops *pick(void)
{
	const struct cpu_features *f = &cpu_features;

	if (f->vmx) {
		const struct requirement req[] = {
			{ !f->vmx_locked_off, "VMX enabled by firmware (IA32_FEATURE_CONTROL)" },
			{ f->ept, "EPT (extended page tables)" },
			{ f->ept_4level, "EPT 4-level page walk" },
			{ f->ept_wb, "EPT write-back memory type" },
			{ f->vpid, "VPID" },
			{ f->unrestricted, "unrestricted guest" },
			{ f->invept_single || f->invept_all, "INVEPT" },
		};
		return check("VMX", req, sizeof(req) / sizeof(req[0])) ? &vmx_ops : NULL;
	}
	if (f->svm) {
		const struct requirement req[] = {
			{ !f->svm_locked_off, "SVM enabled by firmware (VM_CR.SVMDIS is set)" },
			{ f->npt, "NPT (nested paging)" },
			{ f->nasids > 1, "ASIDs for guests" },
		};
		return check("SVM", req, sizeof(req) / sizeof(req[0])) ? &svm_ops : NULL;
	}
	pr_err("virt: this CPU has no hardware virtualization (neither Intel VMX nor AMD SVM)\n");
	return NULL;
}

int virt_init(void)
{
	const struct virt_ops *ops = pick();
	int rc;

	if (!ops) {
		pr_err("virt: cannot run guests on this CPU\n");
		return -SV_ENOTSUP;
	}
	rc = ops->cpu_enable();
	if (rc) {
		pr_err("virt: enabling %s failed (error %d)\n", ops->name, rc);
		return rc;
	}
	virt = ops;
	pr_info("virt: using %s with %s nested paging\n", ops->name,
		ops == &svm_ops ? "NPT" : "EPT");
	return 0;
}
