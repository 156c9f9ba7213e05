/* gdbstub/cmd_exec.c — commands about threads and execution: thread
 * selection and lists, stop replies, resumes forwards and backwards
 * (c/s/C/S/vCont/bc/bs) with gdb<->host signal mapping, break- and
 * watchpoints, kill and detach. */
#include <errno.h>
#include <signal.h>

#include "gdbstub/session.h"
#include "gdbstub/signals.h"

int gdb_thread_list(struct gdb_session *s, int *tids, int max)
{
	int n = s->ops->threads ? s->ops->threads(s->t, tids, max) : 0;

	if (n <= 0 && max > 0) {
		/* single-threaded targets may only know their pid */
		tids[0] = s->ops->pid ? s->ops->pid(s->t) : 1;
		n = 1;
	}
	return n > max ? max : n;
}

int gdb_first_tid(struct gdb_session *s)
{
	int tids[GDB_MAX_THREADS];

	gdb_thread_list(s, tids, GDB_MAX_THREADS);
	return tids[0];
}

/* A thread selection (0 any, -1 all) as a concrete thread id. */
int gdb_resolve_tid(struct gdb_session *s, int tid)
{
	return tid > 0 ? tid : gdb_first_tid(s);
}

static bool thread_exists(struct gdb_session *s, int tid)
{
	int tids[GDB_MAX_THREADS];
	int n = gdb_thread_list(s, tids, GDB_MAX_THREADS);

	for (int i = 0; i < n; i++)
		if (tids[i] == tid)
			return true;
	return false;
}

/* A thread id as gdb writes it: "-1", "0", "TID" or "pPID.TID" (hex).
 * Advances *P. */
static int parse_ptid(const char **p, int *tid)
{
	uint64_t v;

	if (**p == 'p') {
		(*p)++;
		if (**p == '-' || gdb_parse_hex(p, &v) < 0)
			return -EINVAL;
		if (**p != '.') {
			*tid = -1;   /* pPID: all threads of the process */
			return 0;
		}
		(*p)++;
	}
	if (**p == '-') {
		if ((*p)[1] != '1')
			return -EINVAL;
		*p += 2;
		*tid = -1;
		return 0;
	}
	if (gdb_parse_hex(p, &v) < 0 || v > 0x7fffffff)
		return -EINVAL;
	*tid = (int)v;
	return 0;
}

int gdb_cmd_thread_set(struct gdb_session *s, const char *a, size_t n)
{
	char which = a[0];
	const char *p = a + 1;
	int tid;

	if ((which != 'g' && which != 'c') || parse_ptid(&p, &tid) < 0 ||
	    *p != '\0') {
		gdb_reply_error(s, -EINVAL, NULL);
		return 0;
	}
	if (tid > 0 && !thread_exists(s, tid)) {
		gdb_reply_error(s, -ESRCH, NULL);
		return 0;
	}
	if (which == 'g')
		s->gtid = tid;
	else
		s->ctid = tid;
	gdb_reply_str(s, "OK");
	return 0;
}

int gdb_cmd_current_thread(struct gdb_session *s, const char *a, size_t n)
{
	gdb_reply_fmt(s, "QC%x", gdb_resolve_tid(s, s->gtid));
	return 0;
}

int gdb_cmd_thread_first(struct gdb_session *s, const char *a, size_t n)
{
	int tids[GDB_MAX_THREADS];
	int count = gdb_thread_list(s, tids, GDB_MAX_THREADS);

	gdb_reply_str(s, "m");
	for (int i = 0; i < count; i++)
		gdb_reply_append_fmt(s, i ? ",%x" : "%x", tids[i]);
	return 0;
}

int gdb_cmd_thread_next(struct gdb_session *s, const char *a, size_t n)
{
	gdb_reply_str(s, "l");
	return 0;
}

int gdb_cmd_thread_alive(struct gdb_session *s, const char *a, size_t n)
{
	const char *p = a;
	int tid;

	if (parse_ptid(&p, &tid) < 0 || *p != '\0')
		gdb_reply_error(s, -EINVAL, NULL);
	else if (tid > 0 && !thread_exists(s, tid))
		gdb_reply_error(s, -ESRCH, NULL);
	else
		gdb_reply_str(s, "OK");
	return 0;
}

static const char *reason_text(struct gdb_session *s,
			       const struct gdb_stop *st)
{
	switch (st->reason) {
	case GDB_REASON_SWBREAK:
		return s->gdb_swbreak ? "swbreak:;" : "";
	case GDB_REASON_HWBREAK:
		return s->gdb_hwbreak ? "hwbreak:;" : "";
	case GDB_REASON_WATCH:
		return "watch:";
	case GDB_REASON_RWATCH:
		return "rwatch:";
	case GDB_REASON_AWATCH:
		return "awatch:";
	case GDB_REASON_HISTORY_BEGIN:
		return "replaylog:begin;";
	case GDB_REASON_HISTORY_END:
		return "replaylog:end;";
	default:
		return "";
	}
}

void gdb_reply_stop(struct gdb_session *s, const struct gdb_stop *st)
{
	if (st->kind == GDB_STOP_EXITED) {
		gdb_reply_fmt(s, "W%02x", st->code & 0xff);
		return;
	}
	if (st->kind == GDB_STOP_KILLED) {
		gdb_reply_fmt(s, "X%02x", gdb_signal_from_host(st->sig) & 0xff);
		return;
	}
	gdb_reply_fmt(s, "T%02xthread:%x;", gdb_signal_from_host(st->sig) & 0xff,
		      gdb_resolve_tid(s, st->tid));
	gdb_reply_append_fmt(s, "%s", reason_text(s, st));
	if (st->reason == GDB_REASON_WATCH || st->reason == GDB_REASON_RWATCH ||
	    st->reason == GDB_REASON_AWATCH)
		gdb_reply_append_fmt(s, "%llx;", (unsigned long long)st->addr);
}

int gdb_cmd_stop_query(struct gdb_session *s, const char *a, size_t n)
{
	struct gdb_stop st = { .kind = GDB_STOP_SIGNAL, .sig = SIGTRAP };

	if (s->killed) {
		st.kind = GDB_STOP_KILLED;
		st.sig = SIGKILL;
	} else {
		s->ops->last_stop(s->t, &st);
	}
	gdb_reply_stop(s, &st);
	return 0;
}

/* Resume and wait; the stop (or an error) becomes the reply. */
static int resume(struct gdb_session *s, enum gdb_resume how, int tid,
		  int gdbsig)
{
	struct gdb_stop st = { .kind = GDB_STOP_SIGNAL, .sig = SIGTRAP };
	int hostsig = gdb_signal_to_host(gdbsig);
	int rc;

	if (s->killed) {
		gdb_reply_str(s, "E.the process was killed");
		return 0;
	}
	rc = s->ops->resume(s->t, how, tid, hostsig, gdb_session_interrupted,
			    s, &st);
	if (rc < 0)
		gdb_reply_error(s, rc, NULL);
	else
		gdb_reply_stop(s, &st);
	return 0;
}

/* "XX[;addr]" of C and S: the gdb signal number; the address is not
 * supported (gdb does not send it). */
static int parse_sig(const char *a, int *sig)
{
	const char *p = a;
	uint64_t v;

	if (gdb_parse_hex(&p, &v) < 0 || v > 0xff || (*p && *p != ';'))
		return -EINVAL;
	*sig = (int)v;
	return 0;
}

int gdb_cmd_continue(struct gdb_session *s, const char *a, size_t n)
{
	return resume(s, GDB_CONTINUE, s->ctid, 0);
}

int gdb_cmd_step(struct gdb_session *s, const char *a, size_t n)
{
	return resume(s, GDB_STEP, s->ctid, 0);
}

/* "C sig" and "S sig": resume HOW delivering the signal in A. */
static int resume_sig(struct gdb_session *s, enum gdb_resume how, const char *a)
{
	int sig;

	if (parse_sig(a, &sig) < 0) {
		gdb_reply_error(s, -EINVAL, NULL);
		return 0;
	}
	return resume(s, how, s->ctid, sig);
}

int gdb_cmd_continue_sig(struct gdb_session *s, const char *a, size_t n)
{
	return resume_sig(s, GDB_CONTINUE, a);
}

int gdb_cmd_step_sig(struct gdb_session *s, const char *a, size_t n)
{
	return resume_sig(s, GDB_STEP, a);
}

int gdb_cmd_reverse_continue(struct gdb_session *s, const char *a, size_t n)
{
	return resume(s, GDB_REVERSE_CONTINUE, s->ctid, 0);
}

int gdb_cmd_reverse_step(struct gdb_session *s, const char *a, size_t n)
{
	return resume(s, GDB_REVERSE_STEP, s->ctid, 0);
}

struct vcont_action {
	char kind;   /* c, C, s, S, t */
	int sig;     /* gdb number */
	int tid;     /* 0: no thread given (the default action) */
};

/* One action at *P ("c", "C05:1a", "s:p1.1"); advances *P. */
static int parse_action(const char **p, struct vcont_action *act)
{
	uint64_t v;

	act->kind = *(*p)++;
	act->sig = 0;
	act->tid = 0;
	if (act->kind == 'C' || act->kind == 'S') {
		if (gdb_parse_hex(p, &v) < 0 || v > 0xff)
			return -EINVAL;
		act->sig = (int)v;
	} else if (act->kind != 'c' && act->kind != 's' && act->kind != 't') {
		return -EINVAL;
	}
	if (**p == ':' && (++*p, parse_ptid(p, &act->tid) < 0))
		return -EINVAL;
	if (**p != '\0' && **p != ';')
		return -EINVAL;
	return 0;
}

/* Pick the action for the thread we run: the first one naming one of
 * our threads (or all), else the default action. */
static int pick_action(struct gdb_session *s, const char *p,
		       struct vcont_action *out)
{
	struct vcont_action act;
	bool found = false;

	while (*p == ';') {
		p++;
		if (parse_action(&p, &act) < 0)
			return -EINVAL;
		if (act.kind == 't' || found)
			continue;
		if (act.tid == 0 || act.tid == -1 || thread_exists(s, act.tid)) {
			*out = act;
			found = true;
		}
	}
	if (*p != '\0')
		return -EINVAL;
	return found ? 0 : -ESRCH;
}

int gdb_cmd_vcont(struct gdb_session *s, const char *a, size_t n)
{
	struct vcont_action act;
	int rc = pick_action(s, a - 1, &act);   /* a - 1 is the ';' */

	if (rc < 0) {
		gdb_reply_error(s, rc, NULL);
		return 0;
	}
	return resume(s, (act.kind == 'c' || act.kind == 'C') ? GDB_CONTINUE
							       : GDB_STEP,
		      act.tid > 0 ? act.tid : s->ctid, act.sig);
}

int gdb_cmd_kill(struct gdb_session *s, const char *a, size_t n)
{
	if (s->ops->kill && !s->killed)
		s->ops->kill(s->t);
	s->killed = true;
	s->end = GDB_END_KILL;
	s->end_now = true;
	s->no_reply = true;   /* 'k' has no reply; gdb closes */
	return 0;
}

int gdb_cmd_vkill(struct gdb_session *s, const char *a, size_t n)
{
	if (s->ops->kill && !s->killed)
		s->ops->kill(s->t);
	s->killed = true;
	gdb_reply_str(s, "OK");   /* extended mode: gdb may vRun again */
	return 0;
}

int gdb_cmd_detach(struct gdb_session *s, const char *a, size_t n)
{
	gdb_reply_str(s, "OK");
	s->end = GDB_END_DETACH;
	s->end_now = true;
	return 0;
}

/* "T,addr,kind[;cond...]" of Z and z. */
static int point(struct gdb_session *s, const char *a, bool insert)
{
	uint64_t addr, kind;
	int type = a[0] - '0', rc;
	int (*fn)(void *, enum gdb_point, uint64_t, int) =
		insert ? s->ops->insert_point : s->ops->remove_point;

	if (type < GDB_POINT_SW || type > GDB_POINT_ACCESS || !fn)
		return 0;   /* unsupported: empty reply */
	if (a[1] != ',' || gdb_parse_addr_len(a + 2, ';', &addr, &kind,
					      NULL) < 0 || kind > 0x10000) {
		gdb_reply_error(s, -EINVAL, NULL);
		return 0;
	}
	rc = fn(s->t, (enum gdb_point)type, addr, (int)kind);
	if (rc != -EOPNOTSUPP)
		gdb_reply_result(s, rc, NULL);
	return 0;
}

int gdb_cmd_insert_point(struct gdb_session *s, const char *a, size_t n)
{
	return point(s, a, true);
}

int gdb_cmd_remove_point(struct gdb_session *s, const char *a, size_t n)
{
	return point(s, a, false);
}
