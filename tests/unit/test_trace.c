/* tests/unit/test_trace.c — the trace file library: meta and event round
 * trips, blobs and their dedup, truncation at every cut point, a flipped
 * byte at every offset, hostile size fields, versions, rewind and seek. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <xxhash.h>

#include "traces/format.h"
#include "traces/trace.h"

/* ---- helpers ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static char *tmp_path(void)
{
	char *p = strdup("/tmp/deja-test-trace-XXXXXX");
	int fd;

	assert_non_null(p);
	fd = mkstemp(p);
	assert_true(fd >= 0);
	close(fd);
	return p;
}

static void drop_path(char *p)
{
	unlink(p);
	free(p);
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	p = malloc(n ? n : 1);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, n, f), n);
	fclose(f);
	*len = (size_t)n;
	return p;
}

static void spill(const char *path, const void *p, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, len, f), len);
	fclose(f);
}

static char *argv0[] = { "/bin/true", "--flag", "", "arg with space" };
static char *envp0[] = { "PATH=/usr/bin", "HOME=/root" };

static void fill_meta(struct trace_meta *m)
{
	memset(m, 0, sizeof(*m));
	m->program = "/bin/true";
	m->argc = 4;
	m->argv = argv0;
	m->envc = 2;
	m->envp = envp0;
	m->cwd = "/tmp";
	m->hostname = "box";
	m->kernel = "Linux 6.1.0 #1 SMP x86_64";
	m->cpu_model = "Test CPU @ 3.00GHz";
	m->cpuid_leaf1_eax = 0x000906ea;
	m->deja_version = "0.1.0";
	m->record_time_ns = 1700000000123456789ll;
}

static void assert_str_eq_or_null(const char *a, const char *b)
{
	if (!a || !b)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

static void assert_meta_equal(const struct trace_meta *a,
			      const struct trace_meta *b)
{
	assert_str_eq_or_null(a->program, b->program);
	assert_int_equal(a->argc, b->argc);
	for (int i = 0; i < a->argc; i++)
		assert_str_eq_or_null(a->argv[i], b->argv[i]);
	assert_int_equal(a->envc, b->envc);
	for (int i = 0; i < a->envc; i++)
		assert_str_eq_or_null(a->envp[i], b->envp[i]);
	assert_str_eq_or_null(a->cwd, b->cwd);
	assert_str_eq_or_null(a->hostname, b->hostname);
	assert_str_eq_or_null(a->kernel, b->kernel);
	assert_str_eq_or_null(a->cpu_model, b->cpu_model);
	assert_int_equal(a->cpuid_leaf1_eax, b->cpuid_leaf1_eax);
	assert_str_eq_or_null(a->deja_version, b->deja_version);
	assert_int_equal(a->record_time_ns, b->record_time_ns);
}

/* An event kept by the test with its own copy of the data. */
struct saved {
	struct trace_event ev;
	uint8_t *data;
};

static void assert_event_equal(const struct trace_event *want,
			       const struct trace_event *got)
{
	assert_int_equal(want->index, got->index);
	assert_int_equal(want->type, got->type);
	assert_int_equal(want->tid, got->tid);
	assert_int_equal(want->op, got->op);
	assert_int_equal(want->result, got->result);
	assert_int_equal(want->nargs, got->nargs);
	for (int i = 0; i < want->nargs; i++)
		assert_int_equal(want->args[i], got->args[i]);
	assert_int_equal(want->rip, got->rip);
	assert_int_equal(want->data_len, got->data_len);
	if (want->data_len)
		assert_memory_equal(want->data, got->data, want->data_len);
	assert_int_equal(want->has_blob, got->has_blob);
	if (want->has_blob)
		assert_memory_equal(want->blob, got->blob, 16);
}

/* Event I: the first 3 * 224 walk every combination of type, nargs,
 * rip, data, blob and tid change; the rest are random mixes. */
static void gen_event(uint64_t i, struct trace_event *ev, uint8_t *data,
		      const uint8_t (*blobs)[16], int nblobs)
{
	uint64_t c = i / 3;
	bool walk = c < 224;
	static uint32_t tid = 1000;

	memset(ev, 0, sizeof(*ev));
	ev->type = (uint8_t)(1 + i % 3);
	ev->nargs = (uint8_t)(walk ? c % 7 : rnd() % 7);
	if ((walk ? (c / 112) & 1 : rnd() % 8 == 0))
		tid = 1000 + (uint32_t)(rnd() % 4);
	ev->tid = tid;
	ev->op = (uint32_t)(rnd() % 4 == 0 ? rnd() : rnd() % 400);
	ev->result = rnd() % 5 == 0 ? -(int64_t)(rnd() % 4096) :
				      (int64_t)(rnd() >> (rnd() % 64));
	for (int a = 0; a < ev->nargs; a++) {
		switch (rnd() % 4) {
		case 0: ev->args[a] = 0x7ffd00000000ull + (rnd() & 0xffffff); break;
		case 1: ev->args[a] = rnd() % 16; break;
		case 2: ev->args[a] = (uint64_t)-(int64_t)(rnd() % 200); break;
		default: ev->args[a] = rnd(); break;
		}
	}
	if (walk ? (c / 7) & 1 : rnd() % 2)
		ev->rip = 0x401000 + rnd() % 0x1000;
	if (walk ? (c / 14) & 1 : rnd() % 4 == 0) {
		ev->data_len = (uint32_t)(1 + rnd() % (rnd() % 10 ? 64 : 5000));
		for (uint32_t k = 0; k < ev->data_len; k++)
			data[k] = (uint8_t)rnd();
		ev->data = data;
	}
	if (nblobs && (walk ? (c / 28) & 1 : rnd() % 8 == 0)) {
		ev->has_blob = true;
		memcpy(ev->blob, blobs[rnd() % nblobs], 16);
	}
	/* c / 56 bits walk the two extremes of the fields */
	if (walk && (c / 56) % 2) {
		ev->result = INT64_MIN + (int64_t)(c % 3);
		ev->op = UINT32_MAX;
		for (int a = 0; a < ev->nargs; a++)
			ev->args[a] = UINT64_MAX - a;
		if (ev->rip)
			ev->rip = UINT64_MAX;
	}
}

struct built {
	char *path;
	struct saved *ev;
	uint64_t n;
	uint8_t (*blobs)[16];
	int nblobs;
	size_t meta_end;  /* file offset just past the META chunk */
};

/* Write a trace of N events (and NBLOBS blobs of BLOB_SIZE bytes, the
 * first put twice) to a fresh file. */
static void build(struct built *b, uint64_t n, int nblobs, size_t blob_size,
		  bool close_it)
{
	struct trace_meta m;
	struct trace_writer *w;
	uint8_t *data = malloc(8192), *blob = malloc(blob_size + 1);
	int err;

	assert_non_null(data);
	assert_non_null(blob);
	memset(b, 0, sizeof(*b));
	fill_meta(&m);
	b->path = tmp_path();
	w = trace_writer_open(b->path, &m, &err);
	assert_non_null(w);
	assert_int_equal(err, TRACE_OK);
	b->blobs = calloc(nblobs + 1, 16);
	b->ev = calloc(n + 1, sizeof(*b->ev));
	for (int k = 0; k < nblobs; k++) {
		for (size_t j = 0; j < blob_size; j++)
			blob[j] = (uint8_t)(k + (j % 251) * (j / 4096 + 1));
		assert_int_equal(trace_writer_put_blob(w, blob, blob_size,
						       b->blobs[k]), TRACE_OK);
		b->nblobs++;
	}
	for (uint64_t i = 0; i < n; i++) {
		struct saved *s = &b->ev[i];

		gen_event(i, &s->ev, data, (const uint8_t (*)[16])b->blobs,
			  b->nblobs);
		s->ev.index = 12345;  /* the writer assigns it */
		assert_int_equal(trace_writer_put(w, &s->ev), TRACE_OK);
		assert_int_equal(s->ev.index, i);
		if (s->ev.data_len) {
			s->data = malloc(s->ev.data_len);
			memcpy(s->data, s->ev.data, s->ev.data_len);
			s->ev.data = s->data;
		}
	}
	assert_int_equal(trace_writer_events(w), n);
	if (close_it)
		assert_int_equal(trace_writer_close(w), TRACE_OK);
	else {
		assert_int_equal(trace_writer_flush(w), TRACE_OK);
		/* leak-free abandon: copy the file, then close the writer */
		size_t len;
		uint8_t *p = slurp(b->path, &len);

		assert_int_equal(trace_writer_close(w), TRACE_OK);
		spill(b->path, p, len);
		free(p);
	}
	{
		size_t len;
		uint8_t *p = slurp(b->path, &len);

		b->meta_end = FILE_HDR_SIZE + CHUNK_HDR_SIZE +
			      le64_get(p + FILE_HDR_SIZE + 16);
		free(p);
	}
	b->n = n;
	free(data);
	free(blob);
}

static void unbuild(struct built *b)
{
	for (uint64_t i = 0; i < b->n; i++)
		free(b->ev[i].data);
	free(b->ev);
	free(b->blobs);
	drop_path(b->path);
}

/* Read everything from R and compare with B; returns the events read. */
static uint64_t read_all(struct trace_reader *r, const struct built *b)
{
	struct trace_event ev;
	uint64_t n = 0, seen = 0;
	int err;

	while ((err = trace_reader_next(r, &ev)) == TRACE_OK) {
		assert_true(n < b->n);
		assert_event_equal(&b->ev[n].ev, &ev);
		for (int k = 0; ev.has_blob && k < b->nblobs && k < 64; k++) {
			void *d;
			size_t len;

			if (memcmp(ev.blob, b->blobs[k], 16) || (seen >> k & 1))
				continue;
			/* blobs always precede the events using them */
			assert_int_equal(trace_reader_blob(r, ev.blob, &d, &len),
					 TRACE_OK);
			free(d);
			seen |= 1ull << k;
		}
		n++;
	}
	assert_int_equal(err, TRACE_E_END);
	assert_int_equal(trace_reader_next(r, &ev), TRACE_E_END);
	return n;
}

/* ---- tests ---- */

static void test_strerror_all(void **state)
{
	for (int e = TRACE_E_INVAL; e <= TRACE_OK; e++) {
		const char *s = trace_strerror(e);

		assert_non_null(s);
		assert_string_not_equal(s, trace_strerror(999));
		for (int f = TRACE_E_INVAL; f < e; f++)
			assert_string_not_equal(s, trace_strerror(f));
	}
	assert_non_null(strstr(trace_strerror(TRACE_E_VERSION), "version 2"));
}

static void test_hash_canonical(void **state)
{
	XXH128_hash_t h = XXH3_128bits("abc", 3);
	uint8_t out[16], want[16];

	for (int i = 0; i < 8; i++) {
		want[i] = (uint8_t)(h.high64 >> (56 - 8 * i));
		want[8 + i] = (uint8_t)(h.low64 >> (56 - 8 * i));
	}
	trace_hash("abc", 3, out);
	assert_memory_equal(out, want, 16);
	trace_hash("abd", 3, want);
	assert_memory_not_equal(out, want, 16);
}

static void test_varint_edges(void **state)
{
	uint64_t vals[] = { 0, 1, 127, 128, 16383, 16384, UINT32_MAX,
			    (uint64_t)INT64_MAX, UINT64_MAX };
	struct obuf o = { 0 };
	uint8_t over[11];

	assert_int_equal(trace_obuf_reserve(&o, 100), 0);
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
		trace_put_varint(&o, vals[i]);
	struct ibuf in = { o.p, o.len, 0 };
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		uint64_t v;

		assert_int_equal(trace_get_varint(&in, &v), 0);
		assert_int_equal(v, vals[i]);
	}
	assert_int_equal(in.pos, in.len);
	/* 11 continuation bytes, and a 10th byte with bits beyond 64 */
	memset(over, 0x80, sizeof(over));
	in = (struct ibuf){ over, sizeof(over), 0 };
	uint64_t v;
	assert_int_equal(trace_get_varint(&in, &v), TRACE_E_CORRUPT);
	over[9] = 0x02;
	in = (struct ibuf){ over, 10, 0 };
	assert_int_equal(trace_get_varint(&in, &v), TRACE_E_CORRUPT);
	in = (struct ibuf){ over, 3, 0 };
	assert_int_equal(trace_get_varint(&in, &v), TRACE_E_CORRUPT);
	assert_int_equal(zigzag_dec(zigzag_enc(INT64_MIN)), INT64_MIN);
	assert_int_equal(zigzag_enc(-1), 1);
	trace_obuf_free(&o);
}

static void test_meta_roundtrip(void **state)
{
	struct trace_meta m, got;
	struct obuf o = { 0 };

	fill_meta(&m);
	assert_int_equal(trace_meta_encode(&o, &m), TRACE_OK);
	assert_int_equal(trace_meta_decode(o.p, o.len, &got), TRACE_OK);
	assert_meta_equal(&m, &got);
	assert_null(got.argv[got.argc]);
	assert_null(got.envp[got.envc]);
	trace_meta_free(&got);
	assert_null(got.program);
	assert_int_equal(got.argc, 0);
	assert_null(got.argv);
	/* every strict prefix and one extra byte are corrupt */
	for (size_t cut = 0; cut < o.len; cut++)
		assert_int_equal(trace_meta_decode(o.p, cut, &got),
				 TRACE_E_CORRUPT);
	trace_obuf_reserve(&o, 1);
	trace_put_u8(&o, 0);
	assert_int_equal(trace_meta_decode(o.p, o.len, &got), TRACE_E_CORRUPT);
	trace_obuf_free(&o);
}

static void test_meta_nulls_through_file(void **state)
{
	char *argv[] = { "prog", NULL, "" };
	struct trace_meta m = { .argc = 3, .argv = argv, .cwd = "",
				.record_time_ns = -5 };
	const struct trace_meta *got;
	struct trace_writer *w;
	struct trace_reader *r;
	char *path = tmp_path();
	int err;

	w = trace_writer_open(path, &m, &err);
	assert_non_null(w);
	assert_int_equal(trace_writer_close(w), TRACE_OK);
	r = trace_reader_open(path, &err);
	assert_int_equal(err, TRACE_OK);
	assert_non_null(r);
	got = trace_reader_meta(r);
	assert_meta_equal(&m, got);
	assert_null(got->program);
	assert_null(got->argv[1]);
	assert_string_equal(got->argv[2], "");
	assert_string_equal(got->cwd, "");
	assert_null(got->hostname);
	assert_int_equal(got->envc, 0);
	assert_true(trace_reader_complete(r));
	assert_int_equal(trace_reader_event_count(r), 0);
	struct trace_event ev;
	assert_int_equal(trace_reader_next(r, &ev), TRACE_E_END);
	trace_reader_close(r);
	drop_path(path);
}

static void test_events_all_combinations(void **state)
{
	struct built b;
	struct trace_reader *r;
	struct trace_stats st;
	int err;

	build(&b, 3 * 224 + 3000, 3, 100, true);
	r = trace_reader_open(b.path, &err);
	assert_int_equal(err, TRACE_OK);
	assert_true(trace_reader_complete(r));
	{
		struct trace_meta m;

		fill_meta(&m);
		assert_meta_equal(&m, trace_reader_meta(r));
	}
	assert_int_equal(trace_reader_event_count(r), b.n);
	assert_int_equal(read_all(r, &b), b.n);
	trace_reader_stats(r, &st);
	assert_int_equal(st.events, b.n);
	assert_int_equal(st.blobs, 3);
	assert_int_equal(st.blob_bytes, 300);
	assert_true(st.event_chunks >= 1);
	assert_true(st.raw_event_bytes > 0 && st.comp_event_bytes > 0);
	trace_reader_close(r);
	unbuild(&b);
}

/* Many syscall-like events: several chunks, and the delta coding keeps
 * a typical syscall small. */
static void test_many_syscalls_compact(void **state)
{
	struct trace_meta m;
	struct trace_writer *w;
	struct trace_reader *r;
	struct trace_stats st;
	struct trace_event ev;
	char *path = tmp_path();
	const uint64_t n = 200000;
	int err;

	fill_meta(&m);
	w = trace_writer_open(path, &m, &err);
	assert_non_null(w);
	for (uint64_t i = 0; i < n; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.type = EV_SYSCALL;
		ev.tid = 1000 + (i % 97 == 0);
		ev.op = i % 2 ? 0 : 1;
		ev.nargs = 6;
		ev.args[0] = 3 + i % 5;
		ev.args[1] = 0x7ffffffde000ull + (i % 64) * 16;
		ev.args[2] = 4096;
		ev.args[3] = ev.args[4] = ev.args[5] = 0;
		ev.rip = 0x401234 + (i % 3) * 8;
		ev.result = (int64_t)(i % 4096);
		assert_int_equal(trace_writer_put(w, &ev), TRACE_OK);
	}
	assert_int_equal(trace_writer_close(w), TRACE_OK);
	r = trace_reader_open(path, &err);
	assert_non_null(r);
	trace_reader_stats(r, &st);
	assert_int_equal(st.events, n);
	assert_true(st.event_chunks >= 2);
	assert_true(st.raw_event_bytes / n <= 16);
	for (uint64_t i = 0; i < n; i++) {
		assert_int_equal(trace_reader_next(r, &ev), TRACE_OK);
		assert_int_equal(ev.index, i);
		assert_int_equal(ev.tid, 1000 + (i % 97 == 0));
		assert_int_equal(ev.args[1], 0x7ffffffde000ull + (i % 64) * 16);
		assert_int_equal(ev.args[0], 3 + i % 5);
		assert_int_equal(ev.rip, 0x401234 + (i % 3) * 8);
		assert_int_equal(ev.result, (int64_t)(i % 4096));
	}
	assert_int_equal(trace_reader_next(r, &ev), TRACE_E_END);
	trace_reader_close(r);
	drop_path(path);
}

static void test_blobs(void **state)
{
	struct trace_meta m;
	struct trace_writer *w;
	struct trace_reader *r;
	struct trace_stats st;
	struct trace_event ev = { .type = EV_HOST, .op = 1 };
	uint8_t h1[16], h2[16], h3[16], h0[16], none[16] = { 1 };
	size_t big = 3u << 20, len;
	uint8_t *data = malloc(big);
	void *got;
	char *path = tmp_path();
	int err;

	for (size_t i = 0; i < big; i++)
		data[i] = (uint8_t)(rnd() >> 60) + (uint8_t)(i >> 12);
	fill_meta(&m);
	w = trace_writer_open(path, &m, &err);
	assert_non_null(w);
	assert_int_equal(trace_writer_put_blob(w, data, big, h1), TRACE_OK);
	assert_int_equal(trace_writer_put_blob(w, "small", 5, h2), TRACE_OK);
	assert_int_equal(trace_writer_put_blob(w, data, big, h3), TRACE_OK);
	assert_int_equal(trace_writer_put_blob(w, NULL, 0, h0), TRACE_OK);
	assert_memory_equal(h1, h3, 16);
	trace_hash(data, big, h3);
	assert_memory_equal(h1, h3, 16);
	memcpy(ev.blob, h1, 16);
	ev.has_blob = true;
	assert_int_equal(trace_writer_put(w, &ev), TRACE_OK);
	memcpy(ev.blob, none, 16);
	assert_int_equal(trace_writer_put(w, &ev), TRACE_E_NOBLOB);
	assert_int_equal(trace_writer_events(w), 1);
	assert_int_equal(trace_writer_close(w), TRACE_OK);

	r = trace_reader_open(path, &err);
	assert_non_null(r);
	trace_reader_stats(r, &st);
	assert_int_equal(st.blobs, 3);  /* the big one once */
	assert_int_equal(st.blob_bytes, big + 5);
	assert_true(st.file_bytes < big + 4096);
	assert_int_equal(trace_reader_blob(r, h1, &got, &len), TRACE_OK);
	assert_int_equal(len, big);
	assert_memory_equal(got, data, big);
	free(got);
	assert_int_equal(trace_reader_blob(r, h2, &got, &len), TRACE_OK);
	assert_int_equal(len, 5);
	assert_memory_equal(got, "small", 5);
	free(got);
	assert_int_equal(trace_reader_blob(r, h0, &got, &len), TRACE_OK);
	assert_int_equal(len, 0);
	free(got);
	assert_int_equal(trace_reader_blob(r, none, &got, &len),
			 TRACE_E_NOBLOB);
	assert_null(got);
	assert_int_equal(trace_reader_next(r, &ev), TRACE_OK);
	assert_true(ev.has_blob);
	assert_memory_equal(ev.blob, h1, 16);
	trace_reader_close(r);
	drop_path(path);
	free(data);
}

static void test_writer_rejects(void **state)
{
	struct trace_meta m;
	struct trace_writer *w;
	struct trace_event ev = { .type = EV_SYSCALL };
	char *path = tmp_path();
	int err;

	fill_meta(&m);
	w = trace_writer_open(path, &m, &err);
	assert_non_null(w);
	ev.type = 0;
	assert_int_equal(trace_writer_put(w, &ev), TRACE_E_INVAL);
	ev.type = 4;
	assert_int_equal(trace_writer_put(w, &ev), TRACE_E_INVAL);
	ev.type = EV_SYSCALL;
	ev.nargs = 7;
	assert_int_equal(trace_writer_put(w, &ev), TRACE_E_INVAL);
	ev.nargs = 0;
	ev.data_len = 4;
	assert_int_equal(trace_writer_put(w, &ev), TRACE_E_INVAL);
	ev.data_len = 0;
	assert_int_equal(trace_writer_events(w), 0);
	assert_int_equal(trace_writer_put(w, &ev), TRACE_OK);
	assert_int_equal(ev.index, 0);
	assert_int_equal(trace_writer_close(w), TRACE_OK);
	assert_null(trace_writer_open("/nonexistent-dir/x.trace", &m, &err));
	assert_int_equal(err, TRACE_E_IO);
	drop_path(path);
}

/* Open FILE cut to CUT bytes: an error only before META is whole, and
 * otherwise a clean prefix of whole chunks. Returns events read. */
static uint64_t check_cut(const struct built *b, const uint8_t *file,
			  size_t size, size_t cut, const char *path)
{
	struct trace_reader *r;
	uint64_t n;
	int err;

	spill(path, file, cut);
	r = trace_reader_open(path, &err);
	if (cut < b->meta_end) {
		assert_null(r);
		assert_int_equal(err, TRACE_E_TRUNCATED);
		return 0;
	}
	assert_non_null(r);
	assert_int_equal(err, TRACE_OK);
	assert_int_equal(trace_reader_complete(r), cut == size);
	n = read_all(r, b);
	assert_int_equal(n, trace_reader_event_count(r));
	if (cut == size)
		assert_int_equal(n, b->n);
	trace_reader_close(r);
	return n;
}

/* 40 events in three EVENTS chunks with a blob between each. */
static void build_small(struct built *b)
{
	struct trace_meta m;
	struct trace_writer *w;
	uint8_t data[8192];
	int err;

	memset(b, 0, sizeof(*b));
	fill_meta(&m);
	b->path = tmp_path();
	b->n = 40;
	b->ev = calloc(b->n, sizeof(*b->ev));
	b->blobs = calloc(2, 16);
	w = trace_writer_open(b->path, &m, &err);
	assert_non_null(w);
	for (uint64_t i = 0; i < b->n; i++) {
		struct saved *s = &b->ev[i];

		if (i == 10 || i == 25) {
			assert_int_equal(trace_writer_flush(w), 0);
			assert_int_equal(trace_writer_put_blob(w, &i, sizeof(i),
					 b->blobs[b->nblobs++]), 0);
		}
		gen_event(i * 7 % 600, &s->ev, data,
			  (const uint8_t (*)[16])b->blobs, b->nblobs);
		assert_int_equal(trace_writer_put(w, &s->ev), 0);
		if (s->ev.data_len) {
			s->data = malloc(s->ev.data_len);
			memcpy(s->data, data, s->ev.data_len);
			s->ev.data = s->data;
		}
	}
	assert_int_equal(trace_writer_close(w), 0);
}

static void test_truncate_every_cut_small(void **state)
{
	struct built b;
	uint8_t *file;
	size_t size;
	char *path = tmp_path();
	uint64_t last = 0;

	build_small(&b);
	file = slurp(b.path, &size);
	b.meta_end = FILE_HDR_SIZE + CHUNK_HDR_SIZE +
		     le64_get(file + FILE_HDR_SIZE + 16);
	for (size_t cut = 0; cut <= size; cut++) {
		uint64_t n = check_cut(&b, file, size, cut, path);

		assert_true(n >= last);  /* more file, never fewer events */
		last = n;
	}
	assert_int_equal(last, b.n);
	free(file);
	unbuild(&b);
	drop_path(path);
}

static void test_truncate_large(void **state)
{
	struct built b;
	uint8_t *file;
	size_t size, off;
	char *path = tmp_path();
	uint64_t chunks = 0;

	build(&b, 60000, 3, 1500000, true);
	file = slurp(b.path, &size);
	/* cut at and around every chunk boundary, and at random points */
	for (off = FILE_HDR_SIZE; off < size;
	     off += CHUNK_HDR_SIZE + le64_get(file + off + 16)) {
		for (int d = -1; d <= 1; d++)
			check_cut(&b, file, size, off + d, path);
		check_cut(&b, file, size, off + CHUNK_HDR_SIZE, path);
		chunks++;
	}
	assert_int_equal(off, size);
	assert_true(chunks > 6);
	for (int i = 0; i < 12; i++)
		check_cut(&b, file, size, rnd() % size, path);
	check_cut(&b, file, size, size, path);
	free(file);
	unbuild(&b);
	drop_path(path);
}

static void test_flip_every_byte(void **state)
{
	struct built b;
	uint8_t *file;
	size_t size;
	char *path = tmp_path();
	const uint8_t masks[] = { 0x01, 0x80, 0xff };

	build(&b, 12, 1, 20, true);
	file = slurp(b.path, &size);
	assert_true(size < 4096);
	for (size_t off = 0; off < size; off++) {
		for (size_t k = 0; k < sizeof(masks); k++) {
			struct trace_reader *r;
			int err = 0;

			file[off] ^= masks[k];
			spill(path, file, size);
			r = trace_reader_open(path, &err);
			if (r)
				fail_msg("flip 0x%02x at %zu opened", masks[k],
					 off);
			assert_true(err == TRACE_E_CORRUPT ||
				    err == TRACE_E_MAGIC ||
				    err == TRACE_E_VERSION ||
				    err == TRACE_E_TRUNCATED);
			if (off < TRACE_MAGIC_LEN)
				assert_int_equal(err, TRACE_E_MAGIC);
			else if (off < 12)
				assert_int_equal(err, TRACE_E_VERSION);
			file[off] ^= masks[k];
		}
	}
	free(file);
	unbuild(&b);
	drop_path(path);
}

static void test_version_magic_and_empty(void **state)
{
	struct built b;
	uint8_t *file;
	size_t size;
	char *path = tmp_path();
	int err;

	build(&b, 5, 0, 0, true);
	file = slurp(b.path, &size);
	/* a well-formed header of another version */
	trace_file_hdr_pack(file, TRACE_VERSION + 1);
	spill(path, file, size);
	assert_null(trace_reader_open(path, &err));
	assert_int_equal(err, TRACE_E_VERSION);
	trace_file_hdr_pack(file, TRACE_VERSION);
	spill(path, file, size);
	{
		struct trace_reader *r = trace_reader_open(path, &err);

		assert_non_null(r);
		trace_reader_close(r);
	}
	spill(path, "#!/bin/sh\necho hello, world\n", 28);
	assert_null(trace_reader_open(path, &err));
	assert_int_equal(err, TRACE_E_MAGIC);
	spill(path, "", 0);
	assert_null(trace_reader_open(path, &err));
	assert_int_equal(err, TRACE_E_TRUNCATED);
	spill(path, file, FILE_HDR_SIZE);  /* header, no META */
	assert_null(trace_reader_open(path, &err));
	assert_int_equal(err, TRACE_E_TRUNCATED);
	assert_null(trace_reader_open("/nonexistent/trace", &err));
	assert_int_equal(err, TRACE_E_IO);
	free(file);
	unbuild(&b);
	drop_path(path);
}

static void test_rewind(void **state)
{
	struct built b;
	struct trace_reader *r;
	struct trace_event ev;
	int err;

	build(&b, 30000, 2, 10, true);
	r = trace_reader_open(b.path, &err);
	assert_non_null(r);
	for (int i = 0; i < 1234; i++)
		assert_int_equal(trace_reader_next(r, &ev), TRACE_OK);
	assert_int_equal(ev.index, 1233);
	assert_int_equal(trace_reader_rewind(r), TRACE_OK);
	assert_int_equal(read_all(r, &b), b.n);
	assert_int_equal(trace_reader_rewind(r), TRACE_OK);
	assert_int_equal(read_all(r, &b), b.n);
	trace_reader_close(r);
	unbuild(&b);
}

static void test_unclosed_writer(void **state)
{
	struct built b;
	struct trace_reader *r;
	int err;

	build(&b, 5000, 1, 10, false);
	r = trace_reader_open(b.path, &err);
	assert_non_null(r);
	assert_false(trace_reader_complete(r));
	assert_int_equal(trace_reader_event_count(r), b.n);
	assert_int_equal(read_all(r, &b), b.n);
	trace_reader_close(r);
	unbuild(&b);
}

/* ---- seek ---- */

/* Like build() with 2 blobs, but flushes after groups of 1..GROUP_MAX
 * events so the trace has many chunks; FIRSTS (malloc'd) gets the first
 * event of each chunk and *NCHUNKS their number. */
#define GROUP_MAX 97

static void build_chunked(struct built *b, uint64_t n, bool close_it,
			  uint64_t **firsts, size_t *nchunks)
{
	struct trace_meta m;
	struct trace_writer *w;
	uint8_t *data = malloc(8192), blob[64];
	uint64_t left = 0;
	int err;

	assert_non_null(data);
	memset(b, 0, sizeof(*b));
	fill_meta(&m);
	b->path = tmp_path();
	w = trace_writer_open(b->path, &m, &err);
	assert_non_null(w);
	b->blobs = calloc(2, 16);
	b->ev = calloc(n + 1, sizeof(*b->ev));
	*firsts = calloc(n + 1, sizeof(**firsts));
	*nchunks = 0;
	for (int k = 0; k < 2; k++) {
		memset(blob, 'a' + k, sizeof(blob));
		assert_int_equal(trace_writer_put_blob(w, blob, sizeof(blob),
						       b->blobs[k]), TRACE_OK);
		b->nblobs++;
	}
	for (uint64_t i = 0; i < n; i++) {
		struct saved *s = &b->ev[i];

		if (!left) {   /* the first chunks hold 1, then 2 events */
			assert_int_equal(trace_writer_flush(w), TRACE_OK);
			left = i < 3 ? i + 1 : 1 + rnd() % GROUP_MAX;
			(*firsts)[(*nchunks)++] = i;
		}
		left--;
		gen_event(i, &s->ev, data, (const uint8_t (*)[16])b->blobs,
			  b->nblobs);
		assert_int_equal(trace_writer_put(w, &s->ev), TRACE_OK);
		if (s->ev.data_len) {
			s->data = malloc(s->ev.data_len);
			memcpy(s->data, s->ev.data, s->ev.data_len);
			s->ev.data = s->data;
		}
	}
	assert_int_equal(trace_writer_flush(w), TRACE_OK);
	if (close_it) {
		assert_int_equal(trace_writer_close(w), TRACE_OK);
	} else {       /* keep the file as the unclosed writer left it */
		size_t len;
		uint8_t *p = slurp(b->path, &len);

		assert_int_equal(trace_writer_close(w), TRACE_OK);
		spill(b->path, p, len);
		free(p);
	}
	b->n = n;
	free(data);
}

/* Seek to INDEX and check that the next COUNT events (or the end) are
 * what was written. */
static void seek_check(struct trace_reader *r, const struct built *b,
		       uint64_t index, int count)
{
	struct trace_event ev;

	assert_int_equal(trace_reader_seek(r, index), TRACE_OK);
	for (int k = 0; k < count; k++, index++) {
		if (index == b->n) {
			assert_int_equal(trace_reader_next(r, &ev), TRACE_E_END);
			return;
		}
		assert_int_equal(trace_reader_next(r, &ev), TRACE_OK);
		assert_event_equal(&b->ev[index].ev, &ev);
	}
}

/* Every index (and the end) in random order, each followed by 0..3
 * sequential reads that may cross into the next chunk. */
static void test_seek_random(void **state)
{
	struct built b;
	struct trace_reader *r;
	struct trace_stats st;
	uint64_t *firsts, *order;
	size_t nchunks;
	int err;

	build_chunked(&b, 3000, true, &firsts, &nchunks);
	r = trace_reader_open(b.path, &err);
	assert_non_null(r);
	trace_reader_stats(r, &st);
	assert_int_equal(st.event_chunks, nchunks);
	assert_true(nchunks > 30);
	order = malloc((b.n + 1) * sizeof(*order));
	assert_non_null(order);
	for (uint64_t i = 0; i <= b.n; i++)
		order[i] = i;
	for (uint64_t i = b.n; i > 0; i--) {
		uint64_t j = rnd() % (i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (uint64_t i = 0; i <= b.n; i++)
		seek_check(r, &b, order[i], 1 + (int)(rnd() % 4));
	/* and straight through, seeking to where the stream already is */
	for (uint64_t i = 0; i <= b.n; i++)
		seek_check(r, &b, i, 1);
	free(order);
	free(firsts);
	trace_reader_close(r);
	unbuild(&b);
}

/* Chunk boundaries, backwards within a chunk, the end, past the end,
 * and seeks mixed with next and rewind. */
static void test_seek_boundaries(void **state)
{
	struct built b;
	struct trace_reader *r;
	struct trace_event ev;
	uint64_t *firsts;
	size_t nchunks;
	int err;

	build_chunked(&b, 1500, true, &firsts, &nchunks);
	r = trace_reader_open(b.path, &err);
	assert_non_null(r);
	assert_int_equal(trace_reader_event_count(r), b.n);
	for (size_t c = nchunks; c-- > 0;) {
		uint64_t f = firsts[c];
		uint64_t last = (c + 1 < nchunks ? firsts[c + 1] : b.n) - 1;

		seek_check(r, &b, f, 2);                 /* first (and on) */
		seek_check(r, &b, last, 3);              /* last, across */
		seek_check(r, &b, f, 1);                 /* back in a chunk */
		if (f)
			seek_check(r, &b, f - 1, 3);     /* across from before */
	}
	/* a partly read chunk, then back to its start and forward again */
	seek_check(r, &b, firsts[5] + 1, 1);
	seek_check(r, &b, firsts[5], 1);
	seek_check(r, &b, firsts[5] + 1, 1);
	/* the end: next says END, every time */
	seek_check(r, &b, b.n, 1);
	assert_int_equal(trace_reader_next(r, &ev), TRACE_E_END);
	seek_check(r, &b, b.n - 1, 2);
	/* past the end: refused, the position stays */
	seek_check(r, &b, 700, 1);
	assert_int_equal(trace_reader_seek(r, b.n + 1), TRACE_E_INVAL);
	assert_int_equal(trace_reader_seek(r, UINT64_MAX), TRACE_E_INVAL);
	assert_int_equal(trace_reader_next(r, &ev), TRACE_OK);
	assert_event_equal(&b.ev[701].ev, &ev);
	/* rewind after a seek, seek after a rewind */
	assert_int_equal(trace_reader_rewind(r), TRACE_OK);
	assert_int_equal(trace_reader_next(r, &ev), TRACE_OK);
	assert_event_equal(&b.ev[0].ev, &ev);
	assert_int_equal(trace_reader_rewind(r), TRACE_OK);
	seek_check(r, &b, firsts[7], 2);
	assert_int_equal(trace_reader_rewind(r), TRACE_OK);
	assert_int_equal(read_all(r, &b), b.n);
	seek_check(r, &b, 0, 1);
	for (uint64_t i = 1; i < b.n; i++) {
		assert_int_equal(trace_reader_next(r, &ev), TRACE_OK);
		assert_event_equal(&b.ev[i].ev, &ev);
	}
	assert_int_equal(trace_reader_next(r, &ev), TRACE_E_END);
	free(firsts);
	trace_reader_close(r);
	unbuild(&b);
}

/* An unclosed trace seeks like a complete one; an empty one has only its
 * end. */
static void test_seek_incomplete_and_empty(void **state)
{
	struct built b;
	struct trace_reader *r;
	uint64_t *firsts;
	size_t nchunks;
	int err;

	build_chunked(&b, 400, false, &firsts, &nchunks);
	r = trace_reader_open(b.path, &err);
	assert_non_null(r);
	assert_false(trace_reader_complete(r));
	for (uint64_t i = b.n + 1; i-- > 0;)
		seek_check(r, &b, i, 2);
	assert_int_equal(trace_reader_seek(r, b.n + 1), TRACE_E_INVAL);
	free(firsts);
	trace_reader_close(r);
	unbuild(&b);

	build_chunked(&b, 0, true, &firsts, &nchunks);
	r = trace_reader_open(b.path, &err);
	assert_non_null(r);
	assert_int_equal(nchunks, 0);
	seek_check(r, &b, 0, 1);
	assert_int_equal(trace_reader_seek(r, 1), TRACE_E_INVAL);
	free(firsts);
	trace_reader_close(r);
	unbuild(&b);
}

/* A chunk damaged after open: seeking into it fails and the error sticks
 * for next; a seek elsewhere recovers, and seeks past it succeed (a seek
 * decodes only its own chunk). */
static void test_seek_damaged_chunk(void **state)
{
	struct built b;
	struct trace_reader *r;
	struct trace_event ev;
	uint64_t *firsts, off = FILE_HDR_SIZE;
	size_t nchunks, len;
	int err, events = 0;
	uint8_t *p;

	build_chunked(&b, 600, true, &firsts, &nchunks);
	r = trace_reader_open(b.path, &err);
	assert_non_null(r);
	p = slurp(b.path, &len);
	for (;;) {   /* find the 4th EVENTS chunk, firsts[3] */
		uint64_t comp = le64_get(p + off + 16);

		if (p[off + 4] == CHUNK_EVENTS && events++ == 3) {
			p[off + CHUNK_HDR_SIZE + comp / 2] ^= 0x40;
			break;
		}
		off += CHUNK_HDR_SIZE + comp;
		assert_true(off < len);
	}
	spill(b.path, p, len);
	free(p);
	seek_check(r, &b, firsts[2], 1);
	assert_int_equal(trace_reader_seek(r, firsts[3] + 1), TRACE_E_CORRUPT);
	assert_int_equal(trace_reader_next(r, &ev), TRACE_E_CORRUPT);
	seek_check(r, &b, firsts[3] - 1, 1);
	assert_int_equal(trace_reader_next(r, &ev), TRACE_E_CORRUPT);
	seek_check(r, &b, firsts[4], 3);
	seek_check(r, &b, b.n, 1);
	free(firsts);
	trace_reader_close(r);
	unbuild(&b);
}

static void test_event_decode_malformed(void **state)
{
	struct obuf o = { 0 };
	struct ev_state s;
	struct trace_event ev, got;
	uint8_t data[8192], garbage[64];
	uint8_t blobs[1][16] = { { 7 } };

	for (uint64_t i = 0; i < 3 * 224; i++) {
		gen_event(i, &ev, data, (const uint8_t (*)[16])blobs, 1);
		o.len = 0;
		trace_ev_state_reset(&s);
		assert_int_equal(trace_ev_encode(&o, &s, &ev), TRACE_OK);
		for (size_t cut = 0; cut < o.len; cut++) {
			struct ibuf in = { o.p, cut, 0 };

			trace_ev_state_reset(&s);
			assert_int_equal(trace_ev_decode(&in, &s, &got),
					 TRACE_E_CORRUPT);
		}
		struct ibuf in = { o.p, o.len, 0 };
		trace_ev_state_reset(&s);
		got.index = ev.index;
		assert_int_equal(trace_ev_decode(&in, &s, &got), TRACE_OK);
		assert_int_equal(in.pos, o.len);
		assert_event_equal(&ev, &got);
	}
	/* garbage decodes or fails, never past the end */
	for (int t = 0; t < 20000; t++) {
		size_t n = rnd() % sizeof(garbage);
		struct ibuf in = { garbage, n, 0 };

		for (size_t k = 0; k < n; k++)
			garbage[k] = (uint8_t)rnd();
		garbage[0] = (uint8_t)(1 + rnd() % 3);
		if (n > 1)
			garbage[1] &= 0x1f;
		trace_ev_state_reset(&s);
		while (in.pos < in.len &&
		       trace_ev_decode(&in, &s, &got) == TRACE_OK) {
			assert_true(in.pos <= in.len);
			if (got.data_len)
				assert_true(got.data + got.data_len <=
					    garbage + n);
		}
	}
	trace_obuf_free(&o);
}

/* A hand-made chunk with valid checksums but hostile fields. */
static size_t put_chunk(uint8_t *at, uint8_t type, uint64_t raw_len,
			const uint8_t info[16], const void *comp, size_t clen)
{
	struct chunk_hdr h = { .type = type, .raw_len = raw_len,
			       .comp_len = clen };

	if (info)
		memcpy(h.info, info, 16);
	memcpy(at + CHUNK_HDR_SIZE, comp, clen);
	trace_chunk_hdr_pack(at, &h, at + CHUNK_HDR_SIZE);
	return CHUNK_HDR_SIZE + clen;
}

static void test_hostile_fields(void **state)
{
	struct built b;
	uint8_t *file, *f2, info[16] = { 0 };
	size_t size, body;
	char *path = tmp_path();
	int err;

	build(&b, 3, 0, 0, true);
	file = slurp(b.path, &size);
	body = b.meta_end;          /* header + META */
	f2 = malloc(size + 4096);
	struct {
		uint8_t type;
		uint64_t raw_len;
		uint64_t first, count;
	} cases[] = {
		{ CHUNK_EVENTS, 4ull << 30, 0, 1 },      /* 4 GiB events */
		{ CHUNK_EVENTS, 100, 5, 1 },             /* index gap */
		{ CHUNK_EVENTS, 100, 0, 0 },             /* empty chunk */
		{ CHUNK_EVENTS, 100, 0, 1000 },          /* more than fit */
		{ CHUNK_BLOB, 5ull << 30, 0, 0 },        /* 5 GiB blob */
		{ CHUNK_META, 10, 0, 0 },                /* second META */
		{ CHUNK_END, 1000, 0, 0 },               /* fat END */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = body;

		memcpy(f2, file, body);
		le64_put(info, cases[i].first);
		le64_put(info + 8, cases[i].count);
		/* a frame-sized payload: the checks must come before it is used */
		n += put_chunk(f2 + n, cases[i].type, cases[i].raw_len, info,
			       "\x28\xb5\x2f\xfd\x20\x00\x01\x00\x00", 9);
		spill(path, f2, n);
		assert_null(trace_reader_open(path, &err));
		assert_int_equal(err, TRACE_E_CORRUPT);
	}
	/* anything after END */
	memcpy(f2, file, size);
	f2[size] = 0;
	spill(path, f2, size + 1);
	assert_null(trace_reader_open(path, &err));
	assert_int_equal(err, TRACE_E_CORRUPT);
	/* a first chunk that is not META */
	memcpy(f2, file, FILE_HDR_SIZE);
	memcpy(f2 + FILE_HDR_SIZE, file + body, size - body);
	spill(path, f2, FILE_HDR_SIZE + size - body);
	assert_null(trace_reader_open(path, &err));
	assert_int_equal(err, TRACE_E_CORRUPT);
	/* an EVENTS chunk whose payload is garbage with a good checksum:
	 * opens (payloads decode lazily), next() reports it */
	{
		uint8_t junk[64];
		struct trace_reader *r;
		struct trace_event ev;
		size_t n = body;

		memset(junk, 0xee, sizeof(junk));
		memcpy(f2, file, body);
		le64_put(info, 0);
		le64_put(info + 8, 2);
		n += put_chunk(f2 + n, CHUNK_EVENTS, 64, info, junk, 64);
		spill(path, f2, n);
		r = trace_reader_open(path, &err);
		assert_non_null(r);
		assert_false(trace_reader_complete(r));
		assert_int_equal(trace_reader_next(r, &ev), TRACE_E_CORRUPT);
		assert_int_equal(trace_reader_next(r, &ev), TRACE_E_CORRUPT);
		trace_reader_close(r);
	}
	free(f2);
	free(file);
	unbuild(&b);
	drop_path(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strerror_all),
		cmocka_unit_test(test_hash_canonical),
		cmocka_unit_test(test_varint_edges),
		cmocka_unit_test(test_meta_roundtrip),
		cmocka_unit_test(test_meta_nulls_through_file),
		cmocka_unit_test(test_events_all_combinations),
		cmocka_unit_test(test_many_syscalls_compact),
		cmocka_unit_test(test_blobs),
		cmocka_unit_test(test_writer_rejects),
		cmocka_unit_test(test_truncate_every_cut_small),
		cmocka_unit_test(test_truncate_large),
		cmocka_unit_test(test_flip_every_byte),
		cmocka_unit_test(test_version_magic_and_empty),
		cmocka_unit_test(test_rewind),
		cmocka_unit_test(test_unclosed_writer),
		cmocka_unit_test(test_seek_random),
		cmocka_unit_test(test_seek_boundaries),
		cmocka_unit_test(test_seek_incomplete_and_empty),
		cmocka_unit_test(test_seek_damaged_chunk),
		cmocka_unit_test(test_event_decode_malformed),
		cmocka_unit_test(test_hostile_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
