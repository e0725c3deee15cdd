/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * fguard: per-mount-namespace file access policies. Generic netlink ABI.
 *
 * Family FGUARD_GENL_NAME, version FGUARD_GENL_VERSION. Every command that
 * changes state needs CAP_NET_ADMIN in the initial user namespace
 * (GENL_ADMIN_PERM; otherwise -EPERM), and the family exists only in the
 * initial network namespace (others get -ENOENT when they resolve it).
 * Every rejection carries an extended ack message; validation errors of a
 * policy also carry a cookie: u32 position, u32 kind (0 byte offset, 1 rule
 * index).
 *
 * FGUARD_CMD_GET_VERSION
 *   request: (none)
 *   reply:   FGUARD_A_ABI_VERSION: u32
 *
 * FGUARD_CMD_LOAD_BEGIN        start a policy upload
 *   request: FGUARD_A_SIZE: u32, total bytes of policy.bin
 *   reply:   FGUARD_A_TXN: u32, transaction id, owned by this socket
 *   errors:  -E2BIG (size over FGUARD_POL_MAX_SIZE), -EBUSY (too many
 *            uploads in progress), -ENOMEM
 *
 * FGUARD_CMD_LOAD_CHUNK        append bytes, in order
 *   request: FGUARD_A_TXN: u32
 *            FGUARD_A_OFFSET: u32, must equal the bytes received so far
 *            FGUARD_A_DATA: binary, 1..FGUARD_CHUNK_MAX bytes
 *   errors:  -ENOENT (no such transaction for this socket), -EINVAL (out
 *            of order or past the announced size)
 *
 * FGUARD_CMD_LOAD_COMMIT       validate, index and attach, atomically
 *   request: FGUARD_A_TXN: u32
 *            FGUARD_A_PID: u32, a process (in the caller's pid namespace)
 *              whose mount namespace gets the policy
 *            [FGUARD_A_MODE: u32, enum fguard_mode; default: the policy's]
 *            [FGUARD_A_FLAGS: u32, enum fguard_load_flag]
 *   reply:   FGUARD_A_NS_INODE: u32, FGUARD_A_RULES: u32,
 *            FGUARD_A_DIGEST: binary[32] (sha256 of policy.bin)
 *   errors:  -EOPNOTSUPP (unknown flag bits),
 *            -EINVAL / -EPROTO / -E2BIG (policy fails validation: extack
 *            names the problem, the cookie its position), -ESRCH (no such
 *            process), -ENOENT (no such transaction). The transaction ends
 *            either way. A namespace that already has a policy gets the new
 *            one in a single pointer swap: every access is decided by the old
 *            or the new policy. On error the previous policy stays in force.
 *
 * FGUARD_CMD_LOAD_ABORT        drop a transaction
 *   request: FGUARD_A_TXN: u32
 *
 * FGUARD_CMD_UNLOAD            detach the policy of a namespace, and of the
 *                              namespaces that inherited it
 *   request: FGUARD_A_PID: u32
 *   errors:  -ESRCH, -ENOENT (namespace not guarded)
 *
 * FGUARD_CMD_SET_MODE
 *   request: FGUARD_A_PID: u32, FGUARD_A_MODE: u32
 *   errors:  -ESRCH, -ENOENT, -EINVAL (unknown mode)
 *
 * FGUARD_CMD_GET_NS            dump: one message per guarded namespace
 *   reply:   FGUARD_A_NS_INODE: u32, FGUARD_A_ORIGIN_INODE: u32 (the
 *            namespace the policy was loaded on; differs for inherited
 *            namespaces), FGUARD_A_MODE: u32, FGUARD_A_RULES: u32,
 *            FGUARD_A_DIGEST: binary[32], FGUARD_A_LOADED: u64 (seconds
 *            since the epoch), FGUARD_A_CHECKED, FGUARD_A_ALLOWED,
 *            FGUARD_A_DENIED, FGUARD_A_COMPLAINED: u64, FGUARD_A_ARMED: u32
 *            (0 while a policy loaded with FGUARD_LOAD_F_ARM_ON_EXEC waits
 *            for the namespace's first execve), FGUARD_A_EVENTS,
 *            FGUARD_A_EVENTS_DROPPED: u64 (denials reported to listeners,
 *            merged ones included, and denials whose event was lost to the
 *            rate limit, a full queue or a failed allocation; while a
 *            listener is subscribed every denial counts in one of them)
 *
 * Multicast group FGUARD_MCGRP_EVENTS: one FGUARD_CMD_EVENT message per
 * denial, and in complain mode per would-be denial, while a listener is
 * subscribed. Subscribing needs CAP_NET_ADMIN. Events are rate-limited per
 * namespace by a token bucket (module parameters event_rate, per second,
 * and event_burst); consecutive identical events are merged into one with
 * a repeat count.
 *   FGUARD_A_NS_INODE: u32, FGUARD_A_ORIGIN_INODE: u32,
 *   FGUARD_A_DIGEST: binary[32], FGUARD_A_EV_TIME: u64 (ns since the epoch,
 *   of the first occurrence), FGUARD_A_EV_PID, FGUARD_A_EV_TGID: u32 (in
 *   the initial pid namespace), FGUARD_A_EV_NS_PID, FGUARD_A_EV_NS_TGID:
 *   u32 (in the process's own pid namespace: what ps shows inside the
 *   container), FGUARD_A_EV_UID: u32 (initial user
 *   namespace), FGUARD_A_EV_COMM: string, [FGUARD_A_EV_EXE: string, the
 *   executable as the namespace sees it], FGUARD_A_EV_OP: u32 (enum
 *   fguard_op), FGUARD_A_EV_PERMS: u32 (the permissions asked for),
 *   [FGUARD_A_EV_PATH: string], [FGUARD_A_EV_PATH2: string, the new name of
 *   a rename or link], FGUARD_A_EV_DECISION: u32 (enum fguard_decision),
 *   FGUARD_A_EV_REPEAT: u32 (>= 1)
 * A path the namespace cannot name (a mount of another namespace) is sent
 * as "foreign:" and the path in that mount's namespace; a kernel-internal
 * file (memfd, shared memory) as "internal:" and its name.
 */
#ifndef _UAPI_LINUX_FGUARD_H
#define _UAPI_LINUX_FGUARD_H

#include <linux/types.h>

#define FGUARD_GENL_NAME	"fguard"
#define FGUARD_GENL_VERSION	1
#define FGUARD_ABI_VERSION	1

/* Largest FGUARD_A_DATA: well under libnl's 64 KiB message buffer. */
#define FGUARD_CHUNK_MAX	(60 * 1024)

enum fguard_mode {
	FGUARD_MODE_ENFORCE = 0,	/* deny what the policy does not allow */
	FGUARD_MODE_COMPLAIN = 1,	/* allow, and count would-be denials */
	__FGUARD_MODE_COUNT
};

#define FGUARD_MCGRP_EVENTS	"events"

/* What a guarded process tried: FGUARD_A_EV_OP. */
enum fguard_op {
	FGUARD_OP_OPEN,		/* open for read and/or write */
	FGUARD_OP_EXEC,		/* execve, a script's interpreter, uselib */
	FGUARD_OP_CREATE,	/* O_CREAT, mknod, mkfifo, socket bind */
	FGUARD_OP_MKDIR,
	FGUARD_OP_RMDIR,
	FGUARD_OP_UNLINK,
	FGUARD_OP_SYMLINK,	/* the new name of a symlink */
	FGUARD_OP_TRUNCATE,
	FGUARD_OP_CHMOD,
	FGUARD_OP_CHOWN,
	FGUARD_OP_UTIMES,
	FGUARD_OP_LINK,
	FGUARD_OP_RENAME,
	FGUARD_OP_SETXATTR,
	FGUARD_OP_REMOVEXATTR,
	FGUARD_OP_MMAP,		/* a file mapped executable */
	FGUARD_OP_MPROTECT,	/* a file mapping made executable */
	FGUARD_OP_MOUNT,	/* mount, umount, pivot_root, mount API */
	FGUARD_OP_IOCTL,	/* inode flags (chattr), fsxattr, verity... */
	__FGUARD_OP_COUNT
};

enum fguard_decision {
	FGUARD_DECISION_DENIED = 1,	/* enforce mode: refused */
	FGUARD_DECISION_COMPLAINED = 2,	/* complain mode: would be refused */
};

/* Flags of FGUARD_CMD_LOAD_COMMIT. */
enum fguard_load_flag {
	/*
	 * Attach now, enforce from the first execve of a process in the
	 * namespace (that exec included): a container runtime's own setup
	 * (pivot_root, mounts) runs unguarded, its entry point never does.
	 * A replacement keeps the namespace's current state.
	 */
	FGUARD_LOAD_F_ARM_ON_EXEC = 1 << 0,
	__FGUARD_LOAD_F_ALL = (1 << 1) - 1
};

enum fguard_cmd {
	FGUARD_CMD_UNSPEC,
	FGUARD_CMD_GET_VERSION,
	FGUARD_CMD_LOAD_BEGIN,
	FGUARD_CMD_LOAD_CHUNK,
	FGUARD_CMD_LOAD_COMMIT,
	FGUARD_CMD_LOAD_ABORT,
	FGUARD_CMD_UNLOAD,
	FGUARD_CMD_SET_MODE,
	FGUARD_CMD_GET_NS,
	FGUARD_CMD_EVENT,	/* multicast only */
	__FGUARD_CMD_MAX
};
#define FGUARD_CMD_MAX (__FGUARD_CMD_MAX - 1)

enum fguard_attr {
	FGUARD_A_UNSPEC,
	FGUARD_A_ABI_VERSION,	/* u32 */
	FGUARD_A_TXN,		/* u32 */
	FGUARD_A_SIZE,		/* u32 */
	FGUARD_A_OFFSET,	/* u32 */
	FGUARD_A_DATA,		/* binary */
	FGUARD_A_PID,		/* u32 */
	FGUARD_A_MODE,		/* u32, enum fguard_mode */
	FGUARD_A_NS_INODE,	/* u32 */
	FGUARD_A_ORIGIN_INODE,	/* u32 */
	FGUARD_A_RULES,		/* u32 */
	FGUARD_A_DIGEST,	/* binary[32] */
	FGUARD_A_LOADED,	/* u64 */
	FGUARD_A_CHECKED,	/* u64 */
	FGUARD_A_ALLOWED,	/* u64 */
	FGUARD_A_DENIED,	/* u64 */
	FGUARD_A_COMPLAINED,	/* u64 */
	FGUARD_A_PAD,
	FGUARD_A_FLAGS,		/* u32, enum fguard_load_flag */
	FGUARD_A_ARMED,		/* u32 */
	FGUARD_A_EVENTS,	/* u64 */
	FGUARD_A_EVENTS_DROPPED,	/* u64 */
	FGUARD_A_EV_TIME,	/* u64 */
	FGUARD_A_EV_PID,	/* u32 */
	FGUARD_A_EV_TGID,	/* u32 */
	FGUARD_A_EV_UID,	/* u32 */
	FGUARD_A_EV_COMM,	/* string */
	FGUARD_A_EV_EXE,	/* string */
	FGUARD_A_EV_OP,		/* u32, enum fguard_op */
	FGUARD_A_EV_PERMS,	/* u32, enum fguard_perm bits */
	FGUARD_A_EV_PATH,	/* string */
	FGUARD_A_EV_PATH2,	/* string */
	FGUARD_A_EV_DECISION,	/* u32, enum fguard_decision */
	FGUARD_A_EV_REPEAT,	/* u32 */
	FGUARD_A_EV_NS_PID,	/* u32 */
	FGUARD_A_EV_NS_TGID,	/* u32 */
	__FGUARD_A_LAST
};
#define FGUARD_A_MAX (__FGUARD_A_LAST - 1)

#endif /* _UAPI_LINUX_FGUARD_H */
