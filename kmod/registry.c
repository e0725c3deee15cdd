// SPDX-License-Identifier: GPL-2.0
/*
 * The registry of guarded mount namespaces.
 *
 * Entries are keyed by the namespace's address and told apart from a later
 * namespace at the same address by its sequence number; a stored address is
 * never dereferenced. The hot path (fguard_registry_find) reads the table
 * under RCU. Membership changes take table_lock, a spinlock, because a
 * namespace is forgotten from the put_mnt_ns() hook, which cannot sleep;
 * policy and mode changes are serialised by registry_lock.
 */
#include <linux/hashtable.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "cache.h"
#include "compat.h"
#include "registry.h"

/*
 * Membership: written under table_lock, read under RCU. Not static: the
 * open fast path looks at a bucket (fguard_registry_may_hold()).
 */
DEFINE_HASHTABLE(fguard_ns_table, FGUARD_NS_BITS);
static DEFINE_SPINLOCK(table_lock);
/* Serialises attach, detach and set_mode: one policy writer at a time. */
static DEFINE_MUTEX(registry_lock);
/* Number of entries: lets unguarded kernels skip the lookup entirely. */
atomic_t fguard_registry_count = ATOMIC_INIT(0);

void fguard_ns_id_of(const struct mnt_namespace *ns, struct fguard_ns_id *id)
{
	const struct fg_mnt_namespace *n = (const void *)ns;

	id->ns = ns;
	id->seq = READ_ONCE(n->seq);
	id->inum = n->ns.inum;
}

static struct fguard_ns *find(const void *ns, u64 seq)
{
	struct fguard_ns *e;

	hash_for_each_possible_rcu(fguard_ns_table, e, node, (unsigned long)ns,
				   lockdep_is_held(&table_lock))
		if (e->ns == ns && e->seq == seq)
			return e;
	return NULL;
}

struct fguard_ns *fguard_registry_find(const struct mnt_namespace *ns)
{
	const struct fg_mnt_namespace *n = (const void *)ns;

	return find(ns, READ_ONCE(n->seq));
}

static void guard_put(struct fguard_guard *g)
{
	if (!refcount_dec_and_test(&g->ref))
		return;
	fguard_policy_free_rcu(rcu_dereference_protected(g->policy, 1));
	kfree_rcu(g, rcu);
}

static void entry_free_rcu(struct rcu_head *head)
{
	struct fguard_ns *e = container_of(head, struct fguard_ns, rcu);

	free_percpu(e->stats);
	guard_put(e->guard);
	kfree(e);
}

static struct fguard_ns *entry_alloc(struct fguard_guard *g, gfp_t gfp)
{
	struct fguard_ns *e = kzalloc(sizeof(*e), gfp);

	if (!e)
		return NULL;
	e->stats = alloc_percpu_gfp(struct fguard_stats, gfp);
	if (!e->stats) {
		kfree(e);
		return NULL;
	}
	e->guard = g;
	return e;
}

/* Caller holds table_lock. */
static void unlink_entry(struct fguard_ns *e)
{
	lockdep_assert_held(&table_lock);
	hash_del_rcu(&e->node);
	atomic_dec(&fguard_registry_count);
	/* cached decisions hold e's counters: void them before e is freed */
	fguard_cache_invalidate();
	call_rcu(&e->rcu, entry_free_rcu);
}

static void link_entry(struct fguard_ns *e, const struct fguard_ns_id *id)
{
	e->ns = id->ns;
	e->seq = id->seq;
	e->inum = id->inum;
	spin_lock(&table_lock);
	hash_add_rcu(fguard_ns_table, &e->node, (unsigned long)id->ns);
	atomic_inc(&fguard_registry_count);
	spin_unlock(&table_lock);
}

/* The guard of a registered namespace, with a reference; or NULL. */
static struct fguard_guard *guard_get(const struct fguard_ns_id *id)
{
	struct fguard_guard *g = NULL;
	struct fguard_ns *e;

	spin_lock(&table_lock);
	e = find(id->ns, id->seq);
	if (e && refcount_inc_not_zero(&e->guard->ref))
		g = e->guard;
	spin_unlock(&table_lock);
	return g;
}

/**
 * fguard_registry_attach - give a namespace a policy, or replace its policy
 * @id: the namespace, pinned by the caller
 * @pol: the new policy; owned by the registry from now on, even on error
 * @mode: enum fguard_mode, or -1 to keep the current mode (new: enforce)
 * @armed: a new guard enforces at once, or (false) from the namespace's
 *	first execve; a replacement keeps its state
 *
 * A replacement is one pointer swap: every access is decided by the old or
 * by the new policy, never by neither.
 */
int fguard_registry_attach(const struct fguard_ns_id *id,
			   struct fguard_policy *pol, int mode, bool armed)
{
	struct fguard_policy *old;
	struct fguard_guard *g;
	struct fguard_ns *e;

	might_sleep();
	mutex_lock(&registry_lock);
	g = guard_get(id);
	if (g) {
		old = rcu_replace_pointer(g->policy, pol,
					  lockdep_is_held(&registry_lock));
		if (mode >= 0)
			WRITE_ONCE(g->mode, mode);
		fguard_cache_invalidate();
		fguard_policy_free_rcu(old);
		guard_put(g);
		mutex_unlock(&registry_lock);
		return 0;
	}
	g = kzalloc(sizeof(*g), GFP_KERNEL_ACCOUNT);
	e = g ? entry_alloc(g, GFP_KERNEL_ACCOUNT) : NULL;
	if (!e) {
		kfree(g);
		mutex_unlock(&registry_lock);
		fguard_policy_free(pol);
		return -ENOMEM;
	}
	refcount_set(&g->ref, 1);
	g->mode = mode >= 0 ? mode : FGUARD_MODE_ENFORCE;
	g->origin_inum = id->inum;
	g->armed = armed;
	RCU_INIT_POINTER(g->policy, pol);
	link_entry(e, id);
	mutex_unlock(&registry_lock);
	return 0;
}

/* Detach a namespace's guard from it and from every namespace sharing it. */
int fguard_registry_detach(const struct fguard_ns_id *id)
{
	struct fguard_guard *g;
	struct fguard_ns *e;
	struct hlist_node *tmp;
	int bkt;

	mutex_lock(&registry_lock);
	g = guard_get(id);
	if (!g) {
		mutex_unlock(&registry_lock);
		return -ENOENT;
	}
	spin_lock(&table_lock);
	hash_for_each_safe(fguard_ns_table, bkt, tmp, e, node)
		if (e->guard == g)
			unlink_entry(e);
	spin_unlock(&table_lock);
	guard_put(g);
	mutex_unlock(&registry_lock);
	return 0;
}

int fguard_registry_set_mode(const struct fguard_ns_id *id, u32 mode)
{
	struct fguard_guard *g;

	mutex_lock(&registry_lock);
	g = guard_get(id);
	if (g) {
		WRITE_ONCE(g->mode, mode);
		guard_put(g);
	}
	mutex_unlock(&registry_lock);
	return g ? 0 : -ENOENT;
}

/**
 * fguard_registry_prepare - before a guarded namespace is copied, allocate
 * the child's entry, so that registering the child cannot fail afterwards.
 * Returns NULL if @parent is not guarded, ERR_PTR(-ENOMEM) on failure.
 */
struct fguard_ns *fguard_registry_prepare(const struct mnt_namespace *parent)
{
	struct fguard_guard *g;
	struct fguard_ns_id id;
	struct fguard_ns *e;

	if (!atomic_read(&fguard_registry_count))
		return NULL;
	fguard_ns_id_of(parent, &id);
	g = guard_get(&id);
	if (!g)
		return NULL;
	e = entry_alloc(g, GFP_KERNEL_ACCOUNT);
	if (!e) {
		guard_put(g);
		return ERR_PTR(-ENOMEM);
	}
	return e;
}

void fguard_registry_commit(struct fguard_ns *e,
			    const struct mnt_namespace *child)
{
	struct fguard_ns_id id;

	fguard_ns_id_of(child, &id);
	link_entry(e, &id);
}

void fguard_registry_abandon(struct fguard_ns *e)
{
	free_percpu(e->stats);
	guard_put(e->guard);
	kfree(e);
}

/*
 * Called on every put_mnt_ns() with the reference not yet dropped: when it
 * is the last one, the namespace is about to be freed and its address may
 * be reused. Runs in the ftrace handler: no sleeping. A put racing with
 * another put can miss here; the entry then stays until unload but never
 * matches again, since a new namespace has a new sequence number.
 */
void fguard_registry_forget(const struct mnt_namespace *ns)
{
	const struct fg_mnt_namespace *n = (const void *)ns;
	struct fguard_ns *e;

	if (!atomic_read(&fguard_registry_count) ||
	    refcount_read(&n->ns.count) != 1)
		return;
	spin_lock(&table_lock);
	e = find(ns, READ_ONCE(n->seq));
	if (e)
		unlink_entry(e);
	spin_unlock(&table_lock);
}

bool fguard_registry_snapshot(unsigned long *cursor,
			      struct fguard_ns_snapshot *snap)
{
	const struct fguard_policy *pol;
	struct fguard_ns *e;
	unsigned long i = 0;
	int bkt, cpu;

	rcu_read_lock();
	hash_for_each_rcu(fguard_ns_table, bkt, e, node) {
		if (i++ < *cursor)
			continue;
		memset(snap, 0, sizeof(*snap));
		snap->inum = e->inum;
		snap->origin_inum = e->guard->origin_inum;
		snap->mode = READ_ONCE(e->guard->mode);
		snap->armed = READ_ONCE(e->guard->armed);
		pol = rcu_dereference(e->guard->policy);
		snap->rules = pol->table.rule_count;
		memcpy(snap->digest, pol->digest, sizeof(snap->digest));
		snap->loaded = pol->loaded;
		for_each_possible_cpu(cpu) {
			const struct fguard_stats *s = per_cpu_ptr(e->stats, cpu);

			snap->stats.allowed += READ_ONCE(s->allowed);
			snap->stats.denied += READ_ONCE(s->denied);
			snap->stats.complained += READ_ONCE(s->complained);
			snap->stats.events += READ_ONCE(s->events);
			snap->stats.dropped += READ_ONCE(s->dropped);
		}
		rcu_read_unlock();
		*cursor = i;
		return true;
	}
	rcu_read_unlock();
	return false;
}

int fguard_registry_init(void)
{
	return 0;
}

/* Caller has removed every hook and waited for them: no reader is left. */
void fguard_registry_uninit(void)
{
	struct fguard_ns *e;
	struct hlist_node *tmp;
	int bkt;

	spin_lock(&table_lock);
	hash_for_each_safe(fguard_ns_table, bkt, tmp, e, node)
		unlink_entry(e);
	spin_unlock(&table_lock);
}
