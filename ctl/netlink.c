// SPDX-License-Identifier: GPL-2.0 OR MIT
/* fguardctl's generic netlink client (libnl-genl-3): the only libnl user. */
#include <errno.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <uapi/linux/fguard.h>

#include "netlink.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct fg_nl {
	struct nl_sock *sk;
	int family;
	char error[512];
};

struct exchange {
	struct fg_nl *nl;
	int (*parse)(struct nlattr **tb, void *arg);
	void *arg;
	int err;
	bool done;
};

static const char *hint(int err)
{
	switch (err) {
	case -EPERM:
		return "Hint: fguardctl needs CAP_NET_ADMIN (run as root, from the host's network namespace).";
	case -ENOENT:
		return NULL;
	default:
		return NULL;
	}
}

static void set_error(struct fg_nl *nl, int err, const char *kmsg,
		      const uint8_t *cookie, int cookie_len)
{
	const char *h = hint(err);
	int n;

	if (kmsg && *kmsg)
		n = snprintf(nl->error, sizeof(nl->error), "kernel reports: %s",
			     kmsg);
	else
		n = snprintf(nl->error, sizeof(nl->error), "kernel reports: %s",
			     strerror(-err));
	if (cookie_len == 8 && n > 0 && (size_t)n < sizeof(nl->error)) {
		uint32_t where, is_rule;

		memcpy(&where, cookie, 4);
		memcpy(&is_rule, cookie + 4, 4);
		n += snprintf(nl->error + n, sizeof(nl->error) - (size_t)n,
			      is_rule ? " (rule %u)" : " (at byte %u)", where);
	}
	if (h && n > 0 && (size_t)n < sizeof(nl->error))
		snprintf(nl->error + n, sizeof(nl->error) - (size_t)n, "\n%s", h);
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct exchange *x = arg;
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = { 0 };
	const char *kmsg = NULL;
	const uint8_t *cookie = NULL;
	int cookie_len = 0;

	(void)nla;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		size_t off = sizeof(*e);
		int len;

		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - NLMSG_HDRLEN;
		len = (int)nlh->nlmsg_len - NLMSG_HDRLEN - (int)off;
		if (len > 0 &&
		    !nla_parse(tb, NLMSGERR_ATTR_MAX,
			       (struct nlattr *)((char *)e + off), len, NULL)) {
			if (tb[NLMSGERR_ATTR_MSG])
				kmsg = nla_get_string(tb[NLMSGERR_ATTR_MSG]);
			if (tb[NLMSGERR_ATTR_COOKIE]) {
				cookie = nla_data(tb[NLMSGERR_ATTR_COOKIE]);
				cookie_len = nla_len(tb[NLMSGERR_ATTR_COOKIE]);
			}
		}
	}
	x->err = e->error;
	if (e->error)
		set_error(x->nl, e->error, kmsg, cookie, cookie_len);
	x->done = true;
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct exchange *x = arg;

	(void)msg;
	x->done = true;
	return NL_STOP;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct exchange *x = arg;
	struct nlattr *tb[FGUARD_A_MAX + 1];
	int err;

	err = genlmsg_parse(nlmsg_hdr(msg), 0, tb, FGUARD_A_MAX, NULL);
	if (err < 0) {
		x->err = -EPROTO;
		snprintf(x->nl->error, sizeof(x->nl->error),
			 "malformed reply from the kernel");
		return NL_STOP;
	}
	if (x->parse) {
		err = x->parse(tb, x->arg);
		if (err) {
			x->err = err;
			return NL_STOP;
		}
	}
	return NL_OK;
}

/* Send a request built by the caller and wait for its ack or error. */
static int exchange(struct fg_nl *nl, struct nl_msg *msg,
		    int (*parse)(struct nlattr **tb, void *arg), void *arg)
{
	struct exchange x = { .nl = nl, .parse = parse, .arg = arg };
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int err;

	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &x);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &x);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_ack, &x);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &x);
	err = nl_send_auto(nl->sk, msg);
	nlmsg_free(msg);
	if (err < 0) {
		nl_cb_put(cb);
		snprintf(nl->error, sizeof(nl->error), "cannot send to the kernel: %s",
			 nl_geterror(err));
		return -EIO;
	}
	while (!x.done && !x.err) {
		err = nl_recvmsgs(nl->sk, cb);
		if (err < 0 && !x.err) {
			snprintf(nl->error, sizeof(nl->error),
				 "cannot receive from the kernel: %s",
				 nl_geterror(err));
			x.err = -EIO;
		}
	}
	nl_cb_put(cb);
	return x.err;
}

static struct nl_msg *request(struct fg_nl *nl, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc_size(FGUARD_CHUNK_MAX + 4096);

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
			 flags | NLM_F_ACK, cmd, FGUARD_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

const char *fg_nl_error(const struct fg_nl *nl)
{
	return nl->error;
}

int fg_nl_open(struct fg_nl **out)
{
	struct fg_nl *nl = calloc(1, sizeof(*nl));
	int one = 1;

	*out = nl;
	if (!nl)
		return -ENOMEM;
	nl->sk = nl_socket_alloc();
	if (!nl->sk || genl_connect(nl->sk)) {
		snprintf(nl->error, sizeof(nl->error),
			 "cannot open a generic netlink socket");
		return -EIO;
	}
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));
	nl->family = genl_ctrl_resolve(nl->sk, FGUARD_GENL_NAME);
	if (nl->family < 0) {
		snprintf(nl->error, sizeof(nl->error),
			 "the fguard kernel module is not available\n"
			 "Hint: load it (modprobe fguard); it is only visible from the host's network namespace; with Secure Boot, the module must be signed (see README).");
		return -ENOENT;
	}
	return 0;
}

void fg_nl_close(struct fg_nl *nl)
{
	if (!nl)
		return;
	if (nl->sk)
		nl_socket_free(nl->sk);
	free(nl);
}

static int parse_version(struct nlattr **tb, void *arg)
{
	if (!tb[FGUARD_A_ABI_VERSION])
		return -EPROTO;
	*(uint32_t *)arg = nla_get_u32(tb[FGUARD_A_ABI_VERSION]);
	return 0;
}

int fg_nl_version(struct fg_nl *nl, uint32_t *abi)
{
	struct nl_msg *msg = request(nl, FGUARD_CMD_GET_VERSION, 0);

	if (!msg)
		return -ENOMEM;
	return exchange(nl, msg, parse_version, abi);
}

static int parse_txn(struct nlattr **tb, void *arg)
{
	if (!tb[FGUARD_A_TXN])
		return -EPROTO;
	*(uint32_t *)arg = nla_get_u32(tb[FGUARD_A_TXN]);
	return 0;
}

static int parse_commit(struct nlattr **tb, void *arg)
{
	struct fg_load_result *res = arg;

	if (!tb[FGUARD_A_NS_INODE] || !tb[FGUARD_A_RULES] ||
	    !tb[FGUARD_A_DIGEST] || nla_len(tb[FGUARD_A_DIGEST]) != 32)
		return -EPROTO;
	res->inum = nla_get_u32(tb[FGUARD_A_NS_INODE]);
	res->rules = nla_get_u32(tb[FGUARD_A_RULES]);
	memcpy(res->digest, nla_data(tb[FGUARD_A_DIGEST]), 32);
	return 0;
}

int fg_nl_load(struct fg_nl *nl, const void *blob, size_t size, uint32_t pid,
	       int mode, uint32_t flags, struct fg_load_result *res)
{
	struct nl_msg *msg;
	uint32_t txn = 0, off;
	int err;

	msg = request(nl, FGUARD_CMD_LOAD_BEGIN, 0);
	if (!msg || nla_put_u32(msg, FGUARD_A_SIZE, (uint32_t)size))
		goto nomem;
	err = exchange(nl, msg, parse_txn, &txn);
	if (err)
		return err;
	for (off = 0; off < size;) {
		uint32_t n = size - off > FGUARD_CHUNK_MAX ? FGUARD_CHUNK_MAX :
							     (uint32_t)(size - off);

		msg = request(nl, FGUARD_CMD_LOAD_CHUNK, 0);
		if (!msg || nla_put_u32(msg, FGUARD_A_TXN, txn) ||
		    nla_put_u32(msg, FGUARD_A_OFFSET, off) ||
		    nla_put(msg, FGUARD_A_DATA, (int)n, (const char *)blob + off))
			goto nomem;
		err = exchange(nl, msg, NULL, NULL);
		if (err)
			return err;	/* the socket's close drops the upload */
		off += n;
	}
	msg = request(nl, FGUARD_CMD_LOAD_COMMIT, 0);
	if (!msg || nla_put_u32(msg, FGUARD_A_TXN, txn) ||
	    nla_put_u32(msg, FGUARD_A_PID, pid) ||
	    (mode >= 0 && nla_put_u32(msg, FGUARD_A_MODE, (uint32_t)mode)) ||
	    (flags && nla_put_u32(msg, FGUARD_A_FLAGS, flags)))
		goto nomem;
	return exchange(nl, msg, parse_commit, res);
nomem:
	nlmsg_free(msg);
	snprintf(nl->error, sizeof(nl->error), "out of memory");
	return -ENOMEM;
}

static int pid_cmd(struct fg_nl *nl, uint8_t cmd, uint32_t pid, int mode)
{
	struct nl_msg *msg = request(nl, cmd, 0);

	if (!msg || nla_put_u32(msg, FGUARD_A_PID, pid) ||
	    (mode >= 0 && nla_put_u32(msg, FGUARD_A_MODE, (uint32_t)mode))) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return exchange(nl, msg, NULL, NULL);
}

int fg_nl_unload(struct fg_nl *nl, uint32_t pid)
{
	return pid_cmd(nl, FGUARD_CMD_UNLOAD, pid, -1);
}

int fg_nl_set_mode(struct fg_nl *nl, uint32_t pid, uint32_t mode)
{
	return pid_cmd(nl, FGUARD_CMD_SET_MODE, pid, (int)mode);
}

struct status_arg {
	int (*fn)(const struct fg_ns_status *st, void *arg);
	void *arg;
};

static uint64_t u64_or_0(struct nlattr *a)
{
	return a ? nla_get_u64(a) : 0;
}

static int parse_status(struct nlattr **tb, void *arg)
{
	struct status_arg *sa = arg;
	struct fg_ns_status st = { 0 };

	if (!tb[FGUARD_A_NS_INODE] || !tb[FGUARD_A_MODE])
		return -EPROTO;
	st.inum = nla_get_u32(tb[FGUARD_A_NS_INODE]);
	st.origin_inum = tb[FGUARD_A_ORIGIN_INODE] ?
			 nla_get_u32(tb[FGUARD_A_ORIGIN_INODE]) : st.inum;
	st.mode = nla_get_u32(tb[FGUARD_A_MODE]);
	st.rules = tb[FGUARD_A_RULES] ? nla_get_u32(tb[FGUARD_A_RULES]) : 0;
	st.armed = tb[FGUARD_A_ARMED] ? nla_get_u32(tb[FGUARD_A_ARMED]) : 1;
	if (tb[FGUARD_A_DIGEST] && nla_len(tb[FGUARD_A_DIGEST]) == 32)
		memcpy(st.digest, nla_data(tb[FGUARD_A_DIGEST]), 32);
	st.loaded = u64_or_0(tb[FGUARD_A_LOADED]);
	st.checked = u64_or_0(tb[FGUARD_A_CHECKED]);
	st.allowed = u64_or_0(tb[FGUARD_A_ALLOWED]);
	st.denied = u64_or_0(tb[FGUARD_A_DENIED]);
	st.complained = u64_or_0(tb[FGUARD_A_COMPLAINED]);
	st.events = u64_or_0(tb[FGUARD_A_EVENTS]);
	st.dropped = u64_or_0(tb[FGUARD_A_EVENTS_DROPPED]);
	return sa->fn(&st, sa->arg);
}

int fg_nl_status(struct fg_nl *nl,
		 int (*fn)(const struct fg_ns_status *st, void *arg), void *arg)
{
	struct status_arg sa = { fn, arg };
	struct nl_msg *msg = request(nl, FGUARD_CMD_GET_NS, NLM_F_DUMP);

	if (!msg)
		return -ENOMEM;
	return exchange(nl, msg, parse_status, &sa);
}

int fg_nl_subscribe(struct fg_nl *nl)
{
	int grp, fd = nl_socket_get_fd(nl->sk);
	int size = 8 << 20;

	grp = genl_ctrl_resolve_grp(nl->sk, FGUARD_GENL_NAME,
				    FGUARD_MCGRP_EVENTS);
	if (grp < 0) {
		snprintf(nl->error, sizeof(nl->error),
			 "the fguard module has no events group (older module?)");
		return -ENOENT;
	}
	/*
	 * A burst (event_burst, 1000 by default) must fit in the socket at
	 * once. SO_RCVBUF stops at net.core.rmem_max; the subscriber has
	 * CAP_NET_ADMIN anyway, which SO_RCVBUFFORCE needs.
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp,
		       sizeof(grp))) {
		int err = -errno;

		set_error(nl, err, NULL, NULL, 0);
		return err;
	}
	return 0;
}

int fg_nl_fd(const struct fg_nl *nl)
{
	return nl_socket_get_fd(nl->sk);
}

struct events_arg {
	int (*fn)(const struct fg_event *ev, void *arg);
	void *arg;
	int err;
};

static const char *str_or_null(struct nlattr *a)
{
	return a && nla_len(a) > 0 ? nla_get_string(a) : NULL;
}

static uint32_t u32_or_0(struct nlattr *a)
{
	return a ? nla_get_u32(a) : 0;
}

static int on_event(struct nl_msg *msg, void *arg)
{
	static struct nla_policy pol[FGUARD_A_MAX + 1] = {
		[FGUARD_A_NS_INODE] = { .type = NLA_U32 },
		[FGUARD_A_ORIGIN_INODE] = { .type = NLA_U32 },
		[FGUARD_A_EV_TIME] = { .type = NLA_U64 },
		[FGUARD_A_EV_PID] = { .type = NLA_U32 },
		[FGUARD_A_EV_TGID] = { .type = NLA_U32 },
		[FGUARD_A_EV_NS_PID] = { .type = NLA_U32 },
		[FGUARD_A_EV_NS_TGID] = { .type = NLA_U32 },
		[FGUARD_A_EV_UID] = { .type = NLA_U32 },
		[FGUARD_A_EV_COMM] = { .type = NLA_STRING },
		[FGUARD_A_EV_EXE] = { .type = NLA_STRING },
		[FGUARD_A_EV_OP] = { .type = NLA_U32 },
		[FGUARD_A_EV_PERMS] = { .type = NLA_U32 },
		[FGUARD_A_EV_PATH] = { .type = NLA_STRING },
		[FGUARD_A_EV_PATH2] = { .type = NLA_STRING },
		[FGUARD_A_EV_DECISION] = { .type = NLA_U32 },
		[FGUARD_A_EV_REPEAT] = { .type = NLA_U32 },
	};
	struct events_arg *ea = arg;
	struct nlattr *tb[FGUARD_A_MAX + 1];
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	struct fg_event ev = { 0 };

	if (gh->cmd != FGUARD_CMD_EVENT)
		return NL_SKIP;
	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, FGUARD_A_MAX, pol) < 0 ||
	    !tb[FGUARD_A_NS_INODE] || !tb[FGUARD_A_EV_OP] ||
	    !tb[FGUARD_A_EV_DECISION])
		return NL_SKIP;	/* malformed: not ours to act on */
	ev.inum = nla_get_u32(tb[FGUARD_A_NS_INODE]);
	ev.origin_inum = tb[FGUARD_A_ORIGIN_INODE] ?
			 nla_get_u32(tb[FGUARD_A_ORIGIN_INODE]) : ev.inum;
	if (tb[FGUARD_A_DIGEST] && nla_len(tb[FGUARD_A_DIGEST]) == 32)
		memcpy(ev.digest, nla_data(tb[FGUARD_A_DIGEST]), 32);
	ev.time_ns = u64_or_0(tb[FGUARD_A_EV_TIME]);
	ev.pid = u32_or_0(tb[FGUARD_A_EV_PID]);
	ev.tgid = u32_or_0(tb[FGUARD_A_EV_TGID]);
	/* a module without them: the host's numbers */
	ev.ns_pid = tb[FGUARD_A_EV_NS_PID] ?
		    nla_get_u32(tb[FGUARD_A_EV_NS_PID]) : ev.pid;
	ev.ns_tgid = tb[FGUARD_A_EV_NS_TGID] ?
		     nla_get_u32(tb[FGUARD_A_EV_NS_TGID]) : ev.tgid;
	ev.uid = u32_or_0(tb[FGUARD_A_EV_UID]);
	ev.comm = str_or_null(tb[FGUARD_A_EV_COMM]);
	if (!ev.comm)
		ev.comm = "?";
	ev.exe = str_or_null(tb[FGUARD_A_EV_EXE]);
	ev.op = nla_get_u32(tb[FGUARD_A_EV_OP]);
	ev.perms = u32_or_0(tb[FGUARD_A_EV_PERMS]);
	ev.path = str_or_null(tb[FGUARD_A_EV_PATH]);
	ev.path2 = str_or_null(tb[FGUARD_A_EV_PATH2]);
	ev.decision = nla_get_u32(tb[FGUARD_A_EV_DECISION]);
	ev.repeat = tb[FGUARD_A_EV_REPEAT] ?
		    nla_get_u32(tb[FGUARD_A_EV_REPEAT]) : 1;
	ea->err = ea->fn(&ev, ea->arg);
	return ea->err ? NL_STOP : NL_OK;
}

/* Multicast events carry no sequence number to check. */
static int any_seq(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

int fg_nl_events(struct fg_nl *nl,
		 int (*fn)(const struct fg_event *ev, void *arg), void *arg)
{
	struct events_arg ea = { fn, arg, 0 };
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int err;

	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_event, &ea);
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, any_seq, NULL);
	err = nl_recvmsgs(nl->sk, cb);
	nl_cb_put(cb);
	if (ea.err)
		return ea.err;
	if (err == -NLE_NOMEM) {
		snprintf(nl->error, sizeof(nl->error),
			 "events lost: the socket buffer overflowed");
		return -ENOBUFS;
	}
	if (err < 0) {
		snprintf(nl->error, sizeof(nl->error),
			 "cannot receive events: %s", nl_geterror(err));
		return -EIO;
	}
	return 0;
}
