/* tests/integration/test_gdb.c — drives real gdb (batch mode) against
 * deja's gdb stub on recordings of tests/guests/debugme and bug:
 * breakpoints, inspection, step/next/finish/until, watchpoints (also on
 * a buffer filled by read()), every reverse command, the monitor
 * commands, exactness of stepi/continue against their reverse forms,
 * refused writes and gdb vanishing mid-session.
 *
 * Usage: test_gdb --deja PATH --guests DIR --src DIR [--filter GLOB]
 * Lines of debugme.c are named by "@marker" comments in it; in a script
 * or an expected string, "@marker" becomes that line number.
 * $DEJA_TEST_TIMEOUT (s, default 300) bounds every run; $DEJA_KEEP=1
 * keeps the temp files. Owns nothing of deja: only runs its executable. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/integration/itest_files.h"

static char deja_bin[PATH_MAX], guest_dir[PATH_MAX], src_dir[PATH_MAX];
static char tmp_root[PATH_MAX];
static char dm_trace[PATH_MAX + 32], bug_trace[PATH_MAX + 32];
static char procs_trace[PATH_MAX + 32];
static int timeout_s = 300;
static bool keep_tmp;

/* "@name" markers of debugme.c and their line numbers. */
#define MAX_MARKS 64
static struct { char name[32]; int line; } marks[MAX_MARKS];
static int nmarks;

/* ---- helpers ---- */

static void load_marks(void)
{
	char path[PATH_MAX + 16], *src, *p;
	int line = 1;

	snprintf(path, sizeof(path), "%s/debugme.c", src_dir);
	src = itest_read_all(path, NULL);
	if (!src) {
		fprintf(stderr, "test_gdb: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	for (p = src; *p; p++) {
		if (*p == '\n')
			line++;
		if (*p == '@' && p[1] != '\0' && isalpha((unsigned char)p[1]) &&
		    nmarks < MAX_MARKS) {
			int n = 0;

			while (n < 31 && (isalnum((unsigned char)p[1 + n]) || p[1 + n] == '_'))
				n++;
			/* Only a marker that ends a comment counts, not prose. */
			if (strncmp(p + 1 + n, " */", 3) != 0)
				continue;
			memcpy(marks[nmarks].name, p + 1, n);
			marks[nmarks].name[n] = 0;
			marks[nmarks++].line = line;
		}
	}
	free(src);
}

/* S with every "@name" replaced by its line number (malloc'd). */
static char *expand(const char *s)
{
	size_t cap = strlen(s) * 2 + 64, n = 0;
	char *out = malloc(cap);

	assert_non_null(out);
	while (*s) {
		int m = -1;

		if (*s == '@') {
			for (int i = 0; i < nmarks; i++) {
				size_t l = strlen(marks[i].name);

				if (!strncmp(s + 1, marks[i].name, l) &&
				    !isalnum((unsigned char)s[1 + l]) && s[1 + l] != '_')
					m = i;
			}
		}
		if (n + 16 > cap)
			out = realloc(out, cap *= 2);
		if (m >= 0) {
			n += sprintf(out + n, "%d", marks[m].line);
			s += 1 + strlen(marks[m].name);
		} else {
			out[n++] = *s++;
		}
	}
	out[n] = 0;
	return out;
}

/* Run ARGV with stdout+stderr into OUT; kill it after timeout_s. Returns
 * the exit status, 128+N for signal N, or -1 on timeout. */
static int run_to(const char *out, const char *const *argv)
{
	int ws, waited_ms = 0;
	struct timespec tick = { 0, 5 * 1000 * 1000 };
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int in = open("/dev/null", O_RDONLY);

		setpgid(0, 0);
		if (fd < 0 || in < 0 || dup2(in, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(126);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	while (waitpid(pid, &ws, WNOHANG) == 0) {
		if (waited_ms >= timeout_s * 1000) {
			kill(-pid, SIGKILL);
			waitpid(pid, &ws, 0);
			return -1;
		}
		nanosleep(&tick, NULL);
		waited_ms += 5;
	}
	return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

static void show(const char *what, const char *text)
{
	size_t len = strlen(text);

	printf("  --- %s (%zu bytes)%s ---\n%s%s  ---\n", what, len,
	       len > 6000 ? ", last 6000" : "", len > 6000 ? text + len - 6000 : text,
	       len && text[len - 1] != '\n' ? "\n" : "");
}

/* Run gdb on TRACE with SCRIPT (".gdb" or ".py"), "@name"s expanded;
 * return its combined output (malloc'd). */
static char *gdb_run(const char *trace, const char *script, const char *ext)
{
	static int seq;
	char spath[PATH_MAX + 64], opath[PATH_MAX + 64], *body = expand(script), *out;
	int rc;

	seq++;
	snprintf(spath, sizeof(spath), "%s/s%d%s", tmp_root, seq, ext);
	snprintf(opath, sizeof(opath), "%s/s%d.out", tmp_root, seq);
	itest_write_all(spath, body, strlen(body), 0644);
	free(body);
	rc = run_to(opath, (const char *const[]){ deja_bin, "replay", "-q", "-g", trace,
						  "--", "-batch", "-nx", "-x", spath, NULL });
	out = itest_read_all(opath, NULL);
	assert_non_null(out);
	if (rc != 0) {
		show("gdb output", out);
		fail_msg("deja replay -g exited with %d (-1: timed out after %d s)", rc,
			 timeout_s);
	}
	return out;
}

/* Fail (showing OUT) unless it contains NEEDLE ("@name"s expanded). */
static void expect_in(const char *out, const char *needle)
{
	char *n = expand(needle);

	if (!strstr(out, n)) {
		show("gdb output", out);
		fail_msg("gdb output lacks \"%s\"", n);
	}
	free(n);
}

static void expect_not_in(const char *out, const char *needle)
{
	if (strstr(out, needle)) {
		show("gdb output", out);
		fail_msg("gdb output has \"%s\"", needle);
	}
}

/* Value printed after the first occurrence of KEY (e.g. "A total="). */
static long long value_after(const char *out, const char *key)
{
	const char *p = strstr(out, key);

	if (!p) {
		show("gdb output", out);
		fail_msg("gdb output lacks \"%s\"", key);
	}
	return strtoll(p + strlen(key), NULL, 0);
}

/* ---- tests: forward debugging ---- */

static void test_break_inspect(void **state)
{
	char *out = gdb_run(dm_trace,
			    "break leaf\n"
			    "continue\n"
			    "bt\n"
			    "print a\n"
			    "print b\n"
			    "print ticks\n"
			    "print total\n"
			    "info registers rip\n"
			    "x/4xb &global_array\n"
			    "python print('BP-ADDR %#x' % gdb.breakpoints()[0].locations[0].address"
			    " if hasattr(gdb.breakpoints()[0], 'locations') else"
			    " 'BP-ADDR %#x' % int(gdb.parse_and_eval('$pc')))\n", ".gdb");
	char key[64];
	long long bp;

	expect_in(out, "Breakpoint 1, leaf (a=180, b=3) at tests/guests/debugme.c:@leaf_prod");
	expect_in(out, "#0  leaf (a=180, b=3) at tests/guests/debugme.c:@leaf_prod");
	expect_in(out, " in middle (n=170) at tests/guests/debugme.c:@middle_call");
	expect_in(out, " in outer (seed=85) at tests/guests/debugme.c:@outer_call");
	expect_in(out, " in main (argc=2, argv=");
	expect_in(out, "$1 = 180\n$2 = 3\n$3 = 1500\n$4 = 0\n");
	bp = value_after(out, "Breakpoint 1 at ");
	snprintf(key, sizeof(key), "rip            %#llx", bp);
	expect_in(out, key);
	expect_in(out, "<global_array>:\t0xde\t0xad\t0xbe\t0xef");
	free(out);
}

static void test_step_next_finish_until(void **state)
{
	char *out = gdb_run(dm_trace,
			    "break leaf\n"
			    "continue\n"
			    "python gdb.execute('finish', True)\n"
			    "next\n"
			    "next\n"
			    "step\n"
			    "step\n"
			    "step\n"
			    "step\n"
			    "delete\n"
			    "until @middle_ret\n"
			    "print r\n"
			    "finish\n"
			    "advance @outer_ret\n"
			    "print got\n"
			    "finish\n"
			    "advance @main_read\n"
			    "print total\n", ".gdb");

	expect_in(out, "Run till exit from #0  leaf (a=180, b=3)");
	expect_in(out, "Value returned is $1 = 547");
	expect_in(out, "\n@middle_after\t");
	expect_in(out, "\n@middle_ret\t");
	/* step at middle's end goes back to outer, then into middle again */
	expect_in(out, "middle (n=171) at tests/guests/debugme.c:@middle_local");
	expect_in(out, "$2 = 551");
	expect_in(out, "outer (seed=85) at tests/guests/debugme.c:@outer_ret");
	expect_in(out, "$4 = 1653");
	expect_in(out, "main (argc=2, argv=");
	expect_in(out, "\n@main_read\t");
	expect_in(out, "$6 = 1823");
	free(out);
}

static void test_watch_ticks(void **state)
{
	char *out = gdb_run(dm_trace, "watch ticks\ncontinue\ncontinue\nbt 1\n", ".gdb");

	expect_in(out, "Hardware watchpoint 1: ticks");
	expect_in(out, "Old value = 0\nNew value = 1\n");
	expect_in(out, "Old value = 1\nNew value = 2\n");
	expect_in(out, "tick (x=1) at tests/guests/debugme.c:");
	free(out);
}

static void test_watch_read_buffer(void **state)
{
	char *out = gdb_run(dm_trace,
			    "watch inbuf[0]\n"
			    "continue\n"
			    "print inbuf\n"
			    "x/i $pc-2\n"
			    "print ticks\n"
			    "break @main_write2\n"
			    "continue\n"
			    "reverse-continue\n"
			    "x/i $pc\n"
			    "print inbuf[0]\n"
			    "print ticks\n", ".gdb");

	expect_in(out, "Old value = 0 '\\000'\nNew value = 104 'h'\n");
	expect_in(out, "in read ()");
	expect_in(out, "= \"hello from debugme\\n\", '\\000' <repeats 44 times>");
	expect_in(out, ":\tsyscall");
	expect_in(out, "Breakpoint 2, main (argc=2");
	expect_in(out, "Old value = 104 'h'\nNew value = 0 '\\000'\n");
	expect_in(out, "$3 = 0 '\\000'\n$4 = 1500\n");
	free(out);
}

/* rwatch: stops after each instruction that reads the variable (the
 * increment's load in tick(), the snprintf arguments in main), never for
 * the stores (total is only written before main_fmt_call). */
static void test_rwatch(void **state)
{
	char *out = gdb_run(dm_trace,
			    "rwatch ticks\n"
			    "continue\n"
			    "continue\n"
			    "print x\n"
			    "delete\n"
			    "rwatch total\n"
			    "continue\n"
			    "continue\n", ".gdb");

	expect_in(out, "Hardware read watchpoint 1: ticks\n\nValue = 0\n");
	expect_in(out, "Hardware read watchpoint 1: ticks\n\nValue = 1\n");
	expect_in(out, "in tick (x=1) at tests/guests/debugme.c:@tick_body\n");
	expect_in(out, "$1 = 1\n");
	expect_in(out, "Hardware read watchpoint 2: total\n\nValue = 1823\n");
	expect_in(out, "in main (argc=2, argv=");
	expect_in(out, "at tests/guests/debugme.c:@main_fmt_call\n");
	expect_not_in(out, "Old value");
	/* nothing reads total after the snprintf: on to the end */
	expect_in(out, "No more reverse-execution history.");
	free(out);
}

/* awatch: both the read and the write of ticks++ stop; the kernel's
 * write of read() into inbuf does too. */
static void test_awatch(void **state)
{
	char *out = gdb_run(dm_trace,
			    "awatch ticks\n"
			    "continue\n"
			    "echo READ-0\\n\n"
			    "continue\n"
			    "echo WRITE-1\\n\n"
			    "continue\n"
			    "echo READ-1\\n\n"
			    "reverse-continue\n"
			    "echo BACK-WRITE-1\\n\n"
			    "print ticks\n"
			    "delete\n"
			    "awatch inbuf[0]\n"
			    "continue\n"
			    "print inbuf\n", ".gdb");

	expect_in(out, "Hardware access (read/write) watchpoint 1: ticks\n\n"
		       "Value = 0\n0x");
	expect_in(out, "in tick (x=0) at tests/guests/debugme.c:@tick_body\n"
		       "@tick_body\t");
	expect_in(out, "READ-0\n\nHardware access (read/write) watchpoint 1: ticks\n\n"
		       "Old value = 0\nNew value = 1\n"
		       "tick (x=0) at tests/guests/debugme.c:@tick_ret\n");
	expect_in(out, "WRITE-1\n\nHardware access (read/write) watchpoint 1: ticks\n\n"
		       "Value = 1\n");
	expect_in(out, "in tick (x=1) at tests/guests/debugme.c:@tick_body\n");
	/* backwards from the read in tick(1): just after the store in tick(0) */
	expect_in(out, "READ-1\n\nHardware access (read/write) watchpoint 1: ticks\n\n"
		       "Value = 1\ntick (x=0) at tests/guests/debugme.c:@tick_ret\n");
	expect_in(out, "BACK-WRITE-1\n$1 = 1\n");
	expect_in(out, "Hardware access (read/write) watchpoint 2: inbuf[0]\n\n"
		       "Old value = 0 '\\000'\nNew value = 104 'h'\n");
	expect_in(out, "in read ()");
	expect_in(out, "= \"hello from debugme\\n\", '\\000' <repeats 44 times>");
	free(out);
}

/* Implicit stack operands: ret reads the return address slot (the stop
 * is back in the caller), call writes the slot below rsp (the stop is at
 * the callee's first instruction). */
static void test_watch_stack_slots(void **state)
{
	char *out = gdb_run(dm_trace,
			    "break middle\n"
			    "continue\n"
			    "delete\n"
			    "eval \"rwatch *(long *)%lu\", $rbp + 8\n"
			    "continue\n"
			    "echo RET-READ\\n\n"
			    "x/i $pc - 5\n"
			    "delete\n"
			    "break @middle_call\n"
			    "continue\n"
			    "delete\n"
			    "eval \"awatch *(long *)%lu\", $rsp - 8\n"
			    "continue\n"
			    "echo CALL-WRITE\\n\n"
			    "print $pc == (long)&leaf\n", ".gdb");

	expect_in(out, "Breakpoint 1, middle (n=170)");
	expect_in(out, "in outer (seed=85) at tests/guests/debugme.c:@outer_call\n");
	expect_in(out, "RET-READ\n");
	expect_in(out, ":\tcall   0x");
	expect_in(out, " <middle>\nBreakpoint 3 at ");
	expect_in(out, "Breakpoint 3, middle (n=171)");
	expect_in(out, "Hardware access (read/write) watchpoint 4: ");
	/* at leaf's first instruction: its frame is not set up, so gdb's
	 * view of the arguments is stale */
	expect_in(out, "\nleaf (a=");
	expect_in(out, "CALL-WRITE\n$1 = 1\n");
	free(out);
}

/* A step reports the watchpoint its instruction triggers, as hardware
 * does: `next` over ticks++ stops after the load, in the same line. */
static void test_rwatch_step(void **state)
{
	char *out = gdb_run(dm_trace,
			    "break tick\n"
			    "continue\n"
			    "rwatch ticks\n"
			    "next\n"
			    "python print('NEXT-1 at %d' % gdb.selected_frame().find_sal().line)\n"
			    "next\n"
			    "echo NEXT-2\\n\n"
			    "print ticks\n", ".gdb");

	expect_in(out, "Breakpoint 1, tick (x=0) at tests/guests/debugme.c:@tick_body\n");
	expect_in(out, "Hardware read watchpoint 2: ticks\n\nValue = 0\n0x");
	expect_in(out, " in tick (x=0) at tests/guests/debugme.c:@tick_body\n");
	expect_in(out, "NEXT-1 at @tick_body\n@tick_ret\t");
	expect_in(out, "NEXT-2\n$1 = 1\n");
	free(out);
}

/* reverse-continue with an rwatch lands on the previous read: in tick()
 * from a later read, and in main's snprintf from its end. */
static void test_rwatch_reverse(void **state)
{
	char *out = gdb_run(dm_trace,
			    "rwatch ticks\n"
			    "continue\n"
			    "continue\n"
			    "continue\n"
			    "print x\n"
			    "reverse-continue\n"
			    "print x\n"
			    "reverse-continue\n"
			    "print x\n"
			    "reverse-continue\n"
			    "echo AT-START\\n\n"
			    "disable\n"
			    "break @main_write2\n"
			    "continue\n"
			    "enable\n"
			    "delete 2\n"
			    "reverse-continue\n"
			    "echo BACK-IN-MAIN\\n\n"
			    "print ticks\n", ".gdb");

	expect_in(out, "Value = 2\n");
	expect_in(out, "$1 = 2\n");
	expect_in(out, "$1 = 2\n\nHardware read watchpoint 1: ticks\n\nValue = 1\n");
	expect_in(out, "$2 = 1\n\nHardware read watchpoint 1: ticks\n\nValue = 0\n");
	expect_in(out, "$3 = 0\n\nNo more reverse-execution history.\n");
	expect_in(out, "AT-START\n");
	expect_in(out, "Breakpoint 2, main (argc=2");
	expect_in(out, "Hardware read watchpoint 1: ticks\n\nValue = 1500\n");
	expect_in(out, "at tests/guests/debugme.c:@main_fmt_call\n");
	expect_in(out, "BACK-IN-MAIN\n$4 = 1500\n");
	free(out);
}

/* ---- tests: reverse debugging ---- */

static void test_reverse_step_next(void **state)
{
	char *out = gdb_run(dm_trace,
			    "break @main_open\n"
			    "continue\n"
			    "break leaf\n"
			    "reverse-continue\n"
			    "print a\n"
			    "delete\n"
			    "next\n"
			    "next\n"
			    "echo R-NEXT\\n\n"
			    "reverse-next\n"
			    "echo R-STEP\\n\n"
			    "reverse-step\n"
			    "print $pc\n"
			    "echo R-STEPI\\n\n"
			    "reverse-stepi\n"
			    "print $pc\n"
			    "bt 1\n"
			    "reverse-stepi\n"
			    "reverse-stepi\n"
			    "reverse-step\n"
			    "echo R-STEP-OUT\\n\n"
			    "reverse-step\n"
			    "reverse-step\n"
			    "bt 1\n", ".gdb");
	long long pc1, pc2;

	expect_in(out, "Breakpoint 2, leaf (a=182, b=3) at tests/guests/debugme.c:@leaf_prod");
	expect_in(out, "$1 = 182\n");
	expect_in(out, "R-NEXT\n@leaf_sum\t");
	expect_in(out, "R-STEP\n@leaf_prod\t");
	/* reverse-stepi from leaf's first line goes into its prologue */
	pc1 = value_after(out, "$2 = (void (*)()) ");
	pc2 = value_after(out, "$3 = (void (*)()) ");
	if (!(pc2 < pc1)) {
		show("gdb output", out);
		fail_msg("reverse-stepi: pc %#llx -> %#llx, expected it to go back", pc1, pc2);
	}
	expect_in(out, "#0  0x");
	expect_in(out, " in leaf (a=182, b=3) at tests/guests/debugme.c:");
	expect_in(out, "middle (n=172) at tests/guests/debugme.c:@middle_call");
	expect_in(out, "R-STEP-OUT\n");
	expect_in(out, "\n@middle_local\t");
	free(out);
}

static void test_reverse_finish(void **state)
{
	/* Without a breakpoint in the way, back to the call in middle; with
	 * one inside leaf, gdb stops there first (as with rr). */
	char *out = gdb_run(dm_trace,
			    "break leaf\n"
			    "continue\n"
			    "continue\n"
			    "disable 1\n"
			    "next\n"
			    "python gdb.execute('reverse-finish', True)\n"
			    "bt 1\n"
			    "print n\n"
			    "print local\n"
			    "enable 1\n"
			    "continue\n"
			    "next\n"
			    "echo WITH-BP\\n\n"
			    "reverse-finish\n", ".gdb");

	expect_in(out, "Run back to call of #0  leaf (a=181, b=3)");
	expect_in(out, "#0  0x");
	expect_in(out, " in middle (n=171) at tests/guests/debugme.c:@middle_call");
	expect_in(out, "$1 = 171\n$2 = 181\n");
	expect_in(out, "WITH-BP\n\nBreakpoint 1, leaf (a=181, b=3) at tests/guests/debugme.c:@leaf_prod\n");
	expect_not_in(out, "Program stopped.");
	free(out);
}

/* reverse-continue from one hit of a breakpoint to the one before. */
static void test_reverse_continue_hits(void **state)
{
	char *out = gdb_run(dm_trace,
			    "break leaf\n"
			    "continue\n"
			    "continue\n"
			    "continue\n"
			    "reverse-continue\n"
			    "print a\n"
			    "reverse-continue\n"
			    "print a\n"
			    "reverse-continue\n"
			    "echo AT-START\\n\n"
			    "bt 1\n", ".gdb");

	expect_in(out, "Breakpoint 1, leaf (a=182, b=3)");
	expect_in(out, "$1 = 181\n");
	expect_in(out, "$2 = 180\n");
	expect_in(out, "AT-START\n");
	expect_in(out, "No more reverse-execution history.");
	free(out);
}

static void test_history_ends(void **state)
{
	char *out = gdb_run(dm_trace,
			    "reverse-continue\n"
			    "echo FWD\\n\n"
			    "continue\n", ".gdb");

	expect_in(out, "No more reverse-execution history.\n0x");
	expect_in(out, " in _start ()\nFWD\n");
	/* forward, the end of the recording is the end of the history */
	expect_in(out, "FWD\n\nNo more reverse-execution history.\n");
	expect_in(out, "in _exit ()");
	free(out);
}

/* Back to the start of tick's loop and forward again: same values. */
static void test_determinism(void **state)
{
	char *out = gdb_run(dm_trace,
			    "break @main_write2\n"
			    "continue\n"
			    "python print('A total=%d acc=%d ticks=%d sp=%#x' % (int(gdb.parse_and_eval('total')), int(gdb.parse_and_eval('acc')), int(gdb.parse_and_eval('ticks')), int(gdb.parse_and_eval('$sp'))))\n"
			    "break tick\n"
			    "reverse-continue\n"
			    "python print('M ticks=%d' % int(gdb.parse_and_eval('ticks')))\n"
			    "delete 2\n"
			    "continue\n"
			    "python print('B total=%d acc=%d ticks=%d sp=%#x' % (int(gdb.parse_and_eval('total')), int(gdb.parse_and_eval('acc')), int(gdb.parse_and_eval('ticks')), int(gdb.parse_and_eval('$sp'))))\n",
			    ".gdb");
	const char *a = strstr(out, "A total="), *b = strstr(out, "B total=");

	expect_in(out, "A total=1823 acc=2250000 ticks=1500 ");
	expect_in(out, "M ticks=1499\n");
	if (!a || !b || strcspn(a + 1, "\n") != strcspn(b + 1, "\n") ||
	    strncmp(a + 1, b + 1, strcspn(a + 1, "\n"))) {
		show("gdb output", out);
		fail_msg("values differ after going back and forward again");
	}
	free(out);
}

static void test_monitor(void **state)
{
	char *out = gdb_run(dm_trace,
			    "break @main_write1\n"
			    "continue\n"
			    "monitor when\n"
			    "monitor seek 10\n"
			    "monitor when\n"
			    "maintenance flush register-cache\n"
			    "print ticks\n"
			    "monitor help\n", ".gdb");
	long long now = value_after(out, "Current event: ");

	if (now <= 10) {
		show("gdb output", out);
		fail_msg("event %lld at main_write1: expected more than 10", now);
	}
	expect_in(out, "Now at event 10");
	expect_in(out, "\nCurrent event: 10 ");
	expect_in(out, "$1 = 0\n");
	expect_in(out, "seek N");
	free(out);
}

static void test_bug_demo(void **state)
{
	char *out = gdb_run(bug_trace,
			    "continue\n"
			    "watch stats.divisor\n"
			    "reverse-continue\n"
			    "print i\n"
			    "print v\n", ".gdb");

	expect_in(out, "Program received signal SIGFPE");
	expect_in(out, "in average () at tests/guests/bug.c:");
	expect_in(out, "Old value = 0\nNew value = 8\n");
	expect_in(out, "load_samples (path=");
	expect_in(out, "stats.samples[i] = v;");
	expect_in(out, "$1 = 8\n$2 = 0\n");
	free(out);
}

/* ---- tests: exactness ---- */

static const char py_regs[] =
	"import gdb\n"
	"REGS = ['rax','rbx','rcx','rdx','rsi','rdi','rbp','rsp','r8','r9','r10',\n"
	"        'r11','r12','r13','r14','r15','rip','eflags']\n"
	"def state():\n"
	"    f = gdb.selected_frame()\n"
	"    return tuple(int(f.read_register(r)) for r in REGS) + \\\n"
	"        (int(gdb.parse_and_eval('ticks')),)\n"
	"def compare(fwd, back):\n"
	"    back = list(reversed(back))\n"
	"    bad = [i for i in range(len(fwd)) if i >= len(back) or fwd[i] != back[i]]\n"
	"    for i in bad[:3]:\n"
	"        d = [(j, hex(fwd[i][j]), hex(back[i][j]) if i < len(back) else None)\n"
	"             for j in range(len(fwd[i])) if i >= len(back) or fwd[i][j] != back[i][j]]\n"
	"        print('DIFF at', i, 'of', len(fwd), d)\n"
	"    if len(fwd) < 1000 or bad:\n"
	"        print('MISMATCH: %d of %d states differ' % (len(bad), len(fwd)))\n"
	"    else:\n"
	"        print('EXACT %d' % len(fwd))\n"
	"    return fwd == back\n";

static void exact_stepi(const char *where)
{
	char *script, *out;

	assert_true(asprintf(&script, "%s"
			     "gdb.execute('break %s')\n"
			     "gdb.execute('continue', to_string=True)\n"
			     "gdb.execute('delete')\n"
			     "fwd = [state()]\n"
			     "for i in range(1000):\n"
			     "    gdb.execute('stepi', to_string=True)\n"
			     "    fwd.append(state())\n"
			     "back = [state()]\n"
			     "for i in range(1000):\n"
			     "    gdb.execute('reverse-stepi', to_string=True)\n"
			     "    back.append(state())\n"
			     "compare(fwd, back)\n", py_regs, where) > 0);
	out = gdb_run(dm_trace, script, ".py");
	expect_in(out, "EXACT 1001\n");
	expect_not_in(out, "MISMATCH");
	free(script);
	free(out);
}

static void test_exact_stepi_loop(void **state)
{
	exact_stepi("tick");
}

/* 1000 instructions from outer() cross the openat syscall. */
static void test_exact_stepi_syscall(void **state)
{
	exact_stepi("outer");
}

/* PY_REGS, then BODY (malloc'd). */
static char *with_regs(const char *body)
{
	char *s;

	assert_true(asprintf(&s, "%s%s", py_regs, body) > 0);
	return s;
}

static void test_exact_continue(void **state)
{
	char *script = with_regs(
			    "import gdb\n"
			    "K = 1000\n"
			    "gdb.execute('break tick')\n"
			    "fwd = []\n"
			    "for i in range(K):\n"
			    "    gdb.execute('continue', to_string=True)\n"
			    "    fwd.append(state())\n"
			    "back = [fwd[-1]]\n"
			    "for i in range(K - 1):\n"
			    "    gdb.execute('reverse-continue', to_string=True)\n"
			    "    back.append(state())\n"
			    "t = [s[-1] for s in back]\n"
			    "print('DECREASING' if all(t[i] > t[i + 1] for i in range(len(t) - 1))"
			    " else 'NOT DECREASING %s' % t[:8])\n"
			    "compare(fwd, back)\n");
	char *out = gdb_run(dm_trace, script, ".py");

	free(script);
	expect_in(out, "EXACT 1000\n");
	expect_in(out, "DECREASING\n");
	free(out);
}

/* ---- tests: refusals and failures ---- */

static void test_writes_refused(void **state)
{
	char *out = gdb_run(dm_trace,
			    "break @main_write1\n"
			    "continue\n"
			    "print ticks\n"
			    "python\n"
			    "for cmd in ['set var ticks = 5', 'set var inbuf[0] = 65', 'set $rax = 1']:\n"
			    "    try:\n"
			    "        gdb.execute(cmd)\n"
			    "        print('NOT REFUSED: ' + cmd)\n"
			    "    except gdb.error as e:\n"
			    "        print('REFUSED: %s -> %s' % (cmd, e))\n"
			    "end\n"
			    "print ticks\n"
			    "print inbuf[0]\n"
			    "maintenance flush register-cache\n"
			    "print total\n"
			    "continue\n", ".gdb");

	expect_in(out, "$1 = 1500\n");
	expect_in(out, "REFUSED: set var ticks = 5 -> ");
	expect_in(out, "REFUSED: set var inbuf[0] = 65 -> ");
	expect_in(out, "REFUSED: set $rax = 1 -> ");
	expect_in(out, "read-only");
	expect_not_in(out, "NOT REFUSED");
	expect_in(out, "$2 = 1500\n$3 = 104 'h'\n$4 = 1823\n");
	expect_in(out, "No more reverse-execution history.");
	expect_in(out, "in _exit ()");
	free(out);
}

/* A recording of several processes: the debugger says it follows one
 * process only, instead of showing another process's state. */
static void test_several_processes_refused(void **state)
{
	char spath[PATH_MAX + 64], opath[PATH_MAX + 64], *out;
	static const char script[] = "break main\ncontinue\ncontinue\n";

	snprintf(spath, sizeof(spath), "%s/procs.gdb", tmp_root);
	snprintf(opath, sizeof(opath), "%s/procs.out", tmp_root);
	itest_write_all(spath, script, sizeof(script) - 1, 0644);
	run_to(opath, (const char *const[]){ deja_bin, "replay", "-q", "-g", procs_trace,
					     "--", "-batch", "-nx", "-x", spath, NULL });
	out = itest_read_all(opath, NULL);
	assert_non_null(out);
	expect_in(out, "the debugger follows single-process recordings only so far");
	expect_not_in(out, "No more reverse-execution history");
	free(out);
}

static void test_gdb_disconnects(void **state)
{
	char err[PATH_MAX + 16], *text = NULL, *p, *last;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	int ws = 0, port = 0, s, waited = 0, lines = 0;
	char buf[4096];
	pid_t pid;

	snprintf(err, sizeof(err), "%s/disc.err", tmp_root);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		setpgid(0, 0);
		if (fd < 0 || dup2(fd, 2) < 0 || dup2(fd, 1) < 0)
			_exit(126);
		execl(deja_bin, deja_bin, "replay", "-s", "0", dm_trace, (char *)NULL);
		_exit(127);
	}
	for (; waited < 3000 && !port; waited++) {
		free(text);
		text = itest_read_all(err, NULL);
		p = text ? strstr(text, "listening on 127.0.0.1:") : NULL;
		if (p)
			port = atoi(p + strlen("listening on 127.0.0.1:"));
		else
			nanosleep(&tick, NULL);
	}
	if (!port) {
		kill(-pid, SIGKILL);
		waitpid(pid, &ws, 0);
		show("deja stderr", text ? text : "");
		fail_msg("deja replay -s 0 printed no port");
	}
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s >= 0);
	assert_int_equal(connect(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_true(write(s, "$qSupported#37", 14) == 14);
	assert_true(read(s, buf, sizeof(buf) - 1) > 0); /* "+" and maybe the reply */
	assert_true(write(s, "+$?#3f", 6) == 6);
	nanosleep(&tick, NULL);
	close(s);
	for (waited = 0; waitpid(pid, &ws, WNOHANG) == 0; waited++) {
		if (waited > 3000) {
			kill(-pid, SIGKILL);
			waitpid(pid, &ws, 0);
			fail_msg("deja still runs 30 s after gdb went away");
		}
		nanosleep(&tick, NULL);
	}
	free(text);
	text = itest_read_all(err, NULL);
	assert_non_null(text);
	if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 7) {
		show("deja stderr", text);
		fail_msg("deja: %s %d, expected exit 7", WIFEXITED(ws) ? "exit" : "signal",
			 WIFEXITED(ws) ? WEXITSTATUS(ws) : WTERMSIG(ws));
	}
	/* One line after the "connect with" hint (two lines). */
	p = strstr(text, "target extended-remote");
	p = p ? strchr(p, '\n') : NULL;
	last = p ? p + 1 : text;
	for (p = last; *p; p++)
		lines += *p == '\n';
	if (lines != 1 || strncmp(last, "deja: ", 6) != 0) {
		show("deja stderr", text);
		fail_msg("expected one 'deja: ...' error line after the hint");
	}
	free(text);
}

/* ---- main ---- */

static void record(const char *trace, const char *guest, const char *input)
{
	char prog[PATH_MAX + 32], out[PATH_MAX + 32];
	int rc;

	snprintf(prog, sizeof(prog), "%s/%s", guest_dir, guest);
	snprintf(out, sizeof(out), "%s.rec.out", trace);
	rc = run_to(out, (const char *const[]){ deja_bin, "record", "-o", trace, prog,
						input, NULL });
	if (rc != (strncmp(guest, "bug.", 4) == 0 ? 128 + SIGFPE :
		   strncmp(guest, "procs.", 6) == 0 ? 3 : 0)) {
		char *t = itest_read_all(out, NULL);

		show("record output", t ? t : "");
		fprintf(stderr, "test_gdb: recording %s: status %d\n", guest, rc);
		exit(1);
	}
}

static int group_setup(void **state)
{
	static const char text[] = "hello from debugme\n";
	const char *t = getenv("TMPDIR");
	char in[PATH_MAX + 16], bugin[PATH_MAX + 32];

	snprintf(tmp_root, sizeof(tmp_root), "%s/deja-gdb-it-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(tmp_root))
		return -1;
	snprintf(in, sizeof(in), "%s/in.txt", tmp_root);
	itest_write_all(in, text, sizeof(text) - 1, 0644);
	snprintf(dm_trace, sizeof(dm_trace), "%s/debugme.trace", tmp_root);
	snprintf(bug_trace, sizeof(bug_trace), "%s/bug.trace", tmp_root);
	snprintf(bugin, sizeof(bugin), "%s/bug-input.txt", guest_dir);
	record(dm_trace, "debugme.static", in);
	record(bug_trace, "bug.static", bugin);
	snprintf(procs_trace, sizeof(procs_trace), "%s/procs.trace", tmp_root);
	record(procs_trace, "procs.static", NULL);
	return 0;
}

static int group_teardown(void **state)
{
	if (!keep_tmp)
		itest_rm_rf(tmp_root);
	return 0;
}

static void parse_args(int argc, char **argv)
{
	const char *deja = NULL, *gdir = NULL, *src = NULL;
	const char *t = getenv("DEJA_TEST_TIMEOUT"), *k = getenv("DEJA_KEEP");

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--deja") && i + 1 < argc)
			deja = argv[++i];
		else if (!strcmp(argv[i], "--guests") && i + 1 < argc)
			gdir = argv[++i];
		else if (!strcmp(argv[i], "--src") && i + 1 < argc)
			src = argv[++i];
		else if (!strcmp(argv[i], "--filter") && i + 1 < argc)
			cmocka_set_test_filter(argv[++i]);
		else
			deja = NULL, i = argc;
	}
	if (!deja || !gdir || !src || !realpath(deja, deja_bin) ||
	    !realpath(gdir, guest_dir) || !realpath(src, src_dir)) {
		fprintf(stderr, "usage: test_gdb --deja PATH --guests DIR --src DIR"
				" [--filter GLOB]\n");
		exit(2);
	}
	if (t && atoi(t) > 0)
		timeout_s = atoi(t);
	keep_tmp = k && *k && strcmp(k, "0");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_break_inspect),
		cmocka_unit_test(test_step_next_finish_until),
		cmocka_unit_test(test_watch_ticks),
		cmocka_unit_test(test_watch_read_buffer),
		cmocka_unit_test(test_rwatch),
		cmocka_unit_test(test_awatch),
		cmocka_unit_test(test_rwatch_step),
		cmocka_unit_test(test_watch_stack_slots),
		cmocka_unit_test(test_rwatch_reverse),
		cmocka_unit_test(test_reverse_step_next),
		cmocka_unit_test(test_reverse_finish),
		cmocka_unit_test(test_reverse_continue_hits),
		cmocka_unit_test(test_history_ends),
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_monitor),
		cmocka_unit_test(test_bug_demo),
		cmocka_unit_test(test_exact_stepi_loop),
		cmocka_unit_test(test_exact_stepi_syscall),
		cmocka_unit_test(test_exact_continue),
		cmocka_unit_test(test_writes_refused),
		cmocka_unit_test(test_several_processes_refused),
		cmocka_unit_test(test_gdb_disconnects),
	};

	parse_args(argc, argv);
	signal(SIGPIPE, SIG_IGN);
	load_marks();
	return cmocka_run_group_tests_name("gdb", tests, group_setup, group_teardown);
}
