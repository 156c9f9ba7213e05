/* gdbstub/server.h — the gdb remote stub's public interface: listen for
 * and accept a gdb connection, then serve one session against a target
 * (gdbstub/target.h) until gdb detaches, kills, or goes away. */
#ifndef DEJA_GDB_SERVER_H
#define DEJA_GDB_SERVER_H

#include "gdbstub/target.h"

/* Why a session ended (gdb_serve's return value; all distinct). */
enum gdb_serve_end {
	GDB_END_DETACH = 0,     /* 'D': gdb detached */
	GDB_END_KILL = 1,       /* 'k', or vKill and then gdb left */
	GDB_END_DISCONNECT = 2, /* gdb went away mid-session (EOF, reset) */
	GDB_END_PROTOCOL = 3,   /* gdb kept sending undecodable frames */
	GDB_END_IO = 4,         /* another I/O error on the connection */
};

struct gdb_serve_result {
	enum gdb_serve_end end;
	int err;                /* GDB_END_IO / DISCONNECT: -errno, or 0 at EOF */
	unsigned long packets;  /* good packets received */
	bool killed;            /* the target's kill() was called */
};

/**
 * gdb_serve() - serve one gdb session on the connected descriptor FD.
 * @ops, @target: the target; @res: filled in (may be NULL).
 *
 * Never raises SIGPIPE; returns when the session ends. FD stays open.
 * Return: the enum gdb_serve_end value, or -EINVAL for bad arguments,
 * -ENOMEM if the session state cannot be allocated.
 */
int gdb_serve(int fd, const struct gdb_target_ops *ops, void *target,
	      struct gdb_serve_result *res);

/**
 * gdb_listen() - a listening TCP socket on BIND_ADDR (IPv4 dotted or
 * NULL for 127.0.0.1) and PORT (0: an ephemeral port).
 * @out_port: set to the port actually bound (may be NULL).
 * Return: the descriptor, or -errno.
 */
int gdb_listen(const char *bind_addr, int port, int *out_port);

/* Accept one connection on LFD (TCP_NODELAY set): fd or -errno. */
int gdb_accept(int lfd);

#endif
