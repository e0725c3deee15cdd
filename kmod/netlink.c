// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "fguard": the only door into the module. See
 * include/uapi/linux/fguard.h for the commands and their errors.
 *
 * A policy arrives in chunks (libnl cannot send one attribute over 64 KiB):
 * LOAD_BEGIN opens a transaction owned by the sending socket, LOAD_CHUNK
 * appends in order, LOAD_COMMIT validates, indexes and publishes it in one
 * step. Transactions die with their socket (NETLINK_URELEASE), and at most
 * MAX_TXNS exist at once.
 */
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/nsproxy.h>
#include <linux/pid.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <uapi/linux/fguard.h>

#include "compat.h"
#include "events.h"
#include "netlink.h"
#include "registry.h"
#include "symbols.h"

#define MAX_TXNS 16

struct txn {
	struct list_head list;
	u32 id;
	u32 portid;
	u32 size;
	u32 received;
	void *buf;
};

/* Guards txns and next_txn_id. */
static DEFINE_MUTEX(txn_lock);
static LIST_HEAD(txns);
static u32 next_txn_id;
static unsigned int txn_count;

static struct genl_family fguard_family;

static struct netlink_range_validation size_range = {
	.min = 1,
	.max = FGUARD_POL_MAX_SIZE,
};

static const struct nla_policy fguard_nl_policy[FGUARD_A_MAX + 1] = {
	[FGUARD_A_TXN] = { .type = NLA_U32 },
	[FGUARD_A_SIZE] = NLA_POLICY_FULL_RANGE(NLA_U32, &size_range),
	[FGUARD_A_OFFSET] = { .type = NLA_U32 },
	[FGUARD_A_DATA] = { .type = NLA_BINARY, .len = FGUARD_CHUNK_MAX },
	[FGUARD_A_PID] = NLA_POLICY_MIN(NLA_U32, 1),
	[FGUARD_A_MODE] = NLA_POLICY_MAX(NLA_U32, __FGUARD_MODE_COUNT - 1),
	[FGUARD_A_FLAGS] = { .type = NLA_U32 },
};

static void txn_free(struct txn *t)
{
	list_del(&t->list);
	txn_count--;
	kvfree(t->buf);
	kfree(t);
}

/* Caller holds txn_lock. */
static struct txn *txn_find(struct genl_info *info)
{
	u32 id = nla_get_u32(info->attrs[FGUARD_A_TXN]);
	struct txn *t;

	lockdep_assert_held(&txn_lock);
	list_for_each_entry(t, &txns, list)
		if (t->id == id && t->portid == info->snd_portid)
			return t;
	NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[FGUARD_A_TXN],
			    "no such upload for this socket");
	return NULL;
}

/* Pin the mount namespace of the process FGUARD_A_PID names. */
static struct mnt_namespace *target_ns(struct genl_info *info)
{
	struct nlattr *attr = info->attrs[FGUARD_A_PID];
	struct mnt_namespace *ns = NULL;
	struct task_struct *task;

	rcu_read_lock();
	task = pid_task(find_vpid(nla_get_u32(attr)), PIDTYPE_PID);
	if (task)
		get_task_struct(task);
	rcu_read_unlock();
	if (!task) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "no such process");
		return ERR_PTR(-ESRCH);
	}
	task_lock(task);
	if (task->nsproxy) {
		ns = task->nsproxy->mnt_ns;
		refcount_inc(&((struct fg_mnt_namespace *)ns)->ns.count);
	}
	task_unlock(task);
	put_task_struct(task);
	if (!ns) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "process is exiting");
		return ERR_PTR(-ESRCH);
	}
	return ns;
}

static void ns_put(struct mnt_namespace *ns)
{
	((void (*)(struct mnt_namespace *))fguard_sym.put_mnt_ns)(ns);
}

static int reply_u32s(struct genl_info *info, u8 cmd, int n, ...)
{
	struct sk_buff *msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	va_list ap;
	void *hdr;
	int i;

	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &fguard_family, 0, cmd);
	if (!hdr)
		goto nospace;
	va_start(ap, n);
	for (i = 0; i < n; i++) {
		int type = va_arg(ap, int);
		u32 val = va_arg(ap, u32);

		if (nla_put_u32(msg, type, val)) {
			va_end(ap);
			goto nospace;
		}
	}
	va_end(ap);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int fguard_nl_get_version_doit(struct sk_buff *skb,
				      struct genl_info *info)
{
	return reply_u32s(info, FGUARD_CMD_GET_VERSION, 1,
			  FGUARD_A_ABI_VERSION, FGUARD_ABI_VERSION);
}

static int fguard_nl_load_begin_doit(struct sk_buff *skb,
				     struct genl_info *info)
{
	struct txn *t;
	u32 id;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, FGUARD_A_SIZE))
		return -EINVAL;
	t = kzalloc(sizeof(*t), GFP_KERNEL_ACCOUNT);
	if (!t)
		return -ENOMEM;
	t->size = nla_get_u32(info->attrs[FGUARD_A_SIZE]);
	t->buf = kvmalloc(t->size, GFP_KERNEL_ACCOUNT);
	if (!t->buf) {
		kfree(t);
		NL_SET_ERR_MSG(info->extack, "cannot allocate the policy buffer");
		return -ENOMEM;
	}
	t->portid = info->snd_portid;
	mutex_lock(&txn_lock);
	if (txn_count >= MAX_TXNS) {
		mutex_unlock(&txn_lock);
		kvfree(t->buf);
		kfree(t);
		NL_SET_ERR_MSG(info->extack, "too many policy uploads in progress");
		return -EBUSY;
	}
	id = t->id = ++next_txn_id;
	list_add(&t->list, &txns);
	txn_count++;
	mutex_unlock(&txn_lock);
	err = reply_u32s(info, FGUARD_CMD_LOAD_BEGIN, 1, FGUARD_A_TXN, id);
	if (err) {
		mutex_lock(&txn_lock);
		list_for_each_entry(t, &txns, list)
			if (t->id == id) {
				txn_free(t);
				break;
			}
		mutex_unlock(&txn_lock);
	}
	return err;
}

static int fguard_nl_load_chunk_doit(struct sk_buff *skb,
				     struct genl_info *info)
{
	struct nlattr *data = info->attrs[FGUARD_A_DATA];
	u32 off, len;
	struct txn *t;
	int err = 0;

	if (GENL_REQ_ATTR_CHECK(info, FGUARD_A_TXN) ||
	    GENL_REQ_ATTR_CHECK(info, FGUARD_A_OFFSET) ||
	    GENL_REQ_ATTR_CHECK(info, FGUARD_A_DATA))
		return -EINVAL;
	off = nla_get_u32(info->attrs[FGUARD_A_OFFSET]);
	len = nla_len(data);
	mutex_lock(&txn_lock);
	t = txn_find(info);
	if (!t) {
		err = -ENOENT;
	} else if (off != t->received) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[FGUARD_A_OFFSET],
				    "chunk out of order");
		err = -EINVAL;
	} else if (!len || len > t->size - t->received) {
		NL_SET_ERR_MSG_ATTR(info->extack, data,
				    "chunk empty or past the announced size");
		err = -EINVAL;
	} else {
		memcpy((u8 *)t->buf + off, nla_data(data), len);
		t->received += len;
	}
	mutex_unlock(&txn_lock);
	return err;
}

static int put_digest_reply(struct genl_info *info, u32 inum, u32 rules,
			    const u8 *digest)
{
	struct sk_buff *msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	void *hdr;

	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &fguard_family, 0,
				FGUARD_CMD_LOAD_COMMIT);
	if (!hdr || nla_put_u32(msg, FGUARD_A_NS_INODE, inum) ||
	    nla_put_u32(msg, FGUARD_A_RULES, rules) ||
	    nla_put(msg, FGUARD_A_DIGEST, SHA256_DIGEST_SIZE, digest)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int fguard_nl_load_commit_doit(struct sk_buff *skb,
				      struct genl_info *info)
{
	struct fguard_policy *pol;
	struct mnt_namespace *ns;
	struct fguard_ns_id id;
	u8 digest[SHA256_DIGEST_SIZE];
	int mode = -1, err;
	u32 size, rules, flags = 0;
	struct txn *t;
	void *buf;

	if (GENL_REQ_ATTR_CHECK(info, FGUARD_A_TXN) ||
	    GENL_REQ_ATTR_CHECK(info, FGUARD_A_PID))
		return -EINVAL;
	if (info->attrs[FGUARD_A_FLAGS])
		flags = nla_get_u32(info->attrs[FGUARD_A_FLAGS]);
	if (flags & ~(u32)__FGUARD_LOAD_F_ALL) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[FGUARD_A_FLAGS],
				    "unknown load flags");
		return -EOPNOTSUPP;
	}
	mutex_lock(&txn_lock);
	t = txn_find(info);
	if (!t) {
		mutex_unlock(&txn_lock);
		return -ENOENT;
	}
	if (t->received != t->size) {
		txn_free(t);
		mutex_unlock(&txn_lock);
		NL_SET_ERR_MSG(info->extack, "policy upload incomplete (truncated)");
		return -EINVAL;
	}
	buf = t->buf;
	size = t->size;
	t->buf = NULL;
	txn_free(t);
	mutex_unlock(&txn_lock);

	ns = target_ns(info);
	if (IS_ERR(ns)) {
		kvfree(buf);
		return PTR_ERR(ns);
	}
	pol = fguard_policy_create(buf, size, info->extack);
	if (IS_ERR(pol)) {
		kvfree(buf);
		ns_put(ns);
		return PTR_ERR(pol);
	}
	if (info->attrs[FGUARD_A_MODE])
		mode = nla_get_u32(info->attrs[FGUARD_A_MODE]);
	else
		mode = pol->table.flags & FGUARD_POL_F_COMPLAIN ?
			FGUARD_MODE_COMPLAIN : FGUARD_MODE_ENFORCE;
	rules = pol->table.rule_count;
	memcpy(digest, pol->digest, sizeof(digest));
	fguard_ns_id_of(ns, &id);
	err = fguard_registry_attach(&id, pol, mode,
				     !(flags & FGUARD_LOAD_F_ARM_ON_EXEC));
	/* If the namespace died meanwhile, this put forgets the entry. */
	ns_put(ns);
	if (err) {
		NL_SET_ERR_MSG(info->extack, "cannot attach the policy");
		return err;
	}
	return put_digest_reply(info, id.inum, rules, digest);
}

static int fguard_nl_load_abort_doit(struct sk_buff *skb,
				     struct genl_info *info)
{
	struct txn *t;

	if (GENL_REQ_ATTR_CHECK(info, FGUARD_A_TXN))
		return -EINVAL;
	mutex_lock(&txn_lock);
	t = txn_find(info);
	if (t)
		txn_free(t);
	mutex_unlock(&txn_lock);
	return t ? 0 : -ENOENT;
}

static int with_ns(struct genl_info *info,
		   int (*fn)(const struct fguard_ns_id *id, u32 arg), u32 arg)
{
	struct mnt_namespace *ns;
	struct fguard_ns_id id;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, FGUARD_A_PID))
		return -EINVAL;
	ns = target_ns(info);
	if (IS_ERR(ns))
		return PTR_ERR(ns);
	fguard_ns_id_of(ns, &id);
	err = fn(&id, arg);
	ns_put(ns);
	if (err == -ENOENT)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[FGUARD_A_PID],
				    "the process's mount namespace is not guarded");
	return err;
}

static int detach(const struct fguard_ns_id *id, u32 unused)
{
	return fguard_registry_detach(id);
}

static int fguard_nl_unload_doit(struct sk_buff *skb, struct genl_info *info)
{
	return with_ns(info, detach, 0);
}

static int fguard_nl_set_mode_doit(struct sk_buff *skb, struct genl_info *info)
{
	if (GENL_REQ_ATTR_CHECK(info, FGUARD_A_MODE))
		return -EINVAL;
	return with_ns(info, fguard_registry_set_mode,
		       nla_get_u32(info->attrs[FGUARD_A_MODE]));
}

static int fguard_nl_get_ns_dumpit(struct sk_buff *skb,
				   struct netlink_callback *cb)
{
	struct fguard_ns_snapshot snap;
	unsigned long cursor = cb->args[0];
	void *hdr;

	while (fguard_registry_snapshot(&cursor, &snap)) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &fguard_family,
				  NLM_F_MULTI, FGUARD_CMD_GET_NS);
		if (!hdr)
			break;
		if (nla_put_u32(skb, FGUARD_A_NS_INODE, snap.inum) ||
		    nla_put_u32(skb, FGUARD_A_ORIGIN_INODE, snap.origin_inum) ||
		    nla_put_u32(skb, FGUARD_A_MODE, snap.mode) ||
		    nla_put_u32(skb, FGUARD_A_RULES, snap.rules) ||
		    nla_put_u32(skb, FGUARD_A_ARMED, snap.armed) ||
		    nla_put(skb, FGUARD_A_DIGEST, sizeof(snap.digest),
			    snap.digest) ||
		    nla_put_u64_64bit(skb, FGUARD_A_LOADED, snap.loaded,
				      FGUARD_A_PAD) ||
		    /* every decision is one of these three */
		    nla_put_u64_64bit(skb, FGUARD_A_CHECKED, snap.stats.allowed +
				      snap.stats.denied + snap.stats.complained,
				      FGUARD_A_PAD) ||
		    nla_put_u64_64bit(skb, FGUARD_A_ALLOWED, snap.stats.allowed,
				      FGUARD_A_PAD) ||
		    nla_put_u64_64bit(skb, FGUARD_A_DENIED, snap.stats.denied,
				      FGUARD_A_PAD) ||
		    nla_put_u64_64bit(skb, FGUARD_A_COMPLAINED,
				      snap.stats.complained, FGUARD_A_PAD) ||
		    nla_put_u64_64bit(skb, FGUARD_A_EVENTS, snap.stats.events,
				      FGUARD_A_PAD) ||
		    nla_put_u64_64bit(skb, FGUARD_A_EVENTS_DROPPED,
				      snap.stats.dropped, FGUARD_A_PAD)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		cb->args[0] = cursor;
	}
	return skb->len;
}

static const struct genl_small_ops fguard_nl_ops[] = {
	{
		.cmd = FGUARD_CMD_GET_VERSION,
		.doit = fguard_nl_get_version_doit,
	}, {
		.cmd = FGUARD_CMD_LOAD_BEGIN,
		.doit = fguard_nl_load_begin_doit,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = FGUARD_CMD_LOAD_CHUNK,
		.doit = fguard_nl_load_chunk_doit,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = FGUARD_CMD_LOAD_COMMIT,
		.doit = fguard_nl_load_commit_doit,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = FGUARD_CMD_LOAD_ABORT,
		.doit = fguard_nl_load_abort_doit,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = FGUARD_CMD_UNLOAD,
		.doit = fguard_nl_unload_doit,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = FGUARD_CMD_SET_MODE,
		.doit = fguard_nl_set_mode_doit,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = FGUARD_CMD_GET_NS,
		.dumpit = fguard_nl_get_ns_dumpit,
		.flags = GENL_ADMIN_PERM,
	},
};

#ifndef GENL_MCAST_CAP_NET_ADMIN
#error "this kernel cannot restrict genetlink multicast groups to admins (needs 6.1.63 or later): fguard events would reach unprivileged listeners"
#endif

enum { MCGRP_EVENTS };

static const struct genl_multicast_group fguard_mcgrps[] = {
	[MCGRP_EVENTS] = {
		.name = FGUARD_MCGRP_EVENTS,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

static struct genl_family fguard_family __ro_after_init = {
	.name = FGUARD_GENL_NAME,
	.version = FGUARD_GENL_VERSION,
	.maxattr = FGUARD_A_MAX,
	.policy = fguard_nl_policy,
	.netnsok = false,
	.module = THIS_MODULE,
	.small_ops = fguard_nl_ops,
	.n_small_ops = ARRAY_SIZE(fguard_nl_ops),
	.resv_start_op = FGUARD_CMD_GET_NS + 1,
	.mcgrps = fguard_mcgrps,
	.n_mcgrps = ARRAY_SIZE(fguard_mcgrps),
};

bool fguard_nl_listening(void)
{
	return genl_has_listeners(&fguard_family, &init_net, MCGRP_EVENTS) > 0;
}

static int put_str(struct sk_buff *msg, int type, const char *s, bool has)
{
	return has ? nla_put_string(msg, type, s) : 0;
}

void fguard_nl_send_event(const struct fguard_event *ev)
{
	size_t size = nla_total_size(sizeof(ev->digest)) +
		      nla_total_size(ev->exe_len + 1) +
		      nla_total_size(ev->path_len + 1) +
		      nla_total_size(ev->path2_len + 1) +
		      nla_total_size(TASK_COMM_LEN) +
		      nla_total_size_64bit(sizeof(u64)) +
		      13 * nla_total_size(sizeof(u32));
	struct sk_buff *msg = genlmsg_new(size, GFP_KERNEL);
	void *hdr;

	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &fguard_family, 0, FGUARD_CMD_EVENT);
	if (!hdr || nla_put_u32(msg, FGUARD_A_NS_INODE, ev->ns_inum) ||
	    nla_put_u32(msg, FGUARD_A_ORIGIN_INODE, ev->origin_inum) ||
	    nla_put(msg, FGUARD_A_DIGEST, sizeof(ev->digest), ev->digest) ||
	    nla_put_u64_64bit(msg, FGUARD_A_EV_TIME, ev->time, FGUARD_A_PAD) ||
	    nla_put_u32(msg, FGUARD_A_EV_PID, ev->pid) ||
	    nla_put_u32(msg, FGUARD_A_EV_TGID, ev->tgid) ||
	    nla_put_u32(msg, FGUARD_A_EV_NS_PID, ev->ns_pid) ||
	    nla_put_u32(msg, FGUARD_A_EV_NS_TGID, ev->ns_tgid) ||
	    nla_put_u32(msg, FGUARD_A_EV_UID, ev->uid) ||
	    nla_put_string(msg, FGUARD_A_EV_COMM, ev->comm) ||
	    put_str(msg, FGUARD_A_EV_EXE, fguard_event_exe(ev), ev->has_exe) ||
	    nla_put_u32(msg, FGUARD_A_EV_OP, ev->op) ||
	    nla_put_u32(msg, FGUARD_A_EV_PERMS, ev->perms) ||
	    put_str(msg, FGUARD_A_EV_PATH, fguard_event_path(ev),
		    ev->has_path) ||
	    put_str(msg, FGUARD_A_EV_PATH2, fguard_event_path2(ev),
		    ev->has_path2) ||
	    nla_put_u32(msg, FGUARD_A_EV_DECISION, ev->decision) ||
	    nla_put_u32(msg, FGUARD_A_EV_REPEAT, ev->repeat)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	/* -ESRCH: the last listener left meanwhile */
	genlmsg_multicast(&fguard_family, msg, 0, MCGRP_EVENTS, GFP_KERNEL);
}

/* Drop the uploads of a closing socket. */
static int release_notify(struct notifier_block *nb, unsigned long state,
			  void *data)
{
	struct netlink_notify *n = data;
	struct txn *t, *tmp;

	if (state != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC)
		return NOTIFY_DONE;
	mutex_lock(&txn_lock);
	list_for_each_entry_safe(t, tmp, &txns, list)
		if (t->portid == n->portid)
			txn_free(t);
	mutex_unlock(&txn_lock);
	return NOTIFY_DONE;
}

static struct notifier_block release_nb = {
	.notifier_call = release_notify,
};

int fguard_netlink_init(void)
{
	int err;

	BUILD_BUG_ON(FGUARD_CHUNK_MAX > 65531 - 64);
	err = netlink_register_notifier(&release_nb);
	if (err)
		return err;
	err = genl_register_family(&fguard_family);
	if (err)
		netlink_unregister_notifier(&release_nb);
	return err;
}

void fguard_netlink_uninit(void)
{
	struct txn *t, *tmp;

	genl_unregister_family(&fguard_family);
	netlink_unregister_notifier(&release_nb);
	mutex_lock(&txn_lock);
	list_for_each_entry_safe(t, tmp, &txns, list)
		txn_free(t);
	mutex_unlock(&txn_lock);
}
