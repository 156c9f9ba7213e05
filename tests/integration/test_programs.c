/* tests/integration/test_programs.c — whole programs and process trees
 * of the host under the real deja binary: a dash pipeline through
 * coreutils, python3 with files, subprocess and hashlib, gcc compiling a
 * program (and the result run under deja), make on a two-file project.
 * Each is recorded and replayed with byte-identical stdout and the same
 * exit status, and replayed again after the files it read (programs,
 * scripts, sources, inputs) are deleted or changed: the trace is enough.
 * Deterministic ones also print what they print natively.
 *
 * Usage: test_programs --deja PATH --guests DIR [--filter GLOB]
 * ($DEJA_KEEP=1 keeps the temporary files). Owns nothing of deja. */
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/integration/itest_files.h"
#include "tests/integration/itest_run.h"

static void write_text(const char *name, const char *text, mode_t mode)
{
	char *p = tmp_path("%s", name);

	itest_write_all(p, text, strlen(text), mode);
	free(p);
}

/* Copy host program SRC to tmp_root/NAME (so that it can be deleted). */
static char *copy_program(const char *src, const char *name)
{
	size_t len;
	char *bytes = itest_read_all(src, &len), *dst = tmp_path("%s", name);

	assert_non_null(bytes);
	itest_write_all(dst, bytes, len, 0755);
	free(bytes);
	return dst;
}

static void remove_tmp(const char *name)
{
	char *p = tmp_path("%s", name);

	assert_int_equal(unlink(p), 0);
	free(p);
}

/* The issue's own command: the host's dash and coreutils, three
 * processes joined by two pipes. */
static void test_ls_sort_tail(void **state)
{
	const char *cmd = "ls -l /usr/bin | sort -k5 -n | tail -3";
	struct run rec;

	need("/bin/sh");
	rec = roundtrip("pipeline", 0, ARGS("/bin/sh", "-c", cmd));
	native_same("pipeline-native", &rec, ARGS("/bin/sh", "-c", cmd));
	run_free(&rec);
}

/* The same shape with copies of the programs and a data directory, all
 * deleted before the replay. */
static void test_pipeline_files_removed(void **state)
{
	char *sh = copy_program("/bin/sh", "sh"), *ls = copy_program("/bin/ls", "ls");
	char *sort = copy_program("/usr/bin/sort", "sort");
	char *tail = copy_program("/usr/bin/tail", "tail");
	char *data = tmp_path("data"), *trace = tmp_path("pipe.deja"), *cmd;
	struct run rec;

	assert_int_equal(mkdir(data, 0755), 0);
	write_text("data/small", "1", 0644);
	write_text("data/middle", "12345678", 0644);
	write_text("data/large", "1234567890123456789", 0644);
	write_text("data/huge", "1234567890123456789012345678901234567890", 0644);
	assert_true(asprintf(&cmd, "%s -1s data | %s -k1 -n -r | %s -2 && echo done", ls, sort, tail) > 0);
	rec = record("pipe-rec", trace, ARGS(sh, "-c", cmd));
	expect_status("pipeline", &rec, 0);
	native_same("pipe-native", &rec, ARGS(sh, "-c", cmd));
	remove_tmp("data/small"), remove_tmp("data/middle");
	remove_tmp("data/large"), remove_tmp("data/huge");
	assert_int_equal(rmdir(data), 0);
	remove_tmp("sh"), remove_tmp("ls"), remove_tmp("sort"), remove_tmp("tail");
	replay_same("pipe-replay", trace, &rec);
	run_free(&rec);
	free(sh), free(ls), free(sort), free(tail), free(data), free(trace), free(cmd);
}

static const char py_script[] =
	"import hashlib, os, subprocess, sys\n"
	"data = open(sys.argv[1], 'rb').read()\n"
	"print('sha256', hashlib.sha256(data).hexdigest())\n"
	"print('md5', hashlib.md5(data).hexdigest())\n"
	"out = subprocess.run(['/bin/echo', 'from', 'a child'], capture_output=True, text=True)\n"
	"print('child said:', out.stdout.strip(), 'status', out.returncode)\n"
	"p = subprocess.Popen(['/bin/sh', '-c', 'cat | tr a-z A-Z; exit 3'],\n"
	"                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)\n"
	"o, _ = p.communicate(data)\n"
	"print('through a pipe:', o.decode().strip(), 'status', p.returncode)\n"
	"with open('py-out.txt', 'w') as f:\n"
	"    f.write(data.decode().upper())\n"
	"print('wrote', os.path.getsize('py-out.txt'), 'bytes')\n"
	"print(sorted(n for n in os.listdir('.') if n.endswith(('.py', '.txt'))))\n";

static void test_python_subprocess(void **state)
{
	char *trace = tmp_path("py.deja");
	struct run rec;

	need("/usr/bin/python3");
	write_text("py-script.py", py_script, 0644);
	write_text("py-input.txt", "some input for python\n", 0644);
	rec = record("py-rec", trace, ARGS("/usr/bin/python3", "py-script.py", "py-input.txt"));
	expect_status("python3", &rec, 0);
	expect_contains("python3", rec.out, "through a pipe: SOME INPUT FOR PYTHON status 3\n");
	native_same("py-native", &rec, ARGS("/usr/bin/python3", "py-script.py", "py-input.txt"));
	remove_tmp("py-script.py");
	write_text("py-input.txt", "changed\n", 0644);
	remove_tmp("py-out.txt");
	replay_same("py-replay", trace, &rec);
	run_free(&rec);
	free(trace);
}

/* gcc with its subprocesses (cc1, as, collect2, ld), then the program it
 * built, each recorded; the replays run after the source and the
 * program are gone. */
static void test_gcc_hello(void **state)
{
	char *gcc_trace = tmp_path("gcc.deja"), *hello_trace = tmp_path("hello.deja");
	char *hello = tmp_path("hello");
	struct run rec, run;

	need("/usr/bin/gcc");
	write_text("hello.c", "#include <stdio.h>\nint main(void)\n"
		   "{\n\tputs(\"hello from gcc under deja\");\n\treturn 7;\n}\n", 0644);
	rec = record("gcc-rec", gcc_trace, ARGS("/usr/bin/gcc", "hello.c", "-o", "hello"));
	expect_status("gcc", &rec, 0);
	assert_int_equal(access(hello, X_OK), 0);
	run = record("hello-rec", hello_trace, ARGS(hello));
	expect_status("hello", &run, 7);
	expect_contains("hello", run.out, "hello from gcc under deja\n");
	remove_tmp("hello.c");
	remove_tmp("hello");
	replay_same("gcc-replay", gcc_trace, &rec);
	assert_int_not_equal(access(hello, F_OK), 0); /* replay writes no file */
	replay_same("hello-replay", hello_trace, &run);
	run_free(&rec), run_free(&run);
	free(gcc_trace), free(hello_trace), free(hello);
}

static void test_make_two_files(void **state)
{
	char *trace = tmp_path("make.deja"), *mk = tmp_path("mk");
	struct run rec;

	need("/usr/bin/make");
	need("/usr/bin/cc");
	assert_int_equal(mkdir(mk, 0755), 0);
	write_text("mk/Makefile", "prog: main.o add.o\n\t$(CC) -o $@ main.o add.o\n"
		   "%.o: %.c\n\t$(CC) -c $< -o $@\n"
		   "check: prog\n\t./prog && echo sum ok\n", 0644);
	write_text("mk/main.c", "int add(int, int);\nint main(void) { return add(2, 3) != 5; }\n", 0644);
	write_text("mk/add.c", "int add(int a, int b) { return a + b; }\n", 0644);
	rec = record("make-rec", trace, ARGS("/usr/bin/make", "-C", "mk", "check"));
	expect_status("make", &rec, 0);
	expect_contains("make", rec.out, "cc -c main.c -o main.o\n");
	expect_contains("make", rec.out, "sum ok\n");
	remove_tmp("mk/Makefile"), remove_tmp("mk/main.c"), remove_tmp("mk/add.c");
	remove_tmp("mk/main.o"), remove_tmp("mk/add.o"), remove_tmp("mk/prog");
	replay_same("make-replay", trace, &rec);
	run_free(&rec);
	free(trace), free(mk);
}

/* Two processes each waiting for the other: exit 6 and the message
 * names both; replay stops the same way. */
static void test_deadlock_reported(void **state)
{
	char *prog, *trace = tmp_path("deadlock.deja");
	const char *argv[] = { deja_bin, "replay", trace, NULL };
	struct run rec, rep;

	assert_true(asprintf(&prog, "%s/deadlock.static", guest_dir) > 0);
	rec = record("deadlock", trace, ARGS(prog));
	expect_status("deadlock", &rec, 6);
	expect_contains("deadlock", rec.err, "deadlock: pid 1000 waits in read for ever\n");
	expect_contains("deadlock", rec.err, "deadlock: pid 1001 waits in read for ever\n");
	expect_contains("deadlock", rec.err, "blocked and nothing can wake one (deadlock)\n");
	rep = run_argv("deadlock-replay", argv);
	expect_status("deadlock replay", &rep, 6);
	expect_contains("deadlock replay", rep.err, "(deadlock)\n");
	run_free(&rec), run_free(&rep);
	free(prog), free(trace);
}

/* A process that never blocks (yes) must not starve the shell that
 * sleeps and then kills it. */
static void test_busy_process_no_starvation(void **state)
{
	const char *cmd = "yes >/dev/null & sleep 0.2; kill $!; wait $!; echo \"yes ended: $?\"";
	struct run rec;

	need("/bin/bash");
	rec = roundtrip("busy", 0, ARGS("/bin/bash", "-c", cmd));
	expect_contains("busy", rec.out, "yes ended: 143\n");
	native_same("busy-native", &rec, ARGS("/bin/bash", "-c", cmd));
	run_free(&rec);
}

/* bash process substitution and /dev/stdin: /dev/fd/N naming a pipe
 * reopens that pipe; distinct pipes have distinct inodes (diff). */
static void test_dev_fd_pipes(void **state)
{
	const char *cmd = "diff <(seq 5) <(seq 6); echo \"diff: $?\"; "
			  "echo piped | cat /dev/stdin; "
			  "exec 5< <(echo from-fd-5); read x <&5; echo \"$x\"; "
			  "echo to-subst > >(cat); wait";
	struct run rec;

	need("/bin/bash");
	rec = roundtrip("devfd", 0, ARGS("/bin/bash", "-c", cmd));
	expect_contains("devfd", rec.out, "> 6\ndiff: 1\npiped\nfrom-fd-5\n");
	native_same("devfd-native", &rec, ARGS("/bin/bash", "-c", cmd));
	run_free(&rec);
}

/* A "#!" script as the program to record runs under its interpreter
 * with the argv Linux gives it; a missing interpreter is exit 5. */
static void test_script_as_program(void **state)
{
	char *script = tmp_path("args.sh"), *bad = tmp_path("bad.sh");
	char *trace = tmp_path("bad.deja");
	struct run rec;

	need("/bin/sh");
	write_text("args.sh", "#!/bin/sh -e\necho \"$0 has $# args: $*\"\n", 0755);
	rec = roundtrip("script", 0, ARGS(script, "one", "two"));
	expect_contains("script", rec.out, "args.sh has 2 args: one two\n");
	native_same("script-native", &rec, ARGS(script, "one", "two"));
	run_free(&rec);
	write_text("bad.sh", "#!/nonexistent/interpreter\n", 0755);
	rec = record("bad-script", trace, ARGS(bad));
	expect_status("missing interpreter", &rec, 5);
	expect_contains("missing interpreter", rec.err, "/nonexistent/interpreter");
	run_free(&rec);
	free(script), free(bad), free(trace);
}

/* Recursive make -j2: the sub-make waits in pselect6 with SIGCHLD
 * unblocked only by the call's own mask. */
static void test_recursive_make_jobs(void **state)
{
	char *top = tmp_path("rmk"), *sub = tmp_path("rmk/sub");
	struct run rec;

	need("/usr/bin/make");
	assert_int_equal(mkdir(top, 0755), 0);
	assert_int_equal(mkdir(sub, 0755), 0);
	write_text("rmk/Makefile", "all:\n\t$(MAKE) -s -C sub\n", 0644);
	write_text("rmk/sub/Makefile", "all: a b c d\n\t@echo all done\n"
		   "a b c d:\n\t@sleep 0.05; echo $@ > $@.out\n", 0644);
	rec = roundtrip("rmake", 0, ARGS("/usr/bin/make", "-s", "-j2", "-C", "rmk"));
	expect_contains("make -j2", rec.out, "all done\n");
	run_free(&rec);
	free(top), free(sub);
}

/* python's socketpair-based machinery: asyncio's self-pipe and
 * multiprocessing's Pipe, with a forked Process. */
static void test_python_socketpairs(void **state)
{
	static const char code[] =
		"import asyncio, socket, multiprocessing as mp\n"
		"async def main():\n"
		"    await asyncio.sleep(0.01)\n"
		"    return 42\n"
		"print('asyncio', asyncio.run(main()))\n"
		"a, b = socket.socketpair()\n"
		"a.send(b'hi')\n"
		"print(b.recv(2), a.getsockname(), a.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE))\n"
		"def child(conn):\n"
		"    conn.send('from child')\n"
		"    conn.close()\n"
		"mp.set_start_method('fork')\n"
		"p0, p1 = mp.Pipe()\n"
		"pr = mp.Process(target=child, args=(p1,))\n"
		"pr.start()\n"
		"print(p0.recv())\n"
		"pr.join()\n"
		"print('exit', pr.exitcode)\n";
	struct run rec;

	need("/usr/bin/python3");
	rec = roundtrip("pysock", 0, ARGS("/usr/bin/python3", "-c", code));
	expect_contains("python", rec.out, "asyncio 42\n");
	expect_contains("python", rec.out, "from child\nexit 0\n");
	native_same("pysock-native", &rec, ARGS("/usr/bin/python3", "-c", code));
	run_free(&rec);
}

/* The first child of host process PID (0 if none yet). */
static pid_t first_child(pid_t pid)
{
	char path[64], *s;
	pid_t c = 0;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	s = itest_read_all(path, NULL);
	if (s)
		c = (pid_t)atoi(s);
	free(s);
	return c;
}

/* Ctrl-C to a guest whose handler counts its syscalls: the recording
 * holds the signal back to the guest's next syscall, where the replay
 * delivers it too, so both print the same count. */
static void test_outside_sigint_exact(void **state)
{
	char *prog, *trace = tmp_path("sigint.deja"), *out = tmp_path("sigint.rec.out");
	struct run rep;
	int ws;
	pid_t deja, guest = 0;

	assert_true(asprintf(&prog, "%s/sigint.static", guest_dir) > 0);
	fflush(NULL);
	deja = fork();
	assert_true(deja >= 0);
	if (deja == 0) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || dup2(fd, 1) < 0)
			_exit(126);
		execl(deja_bin, deja_bin, "record", "-o", trace, prog, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 3000 && !guest; i++) { /* up to 30 s on a slow host */
		char *text = itest_read_all(out, NULL);
		if (text && strstr(text, "ready\n")) /* its handler is in place */
			guest = first_child(deja);
		free(text);
		usleep(10000);
	}
	assert_true(guest > 0);
	usleep(100000); /* well into its loop */
	assert_int_equal(kill(guest, SIGINT), 0);
	assert_int_equal(waitpid(deja, &ws, 0), deja);
	assert_true(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
	expect_contains("recording", out, "SIGINT after ");
	{
		const char *argv[] = { deja_bin, "replay", trace, NULL };
		rep = run_argv("sigint-replay", argv);
	}
	expect_status("sigint replay", &rep, 0);
	expect_same("sigint replay", out, rep.out);
	run_free(&rep);
	free(prog), free(trace), free(out);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ls_sort_tail),
		cmocka_unit_test(test_pipeline_files_removed),
		cmocka_unit_test(test_python_subprocess),
		cmocka_unit_test(test_gcc_hello),
		cmocka_unit_test(test_make_two_files),
		cmocka_unit_test(test_deadlock_reported),
		cmocka_unit_test(test_outside_sigint_exact),
		cmocka_unit_test(test_busy_process_no_starvation),
		cmocka_unit_test(test_recursive_make_jobs),
		cmocka_unit_test(test_dev_fd_pipes),
		cmocka_unit_test(test_script_as_program),
		cmocka_unit_test(test_python_socketpairs),
	};
	return itest_run_main("test_programs", tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
