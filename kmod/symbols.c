// SPDX-License-Identifier: GPL-2.0
/*
 * Symbol resolution and the layout check of the private structures used by
 * compat.h. kallsyms_lookup_name() is not exported since 5.7: a kprobe on it
 * reveals its address, the usual way for out-of-tree modules.
 */
#include <linux/kprobes.h>
#include <linux/nsproxy.h>
#include <linux/proc_ns.h>
#include <linux/sched.h>
#include <linux/fs_struct.h>
#include <linux/user_namespace.h>

#include "compat.h"
#include "symbols.h"

struct fguard_symbols fguard_sym __ro_after_init;

static unsigned long (*lookup_name)(const char *name);

unsigned long fguard_symbols_lookup(const char *name)
{
	return lookup_name ? lookup_name(name) : 0;
}

static int find_lookup_name(void)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	int err = register_kprobe(&kp);

	if (err) {
		pr_err("cannot find kallsyms_lookup_name (kprobe: %d); CONFIG_KPROBES and CONFIG_KALLSYMS are required\n",
		       err);
		return err;
	}
	lookup_name = (void *)kp.addr;
	unregister_kprobe(&kp);
	return lookup_name ? 0 : -ENOENT;
}

/*
 * Check the reproduced layouts against live objects: the caller's mount
 * namespace must carry the mount-namespace operations, its root mount must
 * point back to it, and the initial namespace belongs to the initial user
 * namespace. A mismatch means compat.h does not describe this kernel.
 */
static int check_layout(void)
{
	struct fg_mnt_namespace *ns, *init_ns;
	struct path root;

	ns = (struct fg_mnt_namespace *)current->nsproxy->mnt_ns;
	init_ns = (struct fg_mnt_namespace *)init_task.nsproxy->mnt_ns;
	get_fs_root(current->fs, &root);
	if (ns->ns.ops != fguard_sym.mntns_operations ||
	    init_ns->ns.ops != fguard_sym.mntns_operations ||
	    fg_mnt_ns_of(root.mnt) != ns ||
	    init_ns->user_ns != &init_user_ns || !init_ns->seq ||
	    !ns->ns.inum) {
		path_put(&root);
		pr_err("private kernel structures (struct mount, struct mnt_namespace) do not match the layout fguard was built for; refusing to load\n");
		return -ENOEXEC;
	}
	path_put(&root);
	return 0;
}

int fguard_symbols_init(void)
{
	static const struct {
		const char *name;
		size_t offset;
	} wanted[] = {
#define SYM(n) { #n, offsetof(struct fguard_symbols, n) }
		SYM(d_absolute_path),
		SYM(copy_mnt_ns),
		SYM(put_mnt_ns),
		SYM(mntns_operations),
		SYM(mount_lock),
#undef SYM
	};
	unsigned long addr;
	size_t i;
	int err;

	err = find_lookup_name();
	if (err)
		return err;
	for (i = 0; i < ARRAY_SIZE(wanted); i++) {
		addr = lookup_name(wanted[i].name);
		if (!addr) {
			pr_err("kernel symbol %s not found; unsupported kernel\n",
			       wanted[i].name);
			return -ENOENT;
		}
		*(unsigned long *)((char *)&fguard_sym + wanted[i].offset) = addr;
	}
	return check_layout();
}
