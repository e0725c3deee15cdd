// SPDX-License-Identifier: GPL-2.0
/*
 * fguard: per-mount-namespace file access policies for containers.
 *
 * ORDER: symbols (nothing works without them), the registry and the
 * decision cache (data), the hooks (they read both), the netlink family last: it is the door,
 * opened only when everything behind it works. Exit closes the door first,
 * then removes the hooks and waits for them, then frees the data.
 */
#include <linux/module.h>

#include "cache.h"
#include "events.h"
#include "hook.h"
#include "netlink.h"
#include "registry.h"
#include "selftest.h"
#include "symbols.h"

static int __init fguard_init(void)
{
	int err;

	err = fguard_selftest();
	if (err)
		return err;
	err = fguard_symbols_init();
	if (err)
		return err;
	err = fguard_registry_init();
	if (err)
		return err;
	err = fguard_cache_init();
	if (err)
		goto err_cache;
	err = fguard_hook_init();
	if (err)
		goto err_hook;
	err = fguard_netlink_init();
	if (err)
		goto err_netlink;
	fguard_events_start();
	pr_info("loaded: file access guard for mount namespaces (ABI %d)\n",
		FGUARD_ABI_VERSION);
	return 0;

err_netlink:
	fguard_hook_uninit();
err_hook:
	fguard_cache_uninit();
err_cache:
	fguard_registry_uninit();
	rcu_barrier();
	return err;
}

static void __exit fguard_exit(void)
{
	fguard_events_stop();
	fguard_netlink_uninit();
	fguard_hook_uninit();
	fguard_cache_uninit();
	fguard_registry_uninit();
	rcu_barrier();
	pr_info("unloaded\n");
}

module_init(fguard_init);
module_exit(fguard_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("fguard: file access guard for container mount namespaces");
MODULE_AUTHOR("fguard developers");
