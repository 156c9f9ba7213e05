/* core/patch.c — finds rdtsc, rdtscp, cpuid, rdrand, rdseed and xgetbv in
 * guest code with a Zydis linear sweep, keeps the sorted table of sites and
 * writes or removes their ud2 traps in byte buffers. Pure computation: it
 * never touches the host or the guest; callers move the bytes. */
#include "core/patch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <Zydis/Zydis.h>

static const uint8_t trap_bytes[PATCH_TRAP_LEN] = { 0x0f, 0x0b };

/* Sites sorted by addr, no duplicates: lookup is a binary search. */
struct patch_table {
	struct patch_site *v;
	size_t n;
	unsigned skip;  /* bit per patch_kind not to rewrite */
};

void patch_table_skip(struct patch_table *pt, int kind)
{
	pt->skip |= 1u << kind;
}

const char *patch_kind_name(int kind)
{
	switch (kind) {
	case PATCH_RDTSC: return "rdtsc";
	case PATCH_RDTSCP: return "rdtscp";
	case PATCH_CPUID: return "cpuid";
	case PATCH_RDRAND: return "rdrand";
	case PATCH_RDSEED: return "rdseed";
	case PATCH_XGETBV: return "xgetbv";
	case PATCH_RDPID: return "rdpid";
	}
	return "?";
}

struct patch_table *patch_table_new(void)
{
	return calloc(1, sizeof(struct patch_table));
}

void patch_table_free(struct patch_table *pt)
{
	if (!pt)
		return;
	free(pt->v);
	free(pt);
}

struct patch_table *patch_table_clone(const struct patch_table *pt)
{
	struct patch_table *c = malloc(sizeof(*c));

	if (!c)
		return NULL;
	*c = *pt;
	c->v = NULL;
	if (pt->n) {
		c->v = malloc(pt->n * sizeof(*c->v));
		if (!c->v) {
			free(c);
			return NULL;
		}
		memcpy(c->v, pt->v, pt->n * sizeof(*c->v));
	}
	return c;
}

size_t patch_count(const struct patch_table *pt)
{
	return pt->n;
}

/* Index of the first site with addr >= ADDR (n if none). */
static size_t lower_bound(const struct patch_table *pt, uint64_t addr)
{
	size_t lo = 0, hi = pt->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (pt->v[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct patch_site *patch_lookup(const struct patch_table *pt,
				      uint64_t addr)
{
	size_t i = lower_bound(pt, addr);

	if (i < pt->n && pt->v[i].addr == addr)
		return &pt->v[i];
	return NULL;
}

/* Merge the sorted array ADD (length N) into the table; a new site at an
 * address already present replaces the old one. Returns the number of new
 * addresses, or -ENOMEM. */
static int table_merge(struct patch_table *pt, const struct patch_site *add,
		       size_t n)
{
	struct patch_site *out;
	size_t i = 0, j = 0, k = 0, fresh = 0;

	if (n == 0)
		return 0;
	out = malloc((pt->n + n) * sizeof(*out));
	if (!out)
		return -ENOMEM;
	while (i < pt->n || j < n) {
		if (j == n || (i < pt->n && pt->v[i].addr < add[j].addr)) {
			out[k++] = pt->v[i++];
		} else if (i == pt->n || add[j].addr < pt->v[i].addr) {
			out[k++] = add[j++];
			fresh++;
		} else {
			out[k++] = add[j++];
			i++;
		}
	}
	free(pt->v);
	pt->v = out;
	pt->n = k;
	return (int)fresh;
}

static int kind_of(ZydisMnemonic m)
{
	switch (m) {
	case ZYDIS_MNEMONIC_RDTSC: return PATCH_RDTSC;
	case ZYDIS_MNEMONIC_RDTSCP: return PATCH_RDTSCP;
	case ZYDIS_MNEMONIC_CPUID: return PATCH_CPUID;
	case ZYDIS_MNEMONIC_RDRAND: return PATCH_RDRAND;
	case ZYDIS_MNEMONIC_RDSEED: return PATCH_RDSEED;
	case ZYDIS_MNEMONIC_XGETBV: return PATCH_XGETBV;
	case ZYDIS_MNEMONIC_RDPID: return PATCH_RDPID;
	default: return 0;
	}
}

static void fill_site(struct patch_site *s, uint64_t addr, const uint8_t *p,
		      const ZydisDecodedInstruction *in, int kind)
{
	memset(s, 0, sizeof(*s));
	s->addr = addr;
	s->len = in->length;
	s->kind = (uint8_t)kind;
	memcpy(s->orig, p, PATCH_TRAP_LEN);
	if (kind == PATCH_RDRAND || kind == PATCH_RDSEED || kind == PATCH_RDPID) {
		/* 0f c7 /6 or /7 with mod == 3: the register is ModRM.rm
		 * extended by REX.B; the width is the operand size. */
		s->reg = (uint8_t)(in->raw.modrm.rm | (in->raw.rex.B << 3));
		s->width = (uint8_t)(in->operand_width / 8);
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Sorted copy of the STARTS that lie in [base, base+len), as offsets. */
static int sorted_starts(uint64_t base, size_t len, const uint64_t *starts,
			 size_t nstarts, uint64_t **out, size_t *nout)
{
	size_t i, n = 0;
	uint64_t *v;

	*out = NULL;
	*nout = 0;
	if (!starts || nstarts == 0)
		return 0;
	v = malloc(nstarts * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; i < nstarts; i++)
		if (starts[i] >= base && starts[i] - base < len)
			v[n++] = starts[i] - base;
	qsort(v, n, sizeof(*v), cmp_u64);
	*out = v;
	*nout = n;
	return 0;
}

struct site_buf {
	struct patch_site *v;
	size_t n, cap;
};

static int site_push(struct site_buf *b, const struct patch_site *s)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 16;
		struct patch_site *v = realloc(b->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		b->v = v;
		b->cap = cap;
	}
	b->v[b->n++] = *s;
	return 0;
}

/**
 * patch_scan() - linear sweep over CODE (guest address BASE).
 *
 * Undecodable bytes advance the sweep by one. When an instruction would
 * run over a known start, the sweep restarts exactly at that start, so a
 * desynchronised sweep (data in text, padding) recovers at the next
 * function symbol.
 */
int patch_scan(struct patch_table *pt, uint64_t base, const uint8_t *code,
	       size_t len, const uint64_t *starts, size_t nstarts)
{
	ZydisDecoder dec;
	ZydisDecodedInstruction in;
	struct site_buf found = { 0 };
	uint64_t *st;
	size_t nst, si = 0, off = 0;
	int rc;

	if (!pt || (!code && len))
		return -EINVAL;
	if (ZYAN_FAILED(ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64,
					 ZYDIS_STACK_WIDTH_64)))
		return -EINVAL;
	rc = sorted_starts(base, len, starts, nstarts, &st, &nst);
	if (rc < 0)
		return rc;
	while (off < len) {
		size_t next;

		while (si < nst && st[si] < off)
			si++;
		if (ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(
			    &dec, NULL, code + off, len - off, &in))) {
			int kind = kind_of(in.mnemonic);

			if (pt->skip & (1u << kind))
				kind = 0;
			next = off + in.length;
			/* An instruction over a known start is a misdecode:
			 * do not trust it, resume at the start. */
			if (si < nst && st[si] > off && st[si] < next) {
				off = st[si];
				continue;
			}
			if (kind && in.length >= PATCH_TRAP_LEN) {
				struct patch_site s;

				fill_site(&s, base + off, code + off, &in, kind);
				rc = site_push(&found, &s);
				if (rc < 0)
					goto out;
			}
		} else {
			next = off + 1;
		}
		off = next;
	}
	rc = table_merge(pt, found.v, found.n);
out:
	free(found.v);
	free(st);
	return rc;
}

/* Writes the trap (or, with RESTORE, the original bytes) of every site
 * whose first PATCH_TRAP_LEN bytes overlap [base, base+len) into BUF,
 * only the part inside the range for sites straddling either edge. */
static void for_trap_bytes(const struct patch_table *pt, uint64_t base,
			   uint8_t *buf, size_t len, int restore)
{
	uint64_t first = base >= PATCH_TRAP_LEN - 1 ? base - (PATCH_TRAP_LEN - 1)
						    : 0;
	size_t i;

	if (len == 0)
		return;
	for (i = lower_bound(pt, first); i < pt->n; i++) {
		const struct patch_site *s = &pt->v[i];
		const uint8_t *src = restore ? s->orig : trap_bytes;
		unsigned k;

		if (s->addr >= base && s->addr - base >= len)
			break;
		for (k = 0; k < PATCH_TRAP_LEN; k++) {
			uint64_t a = s->addr + k;

			if (a >= base && a - base < len)
				buf[a - base] = src[k];
		}
	}
}

void patch_apply(const struct patch_table *pt, uint64_t base, uint8_t *buf,
		 size_t len)
{
	for_trap_bytes(pt, base, buf, len, 0);
}

void patch_unpatch_view(const struct patch_table *pt, uint64_t addr,
			uint8_t *buf, size_t len)
{
	for_trap_bytes(pt, addr, buf, len, 1);
}

/* A site goes when any byte of its instruction was in the range: the
 * instruction can no longer be executed as it was decoded. */
void patch_remove_range(struct patch_table *pt, uint64_t addr, size_t len)
{
	uint64_t end = addr + len;
	size_t i, k = 0;

	if (len == 0)
		return;
	if (end < addr)
		end = UINT64_MAX;
	for (i = 0; i < pt->n; i++) {
		const struct patch_site *s = &pt->v[i];

		if (s->addr < end && s->addr + s->len > addr)
			continue;
		pt->v[k++] = *s;
	}
	pt->n = k;
}
