/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Readers of /proc/PID. Each takes proc_root (NULL means "/proc") so tests can
 * point it at a fake tree. All return 0 or a negative errno. */

#define PROC_ROOT_DEFAULT "/proc"

/* The kernel's "no audit session" value of /proc/PID/sessionid. */
#define AUDIT_SESSION_UNSET UINT32_MAX

/* Boot ids as the kernel prints them: 36 characters, "8-4-4-4-12" hex. */
#define BOOT_ID_LENGTH 36

/* One process: a PID alone may name another process once this one exits. */
typedef struct ProcRef {
        pid_t pid;
        uint64_t starttime;
} ProcRef;

typedef struct ProcStat {
        char state;
        pid_t ppid;
        uint32_t num_threads; /* field 20 */
        uint64_t starttime;   /* field 22, clock ticks since boot: with the PID, names one process */
} ProcStat;

/* "<root>/<pid>/<entry>", heap-allocated. */
int proc_pid_path(const char *proc_root, pid_t pid, const char *entry, char **ret);

/* Parses /proc/PID/stat. comm may hold spaces and ')' so fields are counted
 * from the last ')'. */
int proc_stat_read(const char *proc_root, pid_t pid, ProcStat *ret);
int proc_stat_parse(const char *text, ProcStat *ret);
/* Calls cb with the text of /proc/PID/task/TID/<entry> for every thread
 * (threads that exit meanwhile are left out). cb returns 0 to go on, <0 to
 * fail with that error, >0 to stop with that value. -ENOENT when the
 * process is gone; *ret_any says whether any thread had the file. */
typedef int (*proc_task_cb)(const char *text, void *userdata);
int proc_tasks_read(const char *proc_root, pid_t pid, const char *entry, size_t max_size, proc_task_cb cb,
                    void *userdata, bool *ret_any);
/* 1 when the process of that start time has stopped (every thread of it),
 * 0 while it runs, -ESRCH when it has exited (or the PID names another). */
int proc_stopped(const char *proc_root, pid_t pid, uint64_t starttime);

/* The cgroup v2 path of PID (the "0::" line). Hybrid hosts list v1
 * hierarchies too; -ENODATA when there is no v2 line (pure v1 host). */
int proc_cgroup_read(const char *proc_root, pid_t pid, char **ret);
int proc_cgroup_parse(const char *text, char **ret);

/* /proc/PID/sessionid: -ENODATA when unset (no pam_loginuid ran),
 * -ENOENT when the kernel has no audit support. */
int proc_sessionid_read(const char *proc_root, pid_t pid, uint32_t *ret);
int proc_sessionid_parse(const char *text, size_t len, uint32_t *ret);

/* The real and effective UIDs of PID, from the "Uid:" line of
 * /proc/PID/status (stat() of /proc/PID says root for non-dumpable
 * processes, whoever runs them). */
int proc_status_uids(const char *proc_root, pid_t pid, uid_t *ret_ruid, uid_t *ret_euid);
int proc_status_parse_uids(const char *text, uid_t *ret_ruid, uid_t *ret_euid);

/* The children of PID, from /proc/PID/task/TID/children of each of its
 * threads: what the kernel knows of this process alone, without walking all
 * of /proc. num_threads: from its stat; 1 reads the one file without
 * listing the tasks, 0 means unknown. -ENOENT when PID is gone;
 * -EOPNOTSUPP when the kernel has no such file (CONFIG_PROC_CHILDREN off). */
int proc_children(const char *proc_root, pid_t pid, uint32_t num_threads, pid_t **ret, size_t *ret_n);
/* Appends the PIDs of one children file ("12 34 ") to *v. */
int proc_children_parse(const char *text, pid_t **v, size_t *n, size_t *allocated);

/* <root>/sys/kernel/random/boot_id, validated, without the newline. */
int proc_boot_id(const char *proc_root, char ret[static BOOT_ID_LENGTH + 1]);
int boot_id_parse(const char *text, char ret[static BOOT_ID_LENGTH + 1]);

/* The executable of PID: the file's identity, which stays the same when
 * an upgrade replaces it on disk, and its path as the kernel names it,
 * without the " (deleted)" it then gets. Needs ptrace access to PID (for
 * another user's or a non-dumpable process, CAP_SYS_PTRACE). */
typedef struct ProcExe {
        dev_t dev;
        ino_t ino;
        char *path;
} ProcExe;
int proc_exe_read(const char *proc_root, pid_t pid, ProcExe *ret);
void proc_exe_done(ProcExe *e);
/* Whether an executable's path names sshd's: "sshd", or "sshd-session"
 * (OpenSSH 9.8+ runs each connection's monitor from it). By the file, not
 * the process title, which sshd rewrites and anyone can set. */
bool exe_is_sshd(const char *path);

/* Inodes of every socket among /proc/PID/fd, sorted, without duplicates;
 * *ret is NULL when there are none. Cheap: what kind of socket each is, the
 * caller learns elsewhere (the daemon, from its sock_diag dump). */
int proc_socket_inodes(const char *proc_root, pid_t pid, uint64_t **ret, size_t *ret_n);

/* The number of one of PID's descriptors of the socket with that inode;
 * -ENOENT when it holds none. */
int proc_socket_fd(const char *proc_root, pid_t pid, uint64_t inode);

/* The entry for inode in a list from proc_socket_inodes(), or NULL. */
const uint64_t *socket_inode_find(const uint64_t *sorted, size_t n, uint64_t inode);
/* Inodes of the TCP sockets (IPv4 and IPv6) that PID has open: the socket
 * inodes among /proc/PID/fd that PID's network namespace lists in
 * /proc/PID/net/tcp or tcp6. Sorted, without duplicates; *ret is NULL when
 * there are none. Reading those tables makes the kernel walk its whole TCP
 * hash (milliseconds on a busy host): for tools, not for hot paths. */
int proc_tcp_socket_inodes(const char *proc_root, pid_t pid, uint64_t **ret, size_t *ret_n);

/* Inode from a readlink() result of the form "socket:[12345]". */
int socket_link_inode(const char *link, uint64_t *ret);

/* Strict decimal parsers: no sign, no spaces, no trailing garbage, no overflow. */
/* Calls cb(fd, target) for each of PID's descriptors, target being what
 * its /proc/PID/fd link says; links of PROC_FD_TARGET_MAX - 1 bytes or
 * more (long paths: never a socket, pipe or pty master) are left out, and
 * so are descriptors closed meanwhile. cb returns 0 to go on, anything
 * else to stop with it; -ENOENT when the process is gone. */
#define PROC_FD_TARGET_MAX 64
typedef int (*proc_fd_cb)(int fd, const char *target, void *userdata);
int proc_fd_links(const char *proc_root, pid_t pid, proc_fd_cb cb, void *userdata);
/* A pty master among PID's descriptors: its number there, and the
 * terminal's (N of /dev/pts/N). */
typedef struct PtyMaster {
        int fd;
        uint32_t index;
} PtyMaster;
/* The pty masters PID holds, one per terminal (the first descriptor of
 * each); *ret is NULL when there are none. Needs ptrace access to PID.
 * -EOPNOTSUPP when the kernel prints no tty-index. */
int proc_pty_masters(const char *proc_root, pid_t pid, PtyMaster **ret, size_t *ret_n);
/* The "tty-index:" of a pty master's fdinfo; -ENODATA when it has none. */
int proc_fdinfo_tty_index(const char *text, uint32_t *ret);
int parse_u64(const char *s, uint64_t *ret);
int parse_u32(const char *s, uint32_t *ret);
int parse_pid(const char *s, pid_t *ret);
