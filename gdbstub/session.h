/* gdbstub/session.h — private to gdbstub/: the state of one gdb session
 * shared by the session loop (server.c), the command table (dispatch.c)
 * and the command handlers (cmd_*.c). Not an interface for other modules;
 * they use gdbstub/server.h. */
#ifndef DEJA_GDB_SESSION_H
#define DEJA_GDB_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "gdbstub/packet.h"
#include "gdbstub/server.h"

/* Scratch space for qXfer objects (target.xml is about 9 KiB). */
#define GDB_XFER_MAX 0x8000
#define GDB_MAX_THREADS 64

struct gdb_session {
	int fd;
	const struct gdb_target_ops *ops;
	void *t;

	bool noack;           /* QStartNoAckMode done */
	bool noack_next;      /* switch to no-ack after the current reply */
	bool extended;        /* '!' seen */
	bool killed;          /* target's kill() called */
	bool gdb_swbreak;     /* gdb announced swbreak+ */
	bool gdb_hwbreak;     /* gdb announced hwbreak+ */
	bool eof;             /* gdb closed its end */
	bool no_reply;        /* the current command sends no reply */
	bool end_now;         /* the session ends after the current reply */
	enum gdb_serve_end end;
	int err;              /* -errno of an I/O failure, 0 if none */
	unsigned long packets;
	int bad_frames;       /* consecutive undecodable frames */

	int gtid, ctid;       /* Hg / Hc thread: 0 any, -1 all */

	struct timespec last_poll;   /* interrupt polls are throttled */
	size_t in_pos, in_len;
	uint8_t in[4096];

	size_t rlen;
	char reply[GDB_PACKET_SIZE + 1];
	size_t flen;                   /* last frame, for '-' retransmits */
	char frame[GDB_FRAME_MAX];
	char xfer[GDB_XFER_MAX];
	struct gdb_rx rx;
};

/* Commands return 0 (reply in s->reply unless s->no_reply), or -errno
 * when the connection failed while they ran (s->end already set). */
typedef int (*gdb_cmd_fn)(struct gdb_session *s, const char *args,
			  size_t len);

/* dispatch.c: run the command in PKT (LEN bytes) and leave its reply. */
int gdb_dispatch(struct gdb_session *s, const char *pkt, size_t len);

/* server.c: frame and send one packet now (O packets mid-command). */
int gdb_session_send(struct gdb_session *s, const void *payload, size_t len);

/* server.c: the 'interrupted' callback for target resumes. */
bool gdb_session_interrupted(void *sink);

/* Reply builders (dispatch.c); all truncate safely at GDB_PACKET_SIZE. */
void gdb_reply_str(struct gdb_session *s, const char *str);
void gdb_reply_fmt(struct gdb_session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void gdb_reply_append_fmt(struct gdb_session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void gdb_reply_append_hex(struct gdb_session *s, const void *p, size_t n);
void gdb_reply_append_raw(struct gdb_session *s, const void *p, size_t n);
/* "Exx" from a -errno value, or "E.text" when WHY is given. */
void gdb_reply_error(struct gdb_session *s, int err, const char *why);
/* "OK" when RC >= 0, else the error (with WHY, if given). */
void gdb_reply_result(struct gdb_session *s, int rc, const char *why);

/* Thread helpers (cmd_exec.c). */
int gdb_first_tid(struct gdb_session *s);
int gdb_resolve_tid(struct gdb_session *s, int tid);
int gdb_thread_list(struct gdb_session *s, int *tids, int max);
void gdb_reply_stop(struct gdb_session *s, const struct gdb_stop *st);

/* Handlers, by file. */
int gdb_cmd_supported(struct gdb_session *s, const char *a, size_t n);
int gdb_cmd_empty(struct gdb_session *s, const char *a, size_t n);
int gdb_cmd_ok(struct gdb_session *s, const char *a, size_t n);
int gdb_cmd_noack(struct gdb_session *s, const char *a, size_t n);
int gdb_cmd_extended(struct gdb_session *s, const char *a, size_t n);
int gdb_cmd_attached(struct gdb_session *s, const char *a, size_t n);
int gdb_cmd_rcmd(struct gdb_session *s, const char *a, size_t n);
int gdb_cmd_xfer(struct gdb_session *s, const char *a, size_t n);
int gdb_cmd_vcont_query(struct gdb_session *s, const char *a, size_t n);
int gdb_cmd_vrun(struct gdb_session *s, const char *a, size_t n);

int gdb_cmd_thread_set(struct gdb_session *s, const char *a, size_t n);
int gdb_cmd_current_thread(struct gdb_session *s, const char *a, size_t n);
int gdb_cmd_thread_first(struct gdb_session *s, const char *a, size_t n);
int gdb_cmd_thread_next(struct gdb_session *s, const char *a, size_t n);
int gdb_cmd_thread_alive(struct gdb_session *s, const char *a, size_t n);
int gdb_cmd_stop_query(struct gdb_session *s, const char *a, size_t n);
int gdb_cmd_continue(struct gdb_session *s, const char *a, size_t n);
int gdb_cmd_step(struct gdb_session *s, const char *a, size_t n);
int gdb_cmd_continue_sig(struct gdb_session *s, const char *a, size_t n);
int gdb_cmd_step_sig(struct gdb_session *s, const char *a, size_t n);
int gdb_cmd_vcont(struct gdb_session *s, const char *a, size_t n);
int gdb_cmd_reverse_continue(struct gdb_session *s, const char *a, size_t n);
int gdb_cmd_reverse_step(struct gdb_session *s, const char *a, size_t n);
int gdb_cmd_kill(struct gdb_session *s, const char *a, size_t n);
int gdb_cmd_vkill(struct gdb_session *s, const char *a, size_t n);
int gdb_cmd_detach(struct gdb_session *s, const char *a, size_t n);
int gdb_cmd_insert_point(struct gdb_session *s, const char *a, size_t n);
int gdb_cmd_remove_point(struct gdb_session *s, const char *a, size_t n);

int gdb_cmd_read_regs(struct gdb_session *s, const char *a, size_t n);
int gdb_cmd_write_regs(struct gdb_session *s, const char *a, size_t n);
int gdb_cmd_read_reg(struct gdb_session *s, const char *a, size_t n);
int gdb_cmd_write_reg(struct gdb_session *s, const char *a, size_t n);
int gdb_cmd_read_mem(struct gdb_session *s, const char *a, size_t n);
int gdb_cmd_write_mem(struct gdb_session *s, const char *a, size_t n);
int gdb_cmd_write_mem_bin(struct gdb_session *s, const char *a, size_t n);

#endif
