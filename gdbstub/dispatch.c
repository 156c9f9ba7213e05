/* gdbstub/dispatch.c — the command table (packet name -> handler) and the
 * reply builders shared by the handlers. It decides nothing about what a
 * command means; that is in cmd_query.c, cmd_exec.c and cmd_data.c. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "gdbstub/session.h"

enum match { EXACT, PREFIX };

struct gdb_cmd {
	const char *name;
	enum match match;
	gdb_cmd_fn fn;
};

/* Longer names before their prefixes; unknown packets get "". */
static const struct gdb_cmd commands[] = {
	{"qSupported", PREFIX, gdb_cmd_supported},
	{"vMustReplyEmpty", EXACT, gdb_cmd_empty},
	{"QStartNoAckMode", EXACT, gdb_cmd_noack},
	{"!", EXACT, gdb_cmd_extended},
	{"qC", EXACT, gdb_cmd_current_thread},
	{"qfThreadInfo", EXACT, gdb_cmd_thread_first},
	{"qsThreadInfo", EXACT, gdb_cmd_thread_next},
	{"qAttached", PREFIX, gdb_cmd_attached},
	{"qSymbol", PREFIX, gdb_cmd_ok},
	{"QPassSignals:", PREFIX, gdb_cmd_ok},
	{"QProgramSignals:", PREFIX, gdb_cmd_ok},
	{"qRcmd,", PREFIX, gdb_cmd_rcmd},
	{"qXfer:", PREFIX, gdb_cmd_xfer},
	{"vCont?", EXACT, gdb_cmd_vcont_query},
	{"vCont;", PREFIX, gdb_cmd_vcont},
	{"vKill", PREFIX, gdb_cmd_vkill},
	{"vRun", PREFIX, gdb_cmd_vrun},
	{"bc", EXACT, gdb_cmd_reverse_continue},
	{"bs", EXACT, gdb_cmd_reverse_step},
	{"?", EXACT, gdb_cmd_stop_query},
	{"H", PREFIX, gdb_cmd_thread_set},
	{"T", PREFIX, gdb_cmd_thread_alive},
	{"g", EXACT, gdb_cmd_read_regs},
	{"G", PREFIX, gdb_cmd_write_regs},
	{"p", PREFIX, gdb_cmd_read_reg},
	{"P", PREFIX, gdb_cmd_write_reg},
	{"m", PREFIX, gdb_cmd_read_mem},
	{"M", PREFIX, gdb_cmd_write_mem},
	{"X", PREFIX, gdb_cmd_write_mem_bin},
	{"Z", PREFIX, gdb_cmd_insert_point},
	{"z", PREFIX, gdb_cmd_remove_point},
	{"c", PREFIX, gdb_cmd_continue},
	{"C", PREFIX, gdb_cmd_continue_sig},
	{"s", PREFIX, gdb_cmd_step},
	{"S", PREFIX, gdb_cmd_step_sig},
	{"k", EXACT, gdb_cmd_kill},
	{"D", PREFIX, gdb_cmd_detach},
};

static bool matches(const struct gdb_cmd *c, const char *pkt, size_t len)
{
	size_t n = strlen(c->name);

	if (len < n || memcmp(pkt, c->name, n) != 0)
		return false;
	return c->match == PREFIX || len == n;
}

int gdb_dispatch(struct gdb_session *s, const char *pkt, size_t len)
{
	s->rlen = 0;
	s->reply[0] = '\0';
	s->no_reply = false;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const struct gdb_cmd *c = &commands[i];
		size_t n = strlen(c->name);

		if (matches(c, pkt, len))
			return c->fn(s, pkt + n, len - n);
	}
	return 0;   /* unknown: the empty reply */
}

int gdb_cmd_empty(struct gdb_session *s, const char *a, size_t n)
{
	return 0;
}

int gdb_cmd_ok(struct gdb_session *s, const char *a, size_t n)
{
	gdb_reply_str(s, "OK");
	return 0;
}

void gdb_reply_append_raw(struct gdb_session *s, const void *p, size_t n)
{
	size_t room = GDB_PACKET_SIZE - s->rlen;

	if (n > room)
		n = room;
	memcpy(s->reply + s->rlen, p, n);
	s->rlen += n;
	s->reply[s->rlen] = '\0';
}

void gdb_reply_str(struct gdb_session *s, const char *str)
{
	s->rlen = 0;
	gdb_reply_append_raw(s, str, strlen(str));
}

static void reply_vfmt(struct gdb_session *s, const char *fmt, va_list ap)
{
	size_t room = GDB_PACKET_SIZE + 1 - s->rlen;
	int n = vsnprintf(s->reply + s->rlen, room, fmt, ap);

	if (n < 0)
		n = 0;
	s->rlen += (size_t)n < room ? (size_t)n : room - 1;
}

void gdb_reply_fmt(struct gdb_session *s, const char *fmt, ...)
{
	va_list ap;

	s->rlen = 0;
	va_start(ap, fmt);
	reply_vfmt(s, fmt, ap);
	va_end(ap);
}

void gdb_reply_append_fmt(struct gdb_session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	reply_vfmt(s, fmt, ap);
	va_end(ap);
}

void gdb_reply_append_hex(struct gdb_session *s, const void *p, size_t n)
{
	size_t room = (GDB_PACKET_SIZE - s->rlen) / 2;

	if (n > room)
		n = room;
	gdb_hex_encode(s->reply + s->rlen, p, n);
	s->rlen += 2 * n;
}

/* Error text goes into a text reply gdb does not unescape: keep it to
 * printable characters that framing leaves alone. */
static void append_error_text(struct gdb_session *s, const char *why)
{
	for (; *why && s->rlen < 200; why++) {
		char c = *why;

		if (c < 0x20 || c > 0x7e || c == '$' || c == '#' || c == '*' ||
		    c == '}')
			c = '?';
		gdb_reply_append_raw(s, &c, 1);
	}
}

void gdb_reply_error(struct gdb_session *s, int err, const char *why)
{
	s->rlen = 0;
	if (why && *why) {
		gdb_reply_str(s, "E.");
		append_error_text(s, why);
		return;
	}
	if (err < 0)
		err = -err;
	gdb_reply_fmt(s, "E%02x", (err & 0xff) ? err & 0xff : EIO);
}

void gdb_reply_result(struct gdb_session *s, int rc, const char *why)
{
	if (rc < 0)
		gdb_reply_error(s, rc, why);
	else
		gdb_reply_str(s, "OK");
}
