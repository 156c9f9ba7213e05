/* replay/debug_target.c — the gdb target over a replay: registers and
 * memory of the live guest, breakpoints and watchpoints kept by the
 * timeline, the four directions of execution, and the monitor commands
 * (when, seek, info). Writes are refused: a replay cannot change. */
#include "replay/debug_target.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static struct guest *live(void *t)
{
	return tl_guest(((struct debug_target *)t)->tl);
}

static int dt_pid(void *t)
{
	return GUEST_FIRST_PID; /* one process today */
}

static int dt_threads(void *t, int *tids, int max)
{
	if (max < 1)
		return 0;
	tids[0] = dt_pid(t);
	return 1;
}

static int dt_get_regs(void *t, int tid, struct gdb_regs *out)
{
	struct guest *g = live(t);
	int rc;

	if (!g)
		return -ESRCH;
	memset(out, 0, sizeof(*out));
	rc = guest_get_regs(g, &out->gpr);
	if (rc == 0)
		rc = plat_get_fpregs(guest_plat(g), &out->fp);
	if (rc == 0)
		rc = plat_get_ymmh(guest_plat(g), out->ymmh, &out->has_ymmh);
	return rc;
}

static int dt_set_reg(void *t, int tid, int regnum, const uint8_t *val,
		      size_t len, const char **why)
{
	*why = "a deja replay is read-only: registers cannot be changed";
	return -EPERM;
}

static long dt_read_mem(void *t, uint64_t addr, void *buf, size_t len)
{
	struct guest *g = live(t);

	return g ? guest_read_mem(g, addr, buf, len) : -ESRCH;
}

static int dt_write_mem(void *t, uint64_t addr, const void *buf, size_t len,
			const char **why)
{
	*why = "a deja replay is read-only: memory cannot be changed";
	return -EPERM;
}

static int dt_point(void *t, enum gdb_point type, uint64_t addr, int len,
		    bool insert)
{
	struct timeline *tl = ((struct debug_target *)t)->tl;
	enum tl_point kind;

	switch (type) {
	case GDB_POINT_SW:
	case GDB_POINT_HW: kind = TL_POINT_BREAK; break;
	case GDB_POINT_WRITE: kind = TL_POINT_WATCH; break;
	case GDB_POINT_READ: kind = TL_POINT_RWATCH; break;
	case GDB_POINT_ACCESS: kind = TL_POINT_AWATCH; break;
	default: return -EOPNOTSUPP;
	}
	return insert ? tl_add_point(tl, kind, addr, (uint64_t)len)
		      : tl_remove_point(tl, kind, addr, (uint64_t)len);
}

static int dt_insert(void *t, enum gdb_point type, uint64_t addr, int len)
{
	return dt_point(t, type, addr, len, true);
}

static int dt_remove(void *t, enum gdb_point type, uint64_t addr, int len)
{
	return dt_point(t, type, addr, len, false);
}

static void to_gdb_stop(const struct tl_stop *s, struct gdb_stop *g)
{
	memset(g, 0, sizeof(*g));
	g->kind = GDB_STOP_SIGNAL;
	g->sig = SIGTRAP;
	g->tid = GUEST_FIRST_PID;
	switch (s->kind) {
	case TL_STEPPED: break;
	case TL_BREAK: g->reason = GDB_REASON_SWBREAK; break;
	case TL_WATCH:
	case TL_RWATCH:
	case TL_AWATCH:
		g->reason = s->kind == TL_WATCH ? GDB_REASON_WATCH :
			    s->kind == TL_RWATCH ? GDB_REASON_RWATCH :
			    GDB_REASON_AWATCH;
		g->addr = s->addr;
		break;
	case TL_SIGNAL: g->sig = s->sig; break;
	case TL_BEGIN: g->reason = GDB_REASON_HISTORY_BEGIN; break;
	case TL_END: g->reason = GDB_REASON_HISTORY_END; break;
	case TL_INTERRUPTED: g->sig = SIGINT; break;
	case TL_EXITED:
		if (WIFEXITED(s->wait_status)) {
			g->kind = GDB_STOP_EXITED;
			g->code = WEXITSTATUS(s->wait_status);
		} else {
			g->kind = GDB_STOP_KILLED;
			g->sig = WTERMSIG(s->wait_status);
		}
		break;
	}
}

static int dt_resume(void *t, enum gdb_resume how, int tid, int sig,
		     bool (*interrupted)(void *sink), void *sink,
		     struct gdb_stop *stop)
{
	struct debug_target *dt = t;
	struct tl_stop s;
	int rc;

	switch (how) {
	case GDB_CONTINUE: rc = tl_continue(dt->tl, interrupted, sink, &s); break;
	case GDB_STEP: rc = tl_step(dt->tl, &s); break;
	case GDB_REVERSE_CONTINUE:
		rc = tl_reverse_continue(dt->tl, interrupted, sink, &s);
		break;
	default: rc = tl_reverse_step(dt->tl, &s); break;
	}
	if (rc < 0) {
		char msg[1200];
		snprintf(msg, sizeof(msg), "time travel failed: %s",
			 tl_error(dt->tl) ? tl_error(dt->tl) : strerror(-rc));
		if (dt->report)
			dt->report(msg);
		return rc;
	}
	to_gdb_stop(&s, stop);
	dt->last = *stop;
	return 0;
}

static void dt_last_stop(void *t, struct gdb_stop *stop)
{
	*stop = ((struct debug_target *)t)->last;
}

static long dt_auxv(void *t, uint8_t *buf, size_t cap)
{
	struct guest *g = live(t);
	const uint8_t *a;
	size_t len;

	if (!g)
		return -ESRCH;
	a = guest_auxv(g, &len);
	if (len > cap)
		len = cap;
	memcpy(buf, a, len);
	return (long)len;
}

static const char *dt_exec_file(void *t)
{
	return ((struct debug_target *)t)->exec_path;
}

static const char monitor_help[] =
	"deja monitor commands:\n"
	"  when          where the replay is: the next trace event and the position\n"
	"  seek N        go to the moment the guest is about to cause trace event N\n"
	"  info          checkpoints and work done so far\n"
	"  help          this text\n";

static int dt_monitor(void *t, const char *cmd, gdb_print_fn print, void *sink)
{
	struct debug_target *dt = t;
	char buf[1400], desc[1024];
	uint64_t ev, stops;
	unsigned long long n;
	struct tl_stop s;

	if (!strcmp(cmd, "when")) {
		tl_when(dt->tl, &ev, &stops, desc, sizeof(desc));
		snprintf(buf, sizeof(buf), "Current event: %llu (%llu kernel stops; %s)\n",
			 (unsigned long long)ev, (unsigned long long)stops, desc);
	} else if (sscanf(cmd, "seek %llu", &n) == 1 || sscanf(cmd, "run %llu", &n) == 1) {
		if (tl_seek_event(dt->tl, n, &s) < 0) {
			snprintf(buf, sizeof(buf), "seek failed: %s\n",
				 tl_error(dt->tl) ? tl_error(dt->tl) : "no such position");
		} else {
			tl_when(dt->tl, &ev, &stops, desc, sizeof(desc));
			snprintf(buf, sizeof(buf), "Now at event %llu (%s)\n",
				 (unsigned long long)ev, desc);
		}
		to_gdb_stop(&s, &dt->last);
	} else if (!strcmp(cmd, "info")) {
		tl_stats(dt->tl, buf, sizeof(buf));
	} else if (!strcmp(cmd, "help")) {
		snprintf(buf, sizeof(buf), "%s", monitor_help);
	} else {
		return -ENOENT;
	}
	print(sink, buf);
	return 0;
}

static int dt_restart(void *t)
{
	struct debug_target *dt = t;
	struct tl_stop s;
	int rc = tl_restart(dt->tl, &s);

	to_gdb_stop(&s, &dt->last);
	return rc;
}

static void dt_kill(void *t)
{
}

const struct gdb_target_ops debug_target_ops = {
	.pid = dt_pid,
	.threads = dt_threads,
	.get_regs = dt_get_regs,
	.set_reg = dt_set_reg,
	.read_mem = dt_read_mem,
	.write_mem = dt_write_mem,
	.insert_point = dt_insert,
	.remove_point = dt_remove,
	.resume = dt_resume,
	.last_stop = dt_last_stop,
	.auxv = dt_auxv,
	.exec_file = dt_exec_file,
	.monitor = dt_monitor,
	.restart = dt_restart,
	.kill = dt_kill,
};
