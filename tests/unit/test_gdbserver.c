/* tests/unit/test_gdbserver.c — gdbstub/server.c and its commands: a
 * client drives gdb_serve over a socketpair (the server in a thread)
 * against a fake target, with scripted exchanges for what gdb 13 sends;
 * then, if gdb is installed, real gdb reads registers through the stub
 * over TCP. Also gdbstub/regs.c and tdesc.c through the protocol. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "gdbstub/packet.h"
#include "gdbstub/regs.h"
#include "gdbstub/server.h"
#include "gdbstub/tdesc.h"

#define TID 0x4d2
#define PID 0x4d2
#define HOLE 0xdead0000ull   /* fake memory is unreadable from here on */

/* ---- the fake target ---- */

struct fake {
	struct gdb_regs regs;
	struct gdb_stop next, last;
	enum gdb_resume how;
	int resume_tid, resume_sig, resumes;
	bool wait_interrupt;      /* resume runs until Ctrl-C */
	enum gdb_point ptype;
	uint64_t paddr;
	int pkind, inserts, removes;
	int kills, restarts;
	char monitor_cmd[64];
};

static int f_pid(void *t) { return PID; }

static int f_threads(void *t, int *tids, int max)
{
	tids[0] = TID;
	return 1;
}

static int f_get_regs(void *t, int tid, struct gdb_regs *out)
{
	struct fake *f = t;

	if (tid != TID)
		return -ESRCH;
	*out = f->regs;
	return 0;
}

static int f_set_reg(void *t, int tid, int regnum, const uint8_t *val,
		     size_t len, const char **why)
{
	*why = "a replay cannot change registers";
	return -EPERM;
}

static long f_read_mem(void *t, uint64_t addr, void *buf, size_t len)
{
	uint8_t *b = buf;
	size_t n = 0;

	while (n < len && addr + n < HOLE) {
		b[n] = (uint8_t)(addr + n);
		n++;
	}
	return n ? (long)n : -EIO;
}

static int f_write_mem(void *t, uint64_t addr, const void *buf, size_t len,
		       const char **why)
{
	*why = "memory is read-only in a replay";
	return -EPERM;
}

static int f_point(struct fake *f, enum gdb_point type, uint64_t addr,
		   int len)
{
	f->ptype = type;
	f->paddr = addr;
	f->pkind = len;
	if (type == GDB_POINT_READ)
		return -EOPNOTSUPP;
	if (type == GDB_POINT_ACCESS)
		return -ENOSPC;
	return 0;
}

static int f_insert(void *t, enum gdb_point type, uint64_t addr, int len)
{
	((struct fake *)t)->inserts++;
	return f_point(t, type, addr, len);
}

static int f_remove(void *t, enum gdb_point type, uint64_t addr, int len)
{
	((struct fake *)t)->removes++;
	return f_point(t, type, addr, len);
}

static int f_resume(void *t, enum gdb_resume how, int tid, int sig,
		    bool (*interrupted)(void *sink), void *sink,
		    struct gdb_stop *stop)
{
	struct fake *f = t;

	f->how = how;
	f->resume_tid = tid;
	f->resume_sig = sig;
	f->resumes++;
	*stop = f->next;
	if (f->wait_interrupt) {
		struct timespec ms = { 0, 1000000 };

		for (int i = 0; i < 5000 && !interrupted(sink); i++)
			nanosleep(&ms, NULL);
		memset(stop, 0, sizeof(*stop));
		stop->sig = SIGINT;
		stop->tid = TID;
	}
	f->last = *stop;
	return 0;
}

static void f_last_stop(void *t, struct gdb_stop *stop)
{
	*stop = ((struct fake *)t)->last;
}

static long f_auxv(void *t, uint8_t *buf, size_t cap)
{
	static const uint64_t auxv[] = { 6, 4096, 0, 0 };   /* AT_PAGESZ */

	if (cap < sizeof(auxv))
		return -ENOSPC;
	memcpy(buf, auxv, sizeof(auxv));
	return sizeof(auxv);
}

static const char *f_exec_file(void *t) { return "/bin/true"; }

static int f_monitor(void *t, const char *cmd, gdb_print_fn print,
		     void *sink)
{
	struct fake *f = t;

	snprintf(f->monitor_cmd, sizeof(f->monitor_cmd), "%s", cmd);
	if (strcmp(cmd, "when") != 0)
		return -ENOENT;
	print(sink, "event 42\n");
	print(sink, "tick 7\n");
	return 0;
}

static int f_restart(void *t)
{
	struct fake *f = t;

	f->restarts++;
	memset(&f->last, 0, sizeof(f->last));
	f->last.sig = SIGTRAP;
	f->last.tid = TID;
	return 0;
}

static void f_kill(void *t) { ((struct fake *)t)->kills++; }

static const struct gdb_target_ops fake_ops = {
	.pid = f_pid, .threads = f_threads, .get_regs = f_get_regs,
	.set_reg = f_set_reg, .read_mem = f_read_mem, .write_mem = f_write_mem,
	.insert_point = f_insert, .remove_point = f_remove,
	.resume = f_resume, .last_stop = f_last_stop, .auxv = f_auxv,
	.exec_file = f_exec_file, .monitor = f_monitor, .restart = f_restart,
	.kill = f_kill,
};

static void fake_init(struct fake *f, bool avx)
{
	struct user_regs_struct *g = &f->regs.gpr;

	memset(f, 0, sizeof(*f));
	g->rax = 0x1111111111111111ull;
	g->rip = 0x401000;
	g->rsp = 0x7ffe0000;
	g->eflags = 0x246;
	g->cs = 0x33;
	g->ss = 0x2b;
	g->orig_rax = 0x3c;
	g->fs_base = 0x7f0000001000ull;
	g->gs_base = 0;
	f->regs.fp.cwd = 0x37f;
	f->regs.fp.mxcsr = 0x1f80;
	f->regs.has_ymmh = avx;
	for (int i = 0; i < 16; i++)
		f->regs.ymmh[0][i] = (uint8_t)(0xa0 + i);
	f->last.sig = SIGTRAP;
	f->last.tid = TID;
	f->next = f->last;
}

/* ---- the session under test, in a thread ---- */

struct harness {
	struct fake fake;
	int fd[2];              /* [0] client, [1] server */
	pthread_t thread;
	struct gdb_serve_result res;
	int rc;
	struct gdb_rx rx;
	uint8_t in[0x10000];
	size_t pos, len;
	bool noack;
	char *reply;
};

static void *serve_thread(void *arg)
{
	struct harness *h = arg;

	h->rc = gdb_serve(h->fd[1], &fake_ops, &h->fake, &h->res);
	return NULL;
}

static struct harness *start(bool avx)
{
	struct harness *h = calloc(1, sizeof(*h));

	assert_non_null(h);
	fake_init(&h->fake, avx);
	gdb_rx_init(&h->rx);
	h->reply = malloc(GDB_PACKET_SIZE + 1);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, h->fd), 0);
	assert_int_equal(pthread_create(&h->thread, NULL, serve_thread, h), 0);
	return h;
}

/* Close the client side (if still open), wait for the server. */
static int finish(struct harness *h)
{
	int rc;

	if (h->fd[0] >= 0)
		close(h->fd[0]);
	pthread_join(h->thread, NULL);
	close(h->fd[1]);
	rc = h->rc;
	free(h->reply);
	free(h);
	return rc;
}

static void send_raw(struct harness *h, const void *p, size_t n)
{
	assert_int_equal(send(h->fd[0], p, n, MSG_NOSIGNAL), (ssize_t)n);
}

static void send_pkt_len(struct harness *h, const char *payload, size_t n)
{
	char *frame = malloc(GDB_FRAME_MAX);
	long len = gdb_frame(frame, GDB_FRAME_MAX, payload, n);

	assert_true(len > 0);
	send_raw(h, frame, (size_t)len);
	free(frame);
}

static void send_pkt(struct harness *h, const char *payload)
{
	send_pkt_len(h, payload, strlen(payload));
}

/* Next event from the server (reading as needed). */
static enum gdb_rx_event next_event(struct harness *h)
{
	for (;;) {
		enum gdb_rx_event ev;
		size_t used;

		if (h->pos == h->len) {
			ssize_t n = recv(h->fd[0], h->in, sizeof(h->in), 0);

			assert_true(n > 0);
			h->pos = 0;
			h->len = (size_t)n;
		}
		used = gdb_rx_feed(&h->rx, h->in + h->pos, h->len - h->pos, &ev);
		h->pos += used;
		if (ev != GDB_RX_NONE)
			return ev;
	}
}

/* The next packet's payload (acks skipped; acked unless no-ack). */
static const char *recv_pkt(struct harness *h, size_t *lenp)
{
	enum gdb_rx_event ev;
	size_t len;
	const char *p;

	while ((ev = next_event(h)) == GDB_RX_ACK)
		;
	assert_int_equal(ev, GDB_RX_PACKET);
	if (!h->noack)
		send_raw(h, "+", 1);
	p = gdb_rx_payload(&h->rx, &len);
	memcpy(h->reply, p, len + 1);
	if (lenp)
		*lenp = len;
	return h->reply;
}

static const char *cmd(struct harness *h, const char *payload)
{
	send_pkt(h, payload);
	return recv_pkt(h, NULL);
}

/* qSupported then no-ack mode, as gdb starts a session. */
static void handshake(struct harness *h)
{
	const char *r = cmd(h, "qSupported:multiprocess+;swbreak+;hwbreak+;"
			    "xmlRegisters=i386");

	assert_non_null(strstr(r, "PacketSize=4000"));
	assert_string_equal(cmd(h, "vMustReplyEmpty"), "");
	assert_string_equal(cmd(h, "QStartNoAckMode"), "OK");
	h->noack = true;
}

/* ---- scripted exchanges ---- */

static void test_supported_reply(void **state)
{
	struct harness *h = start(false);
	const char *r = cmd(h, "qSupported:multiprocess+;swbreak+;hwbreak+");
	static const char *const want[] = {
		"PacketSize=4000", "qXfer:features:read+", "qXfer:auxv:read+",
		"qXfer:exec-file:read+", "qXfer:threads:read+",
		"QStartNoAckMode+", "ReverseContinue+", "ReverseStep+",
		"swbreak+", "hwbreak+", "vContSupported+", "multiprocess-",
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_non_null(strstr(r, want[i]));
	assert_int_equal(finish(h), GDB_END_DISCONNECT);
}

static void test_ack_then_noack(void **state)
{
	struct harness *h = start(false);
	enum gdb_rx_event ev;

	send_pkt(h, "QStartNoAckMode");
	assert_int_equal(next_event(h), GDB_RX_ACK);  /* ack mode still */
	assert_int_equal(next_event(h), GDB_RX_PACKET);
	assert_string_equal(gdb_rx_payload(&h->rx, NULL), "OK");
	send_raw(h, "+", 1);
	h->noack = true;
	send_pkt(h, "vMustReplyEmpty");
	ev = next_event(h);                  /* no '+' any more */
	assert_int_equal(ev, GDB_RX_PACKET);
	assert_string_equal(gdb_rx_payload(&h->rx, NULL), "");
	assert_int_equal(finish(h), GDB_END_DISCONNECT);
}

static void test_nak_and_bad_checksum(void **state)
{
	struct harness *h = start(false);

	send_raw(h, "$g#00", 5);              /* wrong checksum */
	assert_int_equal(next_event(h), GDB_RX_NAK);
	assert_string_equal(cmd(h, "qAttached"), "1");
	send_raw(h, "-", 1);                  /* please resend */
	assert_string_equal(recv_pkt(h, NULL), "1");
	assert_int_equal(finish(h), GDB_END_DISCONNECT);
}

static void test_simple_queries(void **state)
{
	struct harness *h = start(false);

	handshake(h);
	assert_string_equal(cmd(h, "!"), "OK");
	assert_string_equal(cmd(h, "Hg0"), "OK");
	assert_string_equal(cmd(h, "Hgp4d2.4d2"), "OK");
	assert_string_equal(cmd(h, "Hc-1"), "OK");
	assert_true(cmd(h, "Hg99")[0] == 'E');
	assert_string_equal(cmd(h, "qC"), "QC4d2");
	assert_string_equal(cmd(h, "qfThreadInfo"), "m4d2");
	assert_string_equal(cmd(h, "qsThreadInfo"), "l");
	assert_string_equal(cmd(h, "T4d2"), "OK");
	assert_true(cmd(h, "T5")[0] == 'E');
	assert_string_equal(cmd(h, "qAttached:4d2"), "1");
	assert_string_equal(cmd(h, "qOffsets"), "");
	assert_string_equal(cmd(h, "qSymbol::"), "OK");
	assert_string_equal(cmd(h, "qTStatus"), "");
	assert_string_equal(cmd(h, "vCont?"), "vCont;c;C;s;S");
	assert_string_equal(cmd(h, "QPassSignals:e;10;14"), "OK");
	assert_string_equal(cmd(h, "QProgramSignals:0"), "OK");
	assert_string_equal(cmd(h, "qXfer:libraries-svr4:read::0,fff"), "");
	assert_string_equal(cmd(h, "vFile:setfs:0"), "");
	assert_string_equal(cmd(h, "?"), "T05thread:4d2;");
	assert_int_equal(finish(h), GDB_END_DISCONNECT);
}

static void check_g(bool avx)
{
	struct harness *h = start(avx);
	size_t len;
	const char *r;

	handshake(h);
	send_pkt(h, "g");
	r = recv_pkt(h, &len);
	assert_int_equal(len, 2 * (avx ? GDB_REGS_BYTES_AVX : GDB_REGS_BYTES));
	assert_memory_equal(r, "1111111111111111", 16);        /* rax */
	assert_memory_equal(r + 16 * 16, "0010400000000000", 16); /* rip */
	assert_memory_equal(r + 17 * 16, "46020000", 8);        /* eflags */
	assert_memory_equal(r + 17 * 16 + 8, "33000000", 8);    /* cs */
	if (avx)   /* ymm0h right after gs_base */
		assert_memory_equal(r + 2 * GDB_REGS_BYTES, "a0a1a2a3", 8);
	assert_string_equal(cmd(h, "p39"), "3c00000000000000");  /* orig_rax */
	assert_string_equal(cmd(h, "p3a"), "00100000007f0000");  /* fs_base */
	assert_string_equal(cmd(h, "p38"), "801f0000");          /* mxcsr */
	assert_string_equal(cmd(h, "p20"), "7f030000");          /* fctrl */
	assert_string_equal(cmd(h, "p22"), "ffff0000");          /* ftag */
	if (avx)
		assert_string_equal(cmd(h, "p3c"),
				    "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf");
	else
		assert_true(cmd(h, "p3c")[0] == 'E');
	assert_int_equal(finish(h), GDB_END_DISCONNECT);
}

static void test_g_without_avx(void **state) { check_g(false); }
static void test_g_with_avx(void **state) { check_g(true); }

static void test_x87_tag_word(void **state)
{
	struct user_fpregs_struct fp;
	uint8_t one[10] = { 0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0x3f };
	struct gdb_regs r;
	uint8_t raw[16];

	memset(&fp, 0, sizeof(fp));
	assert_int_equal(gdb_x87_tag_word(&fp), 0xffff);   /* all empty */
	/* top = 7 after one push: st0 is physical register 7 */
	fp.swd = 7 << 11;
	fp.ftw = 0x80;
	memcpy(&fp.st_space[0], one, 10);
	assert_int_equal(gdb_x87_tag_word(&fp), 0x3fff);   /* r7 valid */
	memset(&fp.st_space[0], 0, 10);
	assert_int_equal(gdb_x87_tag_word(&fp), 0x7fff);   /* r7 zero */
	fp.st_space[2] = 0x7fff;                           /* exponent all 1 */
	assert_int_equal(gdb_x87_tag_word(&fp), 0xbfff);   /* special */
	/* fiseg/fioff from the 64-bit FXSAVE instruction pointer */
	memset(&r, 0, sizeof(r));
	r.fp.rip = 0x0000123400401000ull;
	r.fp.fop = 0xf8ff;
	assert_int_equal(gdb_reg_get(&r, GDB_REG_FISEG, raw), 4);
	assert_memory_equal(raw, "\x34\x12\0\0", 4);
	gdb_reg_get(&r, GDB_REG_FISEG + 1, raw);
	assert_memory_equal(raw, "\x00\x10\x40\x00", 4);
	gdb_reg_get(&r, GDB_REG_FOP, raw);
	assert_memory_equal(raw, "\xff\x00\0\0", 4);
}

static void test_registers_refused(void **state)
{
	struct harness *h = start(false);
	char g[2 * GDB_REGS_BYTES + 2] = "G";

	handshake(h);
	assert_string_equal(cmd(h, "P10=0000000000000000"),
			    "E.a replay cannot change registers");
	assert_true(cmd(h, "P10=00")[0] == 'E');
	/* G with unchanged values writes nothing */
	memcpy(g + 1, cmd(h, "g"), 2 * GDB_REGS_BYTES);
	assert_string_equal(cmd(h, g), "OK");
	g[1] = '0';
	assert_string_equal(cmd(h, g), "E.a replay cannot change registers");
	assert_int_equal(finish(h), GDB_END_DISCONNECT);
}

static void test_memory(void **state)
{
	struct harness *h = start(false);
	const char *r;
	size_t len;
	char x[64];

	handshake(h);
	assert_string_equal(cmd(h, "m1000,4"), "00010203");
	assert_string_equal(cmd(h, "mdeacfffe,8"), "feff");   /* partial */
	assert_true(cmd(h, "mdead0000,8")[0] == 'E');
	assert_true(cmd(h, "m1000")[0] == 'E');
	send_pkt(h, "m0,100000");   /* more than a packet: short reply */
	r = recv_pkt(h, &len);
	assert_int_equal(len, GDB_PACKET_SIZE);
	assert_memory_equal(r, "000102", 6);
	assert_string_equal(cmd(h, "M1000,2:abcd"),
			    "E.memory is read-only in a replay");
	assert_true(cmd(h, "M1000,3:abcd")[0] == 'E');
	assert_string_equal(cmd(h, "X1000,0:"), "OK");
	memcpy(x, "X1000,2:#\0", 10);   /* binary: framing escapes '#' */
	send_pkt_len(h, x, 10);
	assert_string_equal(recv_pkt(h, NULL),
			    "E.memory is read-only in a replay");
	assert_int_equal(finish(h), GDB_END_DISCONNECT);
}

static void test_points(void **state)
{
	struct harness *h = start(false);

	handshake(h);
	assert_string_equal(cmd(h, "Z0,401000,1"), "OK");
	assert_int_equal(h->fake.inserts, 1);
	assert_int_equal(h->fake.ptype, GDB_POINT_SW);
	assert_true(h->fake.paddr == 0x401000);
	assert_int_equal(h->fake.pkind, 1);
	assert_string_equal(cmd(h, "z0,401000,1"), "OK");
	assert_int_equal(h->fake.removes, 1);
	assert_string_equal(cmd(h, "Z2,601040,8"), "OK");
	assert_int_equal(h->fake.ptype, GDB_POINT_WRITE);
	assert_int_equal(h->fake.pkind, 8);
	assert_string_equal(cmd(h, "Z3,601040,4"), "");        /* EOPNOTSUPP */
	assert_string_equal(cmd(h, "Z4,601040,4"), "E1c");     /* ENOSPC */
	assert_string_equal(cmd(h, "Z1,401000,1;X2,abcd"), "OK");
	assert_string_equal(cmd(h, "Z9,401000,1"), "");
	assert_true(cmd(h, "Z0,zz,1")[0] == 'E');
	assert_int_equal(finish(h), GDB_END_DISCONNECT);
}

static void test_resume_stops(void **state)
{
	struct harness *h = start(false);
	struct fake *f = &h->fake;

	handshake(h);
	f->next.reason = GDB_REASON_SWBREAK;
	assert_string_equal(cmd(h, "vCont;c"), "T05thread:4d2;swbreak:;");
	assert_int_equal(f->how, GDB_CONTINUE);
	assert_string_equal(cmd(h, "?"), "T05thread:4d2;swbreak:;");
	f->next.reason = GDB_REASON_HWBREAK;
	assert_string_equal(cmd(h, "vCont;s:4d2;c"), "T05thread:4d2;hwbreak:;");
	assert_int_equal(f->how, GDB_STEP);
	assert_int_equal(f->resume_tid, TID);
	f->next.reason = GDB_REASON_WATCH;
	f->next.addr = 0x601040;
	assert_string_equal(cmd(h, "c"), "T05thread:4d2;watch:601040;");
	f->next.reason = GDB_REASON_RWATCH;
	assert_string_equal(cmd(h, "s"), "T05thread:4d2;rwatch:601040;");
	assert_int_equal(f->how, GDB_STEP);
	f->next.reason = GDB_REASON_AWATCH;
	assert_string_equal(cmd(h, "vCont;c:p4d2.-1"),
			    "T05thread:4d2;awatch:601040;");
	f->next.reason = GDB_REASON_HISTORY_END;
	assert_string_equal(cmd(h, "vCont;c"), "T05thread:4d2;replaylog:end;");
	f->next.reason = GDB_REASON_HISTORY_BEGIN;
	assert_string_equal(cmd(h, "bc"), "T05thread:4d2;replaylog:begin;");
	assert_int_equal(f->how, GDB_REVERSE_CONTINUE);
	f->next.reason = GDB_REASON_NONE;
	assert_string_equal(cmd(h, "bs"), "T05thread:4d2;");
	assert_int_equal(f->how, GDB_REVERSE_STEP);
	assert_true(cmd(h, "vCont;x")[0] == 'E');
	assert_int_equal(f->resumes, 8);
	assert_int_equal(finish(h), GDB_END_DISCONNECT);
}

static void test_signal_mapping(void **state)
{
	struct harness *h = start(false);
	struct fake *f = &h->fake;

	handshake(h);
	assert_string_equal(cmd(h, "vCont;C1e:4d2"), "T05thread:4d2;");
	assert_int_equal(f->resume_sig, SIGUSR1);       /* gdb 30 */
	assert_string_equal(cmd(h, "C0a"), "T05thread:4d2;");
	assert_int_equal(f->resume_sig, SIGBUS);        /* gdb 10 */
	assert_string_equal(cmd(h, "S14"), "T05thread:4d2;");
	assert_int_equal(f->resume_sig, SIGCHLD);       /* gdb 20 */
	assert_int_equal(f->how, GDB_STEP);
	f->next.sig = SIGCHLD;
	assert_string_equal(cmd(h, "c"), "T14thread:4d2;");
	f->next.sig = SIGSEGV;
	assert_string_equal(cmd(h, "c"), "T0bthread:4d2;");
	f->next.kind = GDB_STOP_KILLED;
	f->next.sig = SIGUSR1;
	assert_string_equal(cmd(h, "c"), "X1e");
	f->next.kind = GDB_STOP_EXITED;
	f->next.code = 3;
	assert_string_equal(cmd(h, "c"), "W03");
	assert_int_equal(finish(h), GDB_END_DISCONNECT);
}

static void test_interrupt(void **state)
{
	struct harness *h = start(false);

	handshake(h);
	h->fake.wait_interrupt = true;
	send_pkt(h, "vCont;c");
	usleep(20000);
	send_raw(h, "\x03", 1);
	assert_string_equal(recv_pkt(h, NULL), "T02thread:4d2;");
	h->fake.wait_interrupt = false;
	assert_string_equal(cmd(h, "qAttached"), "1");   /* still in sync */
	assert_int_equal(finish(h), GDB_END_DISCONNECT);
}

static void test_monitor(void **state)
{
	struct harness *h = start(false);
	char req[64] = "qRcmd,";

	handshake(h);
	gdb_hex_encode(req + 6, "when", 4);
	send_pkt(h, req);
	assert_string_equal(recv_pkt(h, NULL), "O6576656e742034320a");
	assert_string_equal(recv_pkt(h, NULL), "O7469636b20370a");
	assert_string_equal(recv_pkt(h, NULL), "OK");
	assert_string_equal(h->fake.monitor_cmd, "when");
	gdb_hex_encode(req + 6, "bogus", 5);
	assert_string_equal(cmd(h, req), "");
	assert_true(cmd(h, "qRcmd,zz")[0] == 'E');
	assert_int_equal(finish(h), GDB_END_DISCONNECT);
}

/* Read a qXfer object in chunks of CHUNK bytes. */
static size_t xfer_read(struct harness *h, const char *what, char *out,
			size_t cap, unsigned chunk)
{
	size_t total = 0;

	for (;;) {
		char req[128];
		size_t len;
		const char *r;

		snprintf(req, sizeof(req), "qXfer:%s:%zx,%x", what, total, chunk);
		send_pkt(h, req);
		r = recv_pkt(h, &len);
		assert_true(r[0] == 'm' || r[0] == 'l');
		assert_true(len - 1 <= chunk && total + len - 1 <= cap);
		memcpy(out + total, r + 1, len - 1);
		total += len - 1;
		if (r[0] == 'l')
			return total;
	}
}

static void test_xfer(void **state)
{
	struct harness *h = start(true);
	char *got = malloc(0x8000), *want = malloc(0x8000);
	long wlen = gdb_tdesc_xml(true, want, 0x8000);
	size_t n;

	handshake(h);
	n = xfer_read(h, "features:read:target.xml", got, 0x8000, 0x3ff);
	assert_int_equal(n, wlen);
	assert_memory_equal(got, want, n);
	assert_non_null(strstr(want, "org.gnu.gdb.i386.avx"));
	assert_non_null(strstr(want, "name=\"orig_rax\" bitsize=\"64\" type=\"int\" regnum=\"57\""));
	assert_non_null(strstr(want, "name=\"gs_base\" bitsize=\"64\" type=\"int\" regnum=\"59\""));
	assert_non_null(strstr(want, "name=\"ymm15h\" bitsize=\"128\" type=\"uint128\" regnum=\"75\""));
	assert_true(cmd(h, "qXfer:features:read:other.xml:0,100")[0] == 'E');
	n = xfer_read(h, "auxv:read:", got, 0x8000, 0x7ff);
	assert_int_equal(n, 32);
	assert_int_equal(got[0], 6);
	n = xfer_read(h, "exec-file:read:4d2", got, 0x8000, 0x7ff);
	assert_memory_equal(got, "/bin/true", n);
	n = xfer_read(h, "threads:read:", got, 0x8000, 7);
	got[n] = '\0';
	assert_non_null(strstr(got, "<thread id=\"4d2\"/>"));
	assert_string_equal(cmd(h, "qXfer:auxv:read::1000,10"), "l");
	assert_string_equal(cmd(h, "qXfer:features:write:target.xml:0:ab"), "");
	assert_int_equal(finish(h), GDB_END_DISCONNECT);
	free(got);
	free(want);
	assert_int_equal(gdb_tdesc_xml(true, want = malloc(64), 64), -ENOSPC);
	free(want);
}

static void test_detach(void **state)
{
	struct harness *h = start(false);

	handshake(h);
	assert_string_equal(cmd(h, "D;4d2"), "OK");
	assert_int_equal(finish(h), GDB_END_DETACH);
}

static void test_kill(void **state)
{
	struct harness *h = start(false);

	handshake(h);
	send_pkt(h, "k");      /* no reply: the session ends */
	pthread_join(h->thread, NULL);
	h->thread = pthread_self();
	assert_int_equal(h->rc, GDB_END_KILL);
	assert_int_equal(h->fake.kills, 1);
	assert_true(h->res.killed);
	close(h->fd[0]);
	close(h->fd[1]);
	free(h->reply);
	free(h);
}

static void test_vkill_vrun(void **state)
{
	struct harness *h = start(false);

	handshake(h);
	assert_string_equal(cmd(h, "!"), "OK");
	assert_string_equal(cmd(h, "vKill;4d2"), "OK");
	assert_int_equal(h->fake.kills, 1);
	assert_true(cmd(h, "c")[0] == 'E');
	assert_string_equal(cmd(h, "vRun;"), "T05thread:4d2;");
	assert_int_equal(h->fake.restarts, 1);
	assert_string_equal(cmd(h, "vKill;4d2"), "OK");
	assert_int_equal(h->fake.kills, 2);
	assert_int_equal(finish(h), GDB_END_KILL);   /* gdb left after vKill */
}

static void test_disconnect_mid_packet(void **state)
{
	struct harness *h = start(false);

	handshake(h);
	send_raw(h, "$qSupp", 6);
	assert_int_equal(finish(h), GDB_END_DISCONNECT);
}

static void test_disconnect_while_running(void **state)
{
	struct harness *h = start(false);

	handshake(h);
	h->fake.wait_interrupt = true;
	send_pkt(h, "c");
	usleep(10000);
	close(h->fd[0]);
	h->fd[0] = -1;
	assert_int_equal(finish(h), GDB_END_DISCONNECT);
}

static void test_protocol_garbage(void **state)
{
	struct harness *h = start(false);
	char junk[32];

	handshake(h);
	for (int i = 0; i < 100; i++) {
		snprintf(junk, sizeof(junk), "$x%d#zz", i);
		send_raw(h, junk, strlen(junk));
	}
	pthread_join(h->thread, NULL);
	h->thread = pthread_self();
	assert_int_equal(h->rc, GDB_END_PROTOCOL);
	close(h->fd[0]);
	close(h->fd[1]);
	free(h->reply);
	free(h);
}

static void test_bad_arguments(void **state)
{
	struct gdb_target_ops none = { 0 };
	int port = 0, fd;

	assert_int_equal(gdb_serve(-1, &fake_ops, NULL, NULL), -EINVAL);
	assert_int_equal(gdb_serve(0, &none, NULL, NULL), -EINVAL);
	assert_int_equal(gdb_listen("not an address", 0, &port), -EINVAL);
	assert_int_equal(gdb_listen(NULL, 70000, &port), -EINVAL);
	fd = gdb_listen(NULL, 0, &port);
	assert_true(fd >= 0);
	assert_true(port > 0);
	close(fd);
}

/* ---- real gdb over TCP ---- */

struct tcp_server {
	int lfd;
	struct fake fake;
	struct gdb_serve_result res;
	int rc;
};

static void *tcp_thread(void *arg)
{
	struct tcp_server *t = arg;
	int fd = gdb_accept(t->lfd);
	struct gdb_target_ops ops = fake_ops;

	/* no executable or auxv: gdb must work from target.xml alone */
	ops.exec_file = NULL;
	ops.auxv = NULL;
	t->rc = fd < 0 ? fd : gdb_serve(fd, &ops, &t->fake, &t->res);
	if (fd >= 0)
		close(fd);
	return NULL;
}

static bool have_gdb(void)
{
	return system("gdb --version >/dev/null 2>&1") == 0;
}

static void run_real_gdb(bool avx)
{
	struct tcp_server t;
	pthread_t th;
	char command[1024], line[512], out[16384] = "";
	size_t used = 0;
	int port;
	FILE *p;

	fake_init(&t.fake, avx);
	t.fake.next.reason = GDB_REASON_HISTORY_BEGIN;
	t.lfd = gdb_listen("127.0.0.1", 0, &port);
	assert_true(t.lfd >= 0);
	assert_int_equal(pthread_create(&th, NULL, tcp_thread, &t), 0);
	snprintf(command, sizeof(command),
		 "timeout 60 gdb -batch -nx -ex 'set auto-load off' "
		 "-ex 'target extended-remote 127.0.0.1:%d' "
		 "-ex 'info registers rip' -ex 'p $orig_rax' -ex 'p $fs_base' "
		 "-ex 'p/x $eflags' -ex 'p $ftag' -ex 'p $ymm0.v8_int32[4]' "
		 "-ex 'x/2xb 0x1000' -ex 'monitor when' -ex 'set var $rax = 1' "
		 "-ex 'break *0x401000' -ex 'reverse-continue' "
		 "-ex 'detach' 2>&1", port);
	p = popen(command, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p) && used + strlen(line) < sizeof(out)) {
		strcpy(out + used, line);
		used += strlen(line);
	}
	pclose(p);
	pthread_join(th, NULL);
	close(t.lfd);
	if (!strstr(out, "rip            0x401000") || !strstr(out, "detached"))
		print_message("%s", out);   /* the transcript, to see why */
	assert_non_null(strstr(out, "rip            0x401000"));
	assert_non_null(strstr(out, "$1 = 60"));
	assert_non_null(strstr(out, "$2 = 139637976731648"));   /* fs_base */
	assert_non_null(strstr(out, "$4 = 65535"));             /* ftag */
	assert_non_null(strstr(out, "0x1000:\t0x00\t0x01"));
	assert_null(strstr(out, "too long"));
	assert_non_null(strstr(out, "event 42\ntick 7\n"));
	assert_non_null(strstr(out, "a replay cannot change registers"));
	assert_non_null(strstr(out, "No more reverse-execution history."));
	assert_int_equal(t.fake.how, GDB_REVERSE_CONTINUE);
	assert_null(strstr(out, "Truncated"));
	if (avx)
		assert_non_null(strstr(out, "$5 = -1549622880"));  /* 0xa3a2a1a0 */
	else
		assert_non_null(strstr(out, "not a structure"));
	assert_int_equal(t.rc, GDB_END_DETACH);
	assert_true(t.res.packets > 5);
}

static void test_real_gdb(void **state)
{
	if (!have_gdb())
		skip();
	run_real_gdb(false);
	run_real_gdb(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_supported_reply),
		cmocka_unit_test(test_ack_then_noack),
		cmocka_unit_test(test_nak_and_bad_checksum),
		cmocka_unit_test(test_simple_queries),
		cmocka_unit_test(test_g_without_avx),
		cmocka_unit_test(test_g_with_avx),
		cmocka_unit_test(test_x87_tag_word),
		cmocka_unit_test(test_registers_refused),
		cmocka_unit_test(test_memory),
		cmocka_unit_test(test_points),
		cmocka_unit_test(test_resume_stops),
		cmocka_unit_test(test_signal_mapping),
		cmocka_unit_test(test_interrupt),
		cmocka_unit_test(test_monitor),
		cmocka_unit_test(test_xfer),
		cmocka_unit_test(test_detach),
		cmocka_unit_test(test_kill),
		cmocka_unit_test(test_vkill_vrun),
		cmocka_unit_test(test_disconnect_mid_packet),
		cmocka_unit_test(test_disconnect_while_running),
		cmocka_unit_test(test_protocol_garbage),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_real_gdb),
	};

	signal(SIGPIPE, SIG_IGN);   /* the client side may write to a closed peer */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
