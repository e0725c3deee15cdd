/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _FGUARD_POLICY_H
#define _FGUARD_POLICY_H

#include <linux/rcupdate.h>
#include <linux/netlink.h>
#include <crypto/sha2.h>

#include <fguard/table.h>

/**
 * struct fguard_policy - a validated, indexed policy; immutable once
 * published, read under RCU, freed after a grace period.
 * @table: the index over @blob
 * @blob: policy.bin as uploaded
 * @digest: sha256 of @blob, shown by status
 * @loaded: wall-clock seconds at commit
 */
struct fguard_policy {
	struct fg_table table;
	void *blob;
	u8 digest[SHA256_DIGEST_SIZE];
	time64_t loaded;
	struct rcu_head rcu;
};

struct fguard_policy *fguard_policy_create(void *blob, u32 size,
					   struct netlink_ext_ack *extack);
void fguard_policy_free(struct fguard_policy *pol);
void fguard_policy_free_rcu(struct fguard_policy *pol);

#endif
