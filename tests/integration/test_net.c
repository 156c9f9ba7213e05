/* tests/integration/test_net.c — host sockets under the real deja binary:
 * the tcpclient guest talks to a loopback server that runs OUTSIDE the
 * guest system (a process forked by this test). Each test records with
 * the server running, stops it, starts a different ("liar") server on
 * the same port, and replays: the replay must print what the recording
 * printed and exit the same, and the liar must see no traffic (replay
 * never touches the network). Also: connect to a port nobody listens on
 * gives ECONNREFUSED in record and replay; a guest that listens and
 * accepts a client from outside replays without the client.
 *
 * Usage: test_net --deja PATH --guests DIR (or $DEJA_BIN, $DEJA_GUESTS).
 * $DEJA_TEST_TIMEOUT (seconds, default 60) bounds every deja run. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
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
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/integration/itest_files.h"

static char deja_bin[PATH_MAX];
static char guest_dir[PATH_MAX];
static char tmp_root[PATH_MAX];
static int timeout_s = 60;

/* ---- the server outside the guest system ---- */

struct server {
	pid_t pid;
	int ctl;                /* closing it stops the server */
	int tcp_port, udp_port;
};

/* A listening AF_UNIX stream socket at PATH (replacing what is there). */
static int unix_listener(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(s >= 0);
	assert_true(strlen(path) < sizeof(a.sun_path));
	strcpy(a.sun_path, path);
	unlink(path);
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(s, 8) != 0)
		fail_msg("cannot listen on %s: %s", path, strerror(errno));
	return s;
}

/* A socket of TYPE bound to 127.0.0.1:PORT (0: any free port). */
static int bound_socket(int type, int port, int *got)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	socklen_t len = sizeof(a);
	int one = 1, s = socket(AF_INET, type | SOCK_CLOEXEC, 0);

	assert_true(s >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)), 0);
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) != 0)
		fail_msg("bind to port %d: %s", port, strerror(errno));
	assert_int_equal(getsockname(s, (struct sockaddr *)&a, &len), 0);
	*got = ntohs(a.sin_port);
	return s;
}

/* TCP: read until EOF, answer "ECHO:" and the bytes in upper case (the
 * liar: "LIAR:" and lower case), plus the connection count. */
static void serve_tcp(int ls, bool liar, int nconn)
{
	char buf[4096], out[4200];
	size_t n = 0;
	ssize_t r;
	int c = accept4(ls, NULL, NULL, SOCK_CLOEXEC);

	if (c < 0)
		return;
	while (n < sizeof(buf) && (r = read(c, buf + n, sizeof(buf) - n)) > 0)
		n += (size_t)r;
	for (size_t i = 0; i < n; i++)
		buf[i] = (char)(liar ? tolower((unsigned char)buf[i])
				     : toupper((unsigned char)buf[i]));
	r = snprintf(out, sizeof(out), "%s%.*sconnection %d served by %d\n",
		     liar ? "LIAR:" : "ECHO:", (int)n, buf, nconn, (int)getpid());
	if (write(c, out, (size_t)r) != r)
		_exit(100);
	close(c);
}

/* UDP: answer each datagram with its bytes reversed (liar: "LIAR"). */
static void serve_udp(int us, bool liar)
{
	char buf[512], out[512];
	struct sockaddr_in from;
	socklen_t len = sizeof(from);
	ssize_t r = recvfrom(us, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);

	if (r < 0)
		return;
	for (ssize_t i = 0; i < r; i++)
		out[i] = liar ? "LIAR"[i % 4] : buf[r - 1 - i];
	sendto(us, out, (size_t)r, 0, (struct sockaddr *)&from, len);
}

/* The server process: serves until CTL closes; exits with the number
 * of connections and datagrams it served. */
static void server_main(int ls, int us, int xs, int ctl, bool liar)
{
	struct pollfd p[4] = { { ls, POLLIN, 0 }, { us, POLLIN, 0 },
			       { xs, POLLIN, 0 }, { ctl, POLLIN, 0 } };
	int served = 0;

	for (;;) {
		if (poll(p, 4, -1) < 0)
			_exit(101);
		if (p[3].revents)
			_exit(served);
		if (p[0].revents & POLLIN)
			serve_tcp(ls, liar, ++served);
		if (p[1].revents & POLLIN) {
			serve_udp(us, liar);
			served++;
		}
		if (p[2].revents & POLLIN)
			serve_tcp(xs, liar, ++served);
	}
}

/* Serve TCP and UDP on 127.0.0.1 (port 0: any free one) and, if
 * UNIX_PATH is given, AF_UNIX streams there. */
static struct server server_start(int tcp_port, int udp_port,
				  const char *unix_path, bool liar)
{
	struct server s;
	int ls = bound_socket(SOCK_STREAM, tcp_port, &s.tcp_port);
	int us = bound_socket(SOCK_DGRAM, udp_port, &s.udp_port);
	int xs = unix_path ? unix_listener(unix_path) : -1;
	int ctl[2];

	assert_int_equal(listen(ls, 8), 0);
	assert_int_equal(pipe2(ctl, O_CLOEXEC), 0);
	fflush(NULL);
	s.pid = fork();
	assert_true(s.pid >= 0);
	if (s.pid == 0) {
		close(ctl[1]);
		server_main(ls, us, xs, ctl[0], liar);
	}
	close(ctl[0]);
	close(ls);
	close(us);
	if (xs >= 0)
		close(xs);
	s.ctl = ctl[1];
	return s;
}

/* Stop the server; returns how many connections and datagrams it served. */
static int server_stop(struct server *s)
{
	int st;

	close(s->ctl);
	assert_int_equal(waitpid(s->pid, &st, 0), s->pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st) >= 100)
		fail_msg("the test server failed (wait status %#x)", st);
	return WEXITSTATUS(st);
}

/* ---- running deja ---- */

/* Start deja with ARGS (NULL-terminated) in CWD (NULL: here), stdout
 * and stderr to files. */
static pid_t spawn_deja(const char *cwd, const char *out, const char *err,
			const char *const *args)
{
	const char *argv[16] = { deja_bin };
	int n = 1;
	pid_t pid;

	for (; args[n - 1] && n < 15; n++)
		argv[n] = args[n - 1];
	argv[n] = NULL;
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		int e = open(err, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		int i = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (o < 0 || e < 0 || i < 0 || dup2(i, 0) < 0 || dup2(o, 1) < 0 ||
		    dup2(e, 2) < 0)
			_exit(126);
		setpgid(0, 0);
		if (cwd && chdir(cwd) != 0)
			_exit(126);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	return pid;
}

/* Wait for deja PID; returns the exit status, 128+N for signal N; fails
 * after timeout_s. */
static int wait_deja(pid_t pid)
{
	long waited_ms = 0;
	int ws;

	while (waitpid(pid, &ws, WNOHANG) == 0) {
		if (waited_ms >= timeout_s * 1000L) {
			kill(-pid, SIGKILL);
			waitpid(pid, &ws, 0);
			fail_msg("deja did not finish within %d s", timeout_s);
		}
		nanosleep(&(struct timespec){ 0, 5000000 }, NULL);
		waited_ms += 5;
	}
	return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

static int run_deja(const char *cwd, const char *out, const char *err,
		    const char *const *args)
{
	return wait_deja(spawn_deja(cwd, out, err, args));
}

#define DEJA_IN(cwd, out, err, ...) \
	run_deja(cwd, out, err, (const char *const[]){ __VA_ARGS__, NULL })
#define DEJA(out, err, ...) DEJA_IN(NULL, out, err, __VA_ARGS__)

static char *tmp_path(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *tmp_path(const char *fmt, ...)
{
	char name[256], *p;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	assert_true(asprintf(&p, "%s/%s", tmp_root, name) > 0);
	return p;
}

static void show(const char *label, const char *path)
{
	char *s = itest_read_all(path, NULL);

	printf("  %s (%s):\n%s\n", label, path, s ? s : "(unreadable)");
	free(s);
}

static void expect_contains(const char *path, const char *needle)
{
	char *s = itest_read_all(path, NULL);
	bool yes = s && strstr(s, needle);

	free(s);
	if (!yes) {
		show("output", path);
		fail_msg("%s does not contain \"%s\"", path, needle);
	}
}

static void expect_same(const char *a, const char *b)
{
	size_t la, lb;
	char *da = itest_read_all(a, &la), *db = itest_read_all(b, &lb);
	bool same = da && db && la == lb && !memcmp(da, db, la);

	free(da);
	free(db);
	if (!same) {
		show("recorded", a);
		show("replayed", b);
		fail_msg("replay output differs from the recording");
	}
}

/* The guest binary of VARIANT, or skip the test if it was not built. */
static char *guest(const char *variant)
{
	char *p;

	assert_true(asprintf(&p, "%s/tcpclient.%s", guest_dir, variant) > 0);
	if (access(p, X_OK) != 0) {
		printf("  %s not built, skipping\n", p);
		free(p);
		skip();
	}
	return p;
}

/* ---- the tests ---- */

/* Record "tcpclient MODE PORT" (unix: "tcpclient unix srv.sock
 * TMP_ROOT" run in /) against the real server, then replay it against the liar on
 * the same ports and path. WANT: the recording's exit status; NEEDLE:
 * what its output must contain; SERVED: what the real server must have
 * served. */
static void record_replay(const char *variant, const char *mode, int want,
			  const char *needle, int served)
{
	char *sock = tmp_path("srv.sock");
	char *prog = guest(variant), port[16];
	char *trace = tmp_path("%s-%s.deja", mode, variant);
	char *rout = tmp_path("%s-%s.record.out", mode, variant);
	char *rerr = tmp_path("%s-%s.record.err", mode, variant);
	char *pout = tmp_path("%s-%s.replay.out", mode, variant);
	char *perr = tmp_path("%s-%s.replay.err", mode, variant);
	struct server s = server_start(0, 0, sock, false), liar;
	int st;

	snprintf(port, sizeof(port), "%d", strcmp(mode, "udp") ? s.tcp_port : s.udp_port);
	if (!strcmp(mode, "unix")) /* deja in /, the guest changes directory */
		st = DEJA_IN("/", rout, rerr, "record", "-o", trace, "--", prog,
			     mode, "srv.sock", tmp_root);
	else
		st = DEJA(rout, rerr, "record", "-o", trace, "--", prog, mode, port);
	assert_int_equal(server_stop(&s), served);
	if (st != want) {
		show("record stderr", rerr);
		show("record stdout", rout);
		fail_msg("record exited %d, expected %d", st, want);
	}
	expect_contains(rout, needle);

	liar = server_start(s.tcp_port, s.udp_port, sock, true);
	st = DEJA(pout, perr, "replay", trace);
	assert_int_equal(server_stop(&liar), 0);
	if (st != want) {
		show("replay stderr", perr);
		fail_msg("replay exited %d, expected %d", st, want);
	}
	expect_same(rout, pout);
	free(prog); free(trace); free(rout); free(rerr); free(pout); free(perr);
	free(sock);
}

static void test_tcp(void **state)
{
	record_replay(*state, "tcp", 0, "ECHO:HELLO FROM THE GUEST\nconnection 1 served by", 1);
	(void)state;
}

/* "received N bytes, hash H:" is followed by exactly N bytes. */
static void expect_received_all(const char *path)
{
	char *s = itest_read_all(path, NULL), *p = s ? strstr(s, "received ") : NULL;
	size_t n = 0;

	if (!p || sscanf(p, "received %zu bytes", &n) != 1 || !strchr(p, '\n') ||
	    strlen(strchr(p, '\n') + 1) != n) {
		show("output", path);
		fail_msg("the received byte count does not match what follows");
	}
	free(s);
}

static void test_tcp_details(void **state)
{
	char *out = tmp_path("tcp-static.record.out");

	record_replay("static", "tcp", 0, "peer 127.0.0.1:", 1);
	expect_contains(out, "socket type 1, option length 4\n");
	expect_contains(out, "local 127.0.0.1, port set (len 16)\n");
	expect_contains(out, "recv before the answer: EAGAIN\n");
	expect_received_all(out);
	free(out);
	(void)state;
}

static void test_udp(void **state)
{
	char *out = tmp_path("udp-%s.record.out", (const char *)*state);

	record_replay(*state, "udp", 0, "recvfrom 13 bytes: pdu revo gnip\n", 4);
	expect_contains(out, "recvmsg 15 bytes, flags 0: margatad dnoces\n");
	expect_contains(out, "sendmmsg 2: 5 + 6 bytes\n"
			"recvmmsg 2: \"driht\" (5) \"htruof\" (6)\n");
	free(out);
}

/* A relative AF_UNIX path names a host socket in the guest's working
 * directory; passing a descriptor is refused with a warning. */
static void test_unix(void **state)
{
	char *out = tmp_path("unix-static.record.out"), *want;
	char *err = tmp_path("unix-static.record.err");

	assert_true(asprintf(&want, "peer unix \"%s/srv.sock\"", tmp_root) > 0);
	record_replay("static", "unix", 0, "ECHO:HELLO FROM THE GUEST\n", 1);
	expect_contains(out, want);
	expect_contains(out, "local unix \"\" (len 2)\n");
	expect_contains(out, "sendmsg with a descriptor: EOPNOTSUPP\n");
	expect_contains(err, "SCM_RIGHTS");
	free(out);
	free(err);
	free(want);
	(void)state;
}

/* Connect to 127.0.0.1:PORT, retrying while the guest starts; send
 * REQ, shut down writing and read the answer into BUF. */
static size_t outside_client(int port, const char *req, char *buf, size_t cap)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	size_t n = 0;
	ssize_t r;
	int s = -1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (int tries = 0; s < 0 && tries < timeout_s * 100; tries++) {
		s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		assert_true(s >= 0);
		if (connect(s, (struct sockaddr *)&a, sizeof(a)) == 0)
			break;
		close(s);
		s = -1;
		nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
	}
	if (s < 0)
		fail_msg("the guest server never accepted on port %d", port);
	assert_int_equal(write(s, req, strlen(req)), (ssize_t)strlen(req));
	assert_int_equal(shutdown(s, SHUT_WR), 0);
	while (n < cap && (r = read(s, buf + n, cap - n)) > 0)
		n += (size_t)r;
	close(s);
	return n;
}

/* The guest listens, a client outside connects: bind, listen, accept,
 * a non-blocking accept's EAGAIN, recv and write, replayed without any
 * client. */
static void test_guest_server(void **state)
{
	char *prog = guest("static"), port[16], buf[256];
	char *trace = tmp_path("server.deja");
	char *rout = tmp_path("server.record.out"), *rerr = tmp_path("server.record.err");
	char *pout = tmp_path("server.replay.out"), *perr = tmp_path("server.replay.err");
	int p, s = bound_socket(SOCK_STREAM, 0, &p), st;
	const char *req = "a request from outside\n";
	pid_t pid;
	size_t n;

	close(s); /* a free port for the guest */
	snprintf(port, sizeof(port), "%d", p);
	pid = spawn_deja(NULL, rout, rerr,
			 (const char *const[]){ "record", "-o", trace, "--", prog,
						"server", port, NULL });
	n = outside_client(p, req, buf, sizeof(buf));
	st = wait_deja(pid);
	if (st != 0) {
		show("record stderr", rerr);
		fail_msg("record exited %d", st);
	}
	assert_int_equal(n, strlen(req));
	assert_memory_equal(buf, "\nedistuo morf tseuqer a", n);
	expect_contains(rout, "accept on an idle non-blocking listener: EAGAIN\n");
	expect_contains(rout, "accepted from 127.0.0.1, port set (len 16)\n");
	expect_contains(rout, "request of 23 bytes: a request from outside\n");
	st = DEJA(pout, perr, "replay", trace);
	if (st != 0) {
		show("replay stderr", perr);
		fail_msg("replay exited %d", st);
	}
	expect_same(rout, pout);
	free(prog); free(trace); free(rout); free(rerr); free(pout); free(perr);
	(void)state;
}

/* Nothing listens on the port: ECONNREFUSED in record and in replay. */
static void test_refused(void **state)
{
	char *prog = guest("static"), port[16];
	char *trace = tmp_path("refused.deja");
	char *rout = tmp_path("refused.record.out"), *rerr = tmp_path("refused.record.err");
	char *pout = tmp_path("refused.replay.out"), *perr = tmp_path("refused.replay.err");
	int p, s = bound_socket(SOCK_STREAM, 0, &p), st;

	close(s); /* bound, never listening, now closed: connect is refused */
	snprintf(port, sizeof(port), "%d", p);
	st = DEJA(rout, rerr, "record", "-o", trace, "--", prog, "tcp", port);
	if (st != 3) {
		show("record stderr", rerr);
		fail_msg("record exited %d, expected 3", st);
	}
	expect_contains(rout, "connect: ECONNREFUSED\n");
	st = DEJA(pout, perr, "replay", trace);
	assert_int_equal(st, 3);
	expect_same(rout, pout);
	free(prog); free(trace); free(rout); free(rerr); free(pout); free(perr);
	(void)state;
}

static void parse_args(int argc, char **argv)
{
	const char *d = getenv("DEJA_BIN"), *g = getenv("DEJA_GUESTS");
	const char *t = getenv("DEJA_TEST_TIMEOUT");

	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--deja"))
			d = argv[i + 1];
		else if (!strcmp(argv[i], "--guests"))
			g = argv[i + 1];
	}
	if (!d || !g || !realpath(d, deja_bin) || !realpath(g, guest_dir)) {
		fprintf(stderr, "usage: test_net --deja PATH --guests DIR\n");
		exit(2);
	}
	if (t && atoi(t) > 0)
		timeout_s = atoi(t);
}

static int group_setup(void **state)
{
	const char *base = getenv("TMPDIR");

	snprintf(tmp_root, sizeof(tmp_root), "%s/deja-net-XXXXXX", base ? base : "/tmp");
	return mkdtemp(tmp_root) ? 0 : -1;
	(void)state;
}

static int group_teardown(void **state)
{
	if (!getenv("DEJA_KEEP"))
		itest_rm_rf(tmp_root);
	return 0;
	(void)state;
}

int main(int argc, char **argv)
{
	static char *v[] = { "static", "static-pie", "musl" };
	const struct CMUnitTest tests[] = {
		{ "tcp.static", test_tcp, NULL, NULL, v[0] },
		{ "tcp.static-pie", test_tcp, NULL, NULL, v[1] },
		{ "tcp.musl", test_tcp, NULL, NULL, v[2] },
		{ "tcp_calls_and_values", test_tcp_details, NULL, NULL, NULL },
		{ "udp.static", test_udp, NULL, NULL, v[0] },
		{ "udp.musl", test_udp, NULL, NULL, v[2] },
		{ "unix_relative_path", test_unix, NULL, NULL, NULL },
		{ "tcp_refused", test_refused, NULL, NULL, NULL },
		{ "guest_server", test_guest_server, NULL, NULL, NULL },
	};

	parse_args(argc, argv);
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("net", tests, group_setup, group_teardown);
}
