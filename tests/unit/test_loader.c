/* tests/unit/test_loader.c — core/elf_parse.c (loader_parse): load plans
 * for real executables compiled at run time (gcc -static, -static-pie,
 * musl-gcc -static, plain dynamic gcc), checked against facts read from
 * the ELF bytes directly with <elf.h> structs (not libelf), and the
 * rejection of 32-bit, foreign, relocatable, text and truncated files. */
#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/kernel.h"
#include "core/loader.h"
#include "core/mm.h"

static const char prog_src[] =
	"#include <stdio.h>\n"
	"int counter = 7;\n"
	"static char zeros[100000];\n"
	"int main(int argc, char **argv)\n"
	"{\n"
	"\tzeros[argc] = 1;\n"
	"\tprintf(\"%d\\n\", counter + zeros[1]);\n"
	"\treturn 0;\n"
	"}\n";

enum fixture { FX_STATIC, FX_STATIC_PIE, FX_MUSL, FX_DYNAMIC, FX_OBJECT, NFX };

static const struct {
	const char *name, *cc, *flags;
} fx_build[NFX] = {
	[FX_STATIC] = { "static", "gcc", "-static" },
	[FX_STATIC_PIE] = { "static-pie", "gcc", "-static-pie" },
	[FX_MUSL] = { "musl", "musl-gcc", "-static" },
	[FX_DYNAMIC] = { "dynamic", "gcc", "" },
	[FX_OBJECT] = { "object.o", "gcc", "-c" },
};

struct file_buf {
	uint8_t *b;
	size_t len;
};

static char tmpdir[] = "/tmp/deja-test-loader-XXXXXX";
static struct file_buf fx[NFX]; /* b == NULL: that compiler is missing */

/* ---- fixtures ---- */

static int read_file(const char *path, struct file_buf *out)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	out->b = malloc((size_t)n);
	out->len = (size_t)n;
	if (!out->b || fread(out->b, 1, out->len, f) != out->len) {
		free(out->b);
		out->b = NULL;
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

static int have_tool(const char *tool)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	return system(cmd) == 0;
}

static int setup(void **state)
{
	char path[256], cmd[1024];
	FILE *f;

	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(path, sizeof(path), "%s/prog.c", tmpdir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(prog_src, f);
	fclose(f);
	for (int i = 0; i < NFX; i++) {
		if (!have_tool(fx_build[i].cc)) /* musl-gcc is optional */
			continue;
		snprintf(cmd, sizeof(cmd), "%s -O1 %s -o %s/%s %s/prog.c",
			 fx_build[i].cc, fx_build[i].flags, tmpdir,
			 fx_build[i].name, tmpdir);
		if (system(cmd) != 0)
			return -1;
		snprintf(path, sizeof(path), "%s/%s", tmpdir, fx_build[i].name);
		if (read_file(path, &fx[i]) < 0)
			return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	char cmd[256];

	for (int i = 0; i < NFX; i++)
		free(fx[i].b);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static const struct file_buf *need(enum fixture i)
{
	if (!fx[i].b)
		skip();
	return &fx[i];
}

/* ---- facts from the ELF bytes ---- */

static const Elf64_Ehdr *ehdr(const struct file_buf *f)
{
	assert_true(f->len >= sizeof(Elf64_Ehdr));
	return (const Elf64_Ehdr *)f->b;
}

static const Elf64_Phdr *phdr(const struct file_buf *f, int i)
{
	const Elf64_Ehdr *e = ehdr(f);

	assert_true(e->e_phoff + (i + 1) * sizeof(Elf64_Phdr) <= f->len);
	return (const Elf64_Phdr *)(f->b + e->e_phoff) + i;
}

static const Elf64_Shdr *shdr(const struct file_buf *f, int i)
{
	const Elf64_Ehdr *e = ehdr(f);

	assert_true(e->e_shoff + (i + 1) * sizeof(Elf64_Shdr) <= f->len);
	return (const Elf64_Shdr *)(f->b + e->e_shoff) + i;
}

static int has_phdr_type(const struct file_buf *f, uint32_t type)
{
	for (int i = 0; i < ehdr(f)->e_phnum; i++)
		if (phdr(f, i)->p_type == type)
			return 1;
	return 0;
}

/* st_value of the function symbol NAME in .symtab, or 0. */
static uint64_t symbol(const struct file_buf *f, const char *name)
{
	for (int i = 0; i < ehdr(f)->e_shnum; i++) {
		const Elf64_Shdr *sh = shdr(f, i);
		if (sh->sh_type != SHT_SYMTAB)
			continue;
		const Elf64_Shdr *str = shdr(f, (int)sh->sh_link);
		const Elf64_Sym *sym = (const Elf64_Sym *)(f->b + sh->sh_offset);
		for (size_t j = 0; j < sh->sh_size / sizeof(*sym); j++)
			if (ELF64_ST_TYPE(sym[j].st_info) == STT_FUNC &&
			    strcmp((const char *)f->b + str->sh_offset +
				   sym[j].st_name, name) == 0)
				return sym[j].st_value;
	}
	return 0;
}

static int prot_of(uint32_t pf)
{
	return (pf & PF_R ? PROT_READ : 0) | (pf & PF_W ? PROT_WRITE : 0) |
	       (pf & PF_X ? PROT_EXEC : 0);
}

static int seg_holding(const struct load_plan *p, uint64_t addr)
{
	for (size_t i = 0; i < p->nseg; i++)
		if (addr >= p->seg[i].vaddr &&
		    addr < p->seg[i].vaddr + p->seg[i].memsz)
			return (int)i;
	return -1;
}

/* The plan of F agrees with its program headers and symbols. */
static void check_plan(const struct file_buf *f, uint64_t want_bias,
		       int want_interp)
{
	const Elf64_Ehdr *e = ehdr(f);
	struct load_plan p;
	size_t n = 0;
	uint64_t end = 0, main_at;
	int s, has_x = 0, has_w = 0;

	assert_int_equal(loader_parse(f->b, f->len, &p), 0);
	assert_int_equal(p.bias, want_bias);
	assert_int_equal(p.entry, want_bias + e->e_entry);
	assert_int_equal(p.phnum, e->e_phnum);
	assert_int_equal(p.has_interp, want_interp);

	for (int i = 0; i < e->e_phnum; i++) {
		const Elf64_Phdr *ph = phdr(f, i);
		if (ph->p_type != PT_LOAD || ph->p_memsz == 0)
			continue;
		assert_true(n < p.nseg);
		assert_int_equal(p.seg[n].vaddr, want_bias + ph->p_vaddr);
		assert_int_equal(p.seg[n].memsz, ph->p_memsz);
		assert_int_equal(p.seg[n].filesz, ph->p_filesz);
		assert_int_equal(p.seg[n].offset, ph->p_offset);
		assert_int_equal(p.seg[n].prot, prot_of(ph->p_flags));
		has_x |= !!(ph->p_flags & PF_X);
		has_w |= !!(ph->p_flags & PF_W);
		if (want_bias + ph->p_vaddr + ph->p_memsz > end)
			end = want_bias + ph->p_vaddr + ph->p_memsz;
		n++;
	}
	assert_int_equal(p.nseg, n);
	assert_true(n >= 2 && has_x && has_w); /* text and data at least */
	assert_int_equal(p.image_end, end);

	/* the entry is in an executable segment */
	s = seg_holding(&p, p.entry);
	assert_true(s >= 0);
	assert_true(p.seg[s].prot & PROT_EXEC);

	/* the program headers are loaded, at the address that holds
	 * file offset e_phoff */
	s = seg_holding(&p, p.phdr);
	assert_true(s >= 0);
	assert_int_equal(p.seg[s].offset + (p.phdr - p.seg[s].vaddr),
			 e->e_phoff);

	/* function symbols: main among them, every one in an executable
	 * segment */
	main_at = symbol(f, "main");
	assert_int_not_equal(main_at, 0);
	assert_true(p.nfunc > 0);
	assert_non_null(p.func_starts);
	int found = 0;
	for (size_t i = 0; i < p.nfunc; i++) {
		found |= p.func_starts[i] == want_bias + main_at;
		s = seg_holding(&p, p.func_starts[i]);
		assert_true(s >= 0);
		assert_true(p.seg[s].prot & PROT_EXEC);
	}
	assert_true(found);
	loader_plan_free(&p);
	assert_null(p.func_starts);
	assert_int_equal(p.nfunc, 0);
}

/* ---- the four kinds of executable ---- */

static void test_static(void **state)
{
	const struct file_buf *f = need(FX_STATIC);

	assert_int_equal(ehdr(f)->e_type, ET_EXEC);
	check_plan(f, 0, 0);
}

static void test_static_pie(void **state)
{
	const struct file_buf *f = need(FX_STATIC_PIE);

	assert_int_equal(ehdr(f)->e_type, ET_DYN);
	assert_false(has_phdr_type(f, PT_INTERP));
	check_plan(f, MM_PIE_BASE, 0);
	assert_int_equal(MM_PIE_BASE, 0x555555554000ULL);
}

static void test_musl_static(void **state)
{
	const struct file_buf *f = need(FX_MUSL);

	assert_int_equal(ehdr(f)->e_type, ET_EXEC);
	check_plan(f, 0, 0);
}

static void test_dynamic(void **state)
{
	const struct file_buf *f = need(FX_DYNAMIC);
	struct load_plan p;

	assert_true(has_phdr_type(f, PT_INTERP));
	check_plan(f, ehdr(f)->e_type == ET_DYN ? MM_PIE_BASE : 0, 1);
	/* a PIE with PT_PHDR: the plan uses it */
	for (int i = 0; i < ehdr(f)->e_phnum; i++) {
		if (phdr(f, i)->p_type != PT_PHDR)
			continue;
		assert_int_equal(loader_parse(f->b, f->len, &p), 0);
		assert_int_equal(p.phdr, p.bias + phdr(f, i)->p_vaddr);
		loader_plan_free(&p);
	}
	/* the interpreter's path, as PT_INTERP holds it */
	for (int i = 0; i < ehdr(f)->e_phnum; i++) {
		if (phdr(f, i)->p_type != PT_INTERP)
			continue;
		assert_int_equal(loader_parse(f->b, f->len, &p), 0);
		assert_string_equal(p.interp, (const char *)f->b + phdr(f, i)->p_offset);
		assert_int_equal(p.interp[0], '/');
		loader_plan_free(&p);
	}
}

/* Rebasing moves every address by the same amount; the span stays. */
static void test_rebase(void **state)
{
	const struct file_buf *f = need(FX_DYNAMIC);
	struct load_plan p, q;
	const uint64_t to = 0x7ffff7000000UL;

	if (ehdr(f)->e_type != ET_DYN)
		skip();
	assert_int_equal(loader_parse(f->b, f->len, &p), 0);
	assert_int_equal(loader_parse(f->b, f->len, &q), 0);
	loader_plan_rebase(&q, to);
	assert_int_equal(q.bias, to);
	assert_int_equal(q.entry - to, p.entry - p.bias);
	assert_int_equal(q.phdr - to, p.phdr - p.bias);
	assert_int_equal(q.image_end - to, p.image_end - p.bias);
	for (size_t i = 0; i < p.nseg; i++)
		assert_int_equal(q.seg[i].vaddr - to, p.seg[i].vaddr - p.bias);
	for (size_t i = 0; i < p.nfunc; i++)
		assert_int_equal(q.func_starts[i] - to, p.func_starts[i] - p.bias);
	assert_int_equal(loader_plan_span(&q), loader_plan_span(&p));
	assert_true(loader_plan_span(&p) >= p.image_end - p.seg[0].vaddr);
	loader_plan_free(&p);
	loader_plan_free(&q);
}

/* A stripped binary loads with no function symbols. */
static void test_stripped(void **state)
{
	char cmd[512], path[256];
	struct file_buf f = { 0 };
	struct load_plan p;

	need(FX_STATIC);
	snprintf(path, sizeof(path), "%s/stripped", tmpdir);
	snprintf(cmd, sizeof(cmd), "strip -o %s %s/static", path, tmpdir);
	if (system(cmd) != 0)
		skip();
	assert_int_equal(read_file(path, &f), 0);
	assert_int_equal(loader_parse(f.b, f.len, &p), 0);
	assert_int_equal(p.nfunc, 0);
	assert_int_equal(p.entry, ehdr(&f)->e_entry);
	assert_true(p.nseg >= 2);
	loader_plan_free(&p);
	free(f.b);
}

/* ---- rejections ---- */

/* A failed parse owns no memory (loader_plan_free need not be called).
 * Segments read before the error may remain in the plan. */
static void expect_reject(const void *b, size_t len, int want)
{
	struct load_plan p;

	memset(&p, 0xa5, sizeof(p));
	assert_int_equal(loader_parse(b, len, &p), want);
	assert_null(p.func_starts);
	assert_int_equal(p.nfunc, 0);
}

static void test_elf32(void **state)
{
	struct {
		Elf32_Ehdr e;
		Elf32_Phdr ph;
	} img = {
		.e = {
			.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3,
				     ELFCLASS32, ELFDATA2LSB, EV_CURRENT },
			.e_type = ET_EXEC, .e_machine = EM_386,
			.e_version = EV_CURRENT, .e_entry = 0x8048054,
			.e_phoff = sizeof(Elf32_Ehdr),
			.e_ehsize = sizeof(Elf32_Ehdr),
			.e_phentsize = sizeof(Elf32_Phdr), .e_phnum = 1,
		},
		.ph = {
			.p_type = PT_LOAD, .p_vaddr = 0x8048000,
			.p_filesz = 0x54, .p_memsz = 0x54,
			.p_flags = PF_R | PF_X, .p_align = 0x1000,
		},
	};

	expect_reject(&img, sizeof(img), KERNEL_E_ELFCLASS);
}

/* A 64-bit ELF for another machine. */
static void test_foreign_machine(void **state)
{
	const struct file_buf *f = need(FX_STATIC);
	uint8_t *copy = malloc(f->len);

	assert_non_null(copy);
	memcpy(copy, f->b, f->len);
	((Elf64_Ehdr *)copy)->e_machine = EM_AARCH64;
	expect_reject(copy, f->len, KERNEL_E_ELFCLASS);
	free(copy);
}

static void test_relocatable(void **state)
{
	const struct file_buf *f = need(FX_OBJECT);

	assert_int_equal(ehdr(f)->e_type, ET_REL);
	expect_reject(f->b, f->len, KERNEL_E_NOEXEC);
}

static void test_text_and_empty(void **state)
{
	static const char text[] = "#!/bin/sh\necho this is not an ELF file\n";
	static const char almost[] = "\177ELF";

	expect_reject(text, sizeof(text) - 1, KERNEL_E_NOEXEC);
	expect_reject(almost, 4, KERNEL_E_NOEXEC);
	expect_reject(text, 0, KERNEL_E_NOEXEC);
}

static void test_truncated(void **state)
{
	const struct file_buf *f = need(FX_STATIC);
	const Elf64_Phdr *last = NULL;

	/* the header survives, the program headers do not */
	expect_reject(f->b, 100, KERNEL_E_NOEXEC);
	expect_reject(f->b, sizeof(Elf64_Ehdr), KERNEL_E_NOEXEC);
	/* the headers survive, the last segment's bytes do not */
	for (int i = 0; i < ehdr(f)->e_phnum; i++)
		if (phdr(f, i)->p_type == PT_LOAD && phdr(f, i)->p_filesz > 1)
			last = phdr(f, i);
	assert_non_null(last);
	expect_reject(f->b, last->p_offset + last->p_filesz - 1,
		      KERNEL_E_NOEXEC);
}

/* A program header whose file bytes run past the end of the file. */
static void test_segment_past_end(void **state)
{
	const struct file_buf *f = need(FX_STATIC);
	uint8_t *copy = malloc(f->len);
	Elf64_Phdr *ph;

	assert_non_null(copy);
	memcpy(copy, f->b, f->len);
	for (int i = 0; i < ehdr(f)->e_phnum; i++) {
		ph = (Elf64_Phdr *)(copy + ehdr(f)->e_phoff) + i;
		if (ph->p_type != PT_LOAD)
			continue;
		ph->p_offset = f->len - 16; /* inside the file, bytes beyond */
		ph->p_filesz = ph->p_memsz = 4096;
		break;
	}
	expect_reject(copy, f->len, KERNEL_E_NOEXEC);
	free(copy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_static),
		cmocka_unit_test(test_static_pie),
		cmocka_unit_test(test_musl_static),
		cmocka_unit_test(test_dynamic),
		cmocka_unit_test(test_rebase),
		cmocka_unit_test(test_stripped),
		cmocka_unit_test(test_elf32),
		cmocka_unit_test(test_foreign_machine),
		cmocka_unit_test(test_relocatable),
		cmocka_unit_test(test_text_and_empty),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_segment_past_end),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
