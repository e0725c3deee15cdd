// SPDX-License-Identifier: GPL-2.0
/* Turning an uploaded policy.bin into an immutable, indexed policy. */
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>

#include "policy.h"

/**
 * fguard_policy_create - validate and index a blob
 * @blob: kvmalloc'ed policy.bin; owned by the policy on success, untouched
 *	on failure
 * @size: its length
 * @extack: gets the reason on failure, and the position in the cookie
 *
 * Return: the policy, or an ERR_PTR. Sleeps.
 */
struct fguard_policy *fguard_policy_create(void *blob, u32 size,
					   struct netlink_ext_ack *extack)
{
	struct fguard_policy *pol;
	siphash_key_t key;
	const char *why;
	bool is_rule;
	u32 where;
	int err;

	might_sleep();
	err = fg_table_validate(blob, size, &why, &where, &is_rule);
	if (err) {
		/* why is a string literal of fg_table_validate() */
		if (extack)
			extack->_msg = why;
		nl_set_extack_cookie_u64(extack, (u64)where | (u64)is_rule << 32);
		return ERR_PTR(err);
	}
	pol = kzalloc(sizeof(*pol), GFP_KERNEL_ACCOUNT);
	if (!pol)
		return ERR_PTR(-ENOMEM);
	get_random_bytes(&key, sizeof(key));
	err = fg_table_build(&pol->table, blob, size, &key);
	if (err) {
		kfree(pol);
		if (err == -EEXIST) {
			NL_SET_ERR_MSG(extack, "policy has a duplicate rule (same path and kind)");
			return ERR_PTR(-EINVAL);
		}
		return ERR_PTR(err);
	}
	sha256(blob, size, pol->digest);
	pol->blob = blob;
	pol->loaded = ktime_get_real_seconds();
	return pol;
}

void fguard_policy_free(struct fguard_policy *pol)
{
	if (!pol)
		return;
	fg_table_free(&pol->table);
	kvfree(pol->blob);
	kfree(pol);
}

static void free_rcu(struct rcu_head *head)
{
	fguard_policy_free(container_of(head, struct fguard_policy, rcu));
}

/* Free after every reader that may hold it is done; any context. */
void fguard_policy_free_rcu(struct fguard_policy *pol)
{
	if (pol)
		call_rcu(&pol->rcu, free_rcu);
}
