/* gdbstub/cmd_query.c — the general queries and settings of a session:
 * qSupported, no-ack and extended mode, qAttached, monitor commands
 * (qRcmd), the qXfer objects (target.xml, auxv, exec-file, threads),
 * vCont? and vRun. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gdbstub/regs.h"
#include "gdbstub/session.h"
#include "gdbstub/tdesc.h"

/* Does gdb's qSupported list A (after "qSupported:") hold FEATURE? */
static bool gdb_has(const char *a, const char *feature)
{
	size_t n = strlen(feature);

	for (const char *p = a; p && *p; p = strchr(p, ';')) {
		if (*p == ';' || *p == ':')
			p++;
		if (strncmp(p, feature, n) == 0 && (p[n] == ';' || !p[n]))
			return true;
	}
	return false;
}

int gdb_cmd_supported(struct gdb_session *s, const char *a, size_t n)
{
	s->gdb_swbreak = gdb_has(a, "swbreak+");
	s->gdb_hwbreak = gdb_has(a, "hwbreak+");
	gdb_reply_fmt(s, "PacketSize=%x;qXfer:features:read+;"
		      "QStartNoAckMode+;ReverseContinue+;ReverseStep+;"
		      "swbreak+;hwbreak+;vContSupported+;multiprocess-;"
		      "QPassSignals+;qXfer:threads:read+",
		      GDB_PACKET_SIZE);
	if (s->ops->auxv)
		gdb_reply_append_fmt(s, ";qXfer:auxv:read+");
	if (s->ops->exec_file)
		gdb_reply_append_fmt(s, ";qXfer:exec-file:read+");
	return 0;
}

int gdb_cmd_noack(struct gdb_session *s, const char *a, size_t n)
{
	gdb_reply_str(s, "OK");   /* acked as usual, then acks stop */
	s->noack_next = true;
	return 0;
}

int gdb_cmd_extended(struct gdb_session *s, const char *a, size_t n)
{
	s->extended = true;
	gdb_reply_str(s, "OK");
	return 0;
}

int gdb_cmd_attached(struct gdb_session *s, const char *a, size_t n)
{
	gdb_reply_str(s, "1");   /* detach, don't kill, when gdb quits */
	return 0;
}

int gdb_cmd_vcont_query(struct gdb_session *s, const char *a, size_t n)
{
	gdb_reply_str(s, "vCont;c;C;s;S");
	return 0;
}

/* Monitor output: O packets of hex text, sent while the command runs. */
static void rcmd_print(void *sink, const char *text)
{
	struct gdb_session *s = sink;
	char pkt[1 + 2 * 512 + 1];
	size_t len = strlen(text);

	while (len > 0 && s->err == 0) {
		size_t chunk = len > 512 ? 512 : len;

		pkt[0] = 'O';
		gdb_hex_encode(pkt + 1, text, chunk);
		gdb_session_send(s, pkt, 1 + 2 * chunk);
		text += chunk;
		len -= chunk;
	}
}

int gdb_cmd_rcmd(struct gdb_session *s, const char *a, size_t n)
{
	char *cmd = s->xfer;
	long len = gdb_hex_decode(cmd, sizeof(s->xfer) - 1, a, n);
	int rc;

	if (len < 0) {
		gdb_reply_error(s, -EINVAL, NULL);
		return 0;
	}
	cmd[len] = '\0';
	if (!s->ops->monitor)
		return 0;   /* "Target does not support this command." */
	rc = s->ops->monitor(s->t, cmd, rcmd_print, s);
	if (s->err)
		return s->err;
	if (rc != -ENOENT)
		gdb_reply_result(s, rc, NULL);
	return 0;
}

static long xfer_threads(struct gdb_session *s, char *buf, size_t cap)
{
	int tids[GDB_MAX_THREADS];
	int count = gdb_thread_list(s, tids, GDB_MAX_THREADS);
	size_t len = 0;
	int w;

	w = snprintf(buf, cap, "<?xml version=\"1.0\"?>\n<threads>\n");
	for (int i = 0; w >= 0 && (size_t)w < cap - len && i < count; i++) {
		len += (size_t)w;
		w = snprintf(buf + len, cap - len, "<thread id=\"%x\"/>\n",
			     tids[i]);
	}
	if (w < 0 || (size_t)w >= cap - len)
		return -ENOSPC;
	len += (size_t)w;
	w = snprintf(buf + len, cap - len, "</threads>\n");
	if (w < 0 || (size_t)w >= cap - len)
		return -ENOSPC;
	return (long)(len + (size_t)w);
}

static long xfer_features(struct gdb_session *s, const char *annex,
			  char *buf, size_t cap)
{
	struct gdb_regs r;

	if (strcmp(annex, GDB_TDESC_ANNEX) != 0)
		return -ENOENT;
	memset(&r, 0, sizeof(r));
	if (s->ops->get_regs(s->t, gdb_resolve_tid(s, s->gtid), &r) < 0)
		r.has_ymmh = false;
	return gdb_tdesc_xml(r.has_ymmh, buf, cap);
}

static long xfer_exec_file(struct gdb_session *s, char *buf, size_t cap)
{
	const char *path = s->ops->exec_file(s->t);
	size_t len = path ? strlen(path) : 0;

	if (!path)
		return -ENOENT;
	if (len > cap)
		return -ENOSPC;
	memcpy(buf, path, len);
	return (long)len;
}

/* Build the whole object named by OBJECT/ANNEX into s->xfer: its length,
 * -EOPNOTSUPP for objects we don't serve, or another -errno. */
static long xfer_object(struct gdb_session *s, const char *object,
			const char *annex)
{
	char *buf = s->xfer;
	size_t cap = sizeof(s->xfer);

	if (strcmp(object, "features") == 0)
		return xfer_features(s, annex, buf, cap);
	if (strcmp(object, "threads") == 0)
		return xfer_threads(s, buf, cap);
	if (strcmp(object, "auxv") == 0 && s->ops->auxv)
		return s->ops->auxv(s->t, (uint8_t *)buf, cap);
	if (strcmp(object, "exec-file") == 0 && s->ops->exec_file)
		return xfer_exec_file(s, buf, cap);
	return -EOPNOTSUPP;
}

/* "OBJECT:read:ANNEX:OFFSET,LENGTH": split in place into the fields. */
static int parse_xfer(char *req, char **object, char **annex,
		      uint64_t *off, uint64_t *len)
{
	char *op, *range;

	*object = req;
	op = strchr(req, ':');
	if (!op)
		return -EINVAL;
	*op++ = '\0';
	*annex = strchr(op, ':');
	if (!*annex)
		return -EINVAL;
	*(*annex)++ = '\0';
	if (strcmp(op, "read") != 0)
		return -EOPNOTSUPP;
	range = strrchr(*annex, ':');
	if (!range)
		return -EINVAL;
	*range++ = '\0';
	return gdb_parse_addr_len(range, 0, off, len, NULL);
}

int gdb_cmd_xfer(struct gdb_session *s, const char *a, size_t n)
{
	char req[256], *object, *annex;
	uint64_t off, len;
	long total;
	int rc;

	if (n >= sizeof(req)) {
		gdb_reply_error(s, -EINVAL, NULL);
		return 0;
	}
	memcpy(req, a, n + 1);
	rc = parse_xfer(req, &object, &annex, &off, &len);
	if (rc == -EOPNOTSUPP)
		return 0;
	total = rc < 0 ? rc : xfer_object(s, object, annex);
	if (total == -EOPNOTSUPP)
		return 0;
	if (total < 0) {
		gdb_reply_error(s, (int)total, NULL);
		return 0;
	}
	if (off >= (uint64_t)total) {
		gdb_reply_str(s, "l");
		return 0;
	}
	if (len > (uint64_t)total - off)
		len = (uint64_t)total - off;
	if (len > GDB_PACKET_SIZE - 1)
		len = GDB_PACKET_SIZE - 1;
	gdb_reply_str(s, off + len < (uint64_t)total ? "m" : "l");
	gdb_reply_append_raw(s, s->xfer + off, (size_t)len);
	return 0;
}

int gdb_cmd_vrun(struct gdb_session *s, const char *a, size_t n)
{
	struct gdb_stop st = { .kind = GDB_STOP_SIGNAL };
	int rc = s->ops->restart ? s->ops->restart(s->t) : -EOPNOTSUPP;

	if (rc < 0) {
		gdb_reply_error(s, rc, rc == -EOPNOTSUPP
				? "this target cannot restart" : NULL);
		return 0;
	}
	s->killed = false;
	s->ops->last_stop(s->t, &st);
	gdb_reply_stop(s, &st);
	return 0;
}
