/* core/loader.c — builds a guest address space from load plans: maps an
 * image's segments and writes their bytes (with nondeterministic
 * instructions rewritten into traps), then sets up brk and the initial
 * stack (auxv values that describe the host come through the logging
 * layer) and points the registers at the entry. Which images to load
 * (program, interpreter) is core/exec.c's. */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "core/loader.h"
#include "core/stack.h"
#include "core/task.h"

static long guest_mmap(struct task *t, uint64_t start, uint64_t len, int prot,
		       int flags)
{
	return plat_guest_syscall(t->plat, SYS_mmap, (long)start, (long)len,
				  prot, flags | MAP_FIXED | MAP_ANONYMOUS, -1, 0);
}

static int map_segments(struct task *t, const struct load_plan *p,
			const char *name)
{
	for (size_t i = 0; i < p->nseg; i++) {
		uint64_t s = PAGE_DOWN(p->seg[i].vaddr);
		uint64_t e = PAGE_UP(p->seg[i].vaddr + p->seg[i].memsz);
		long r = guest_mmap(t, s, e - s, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE);
		if (r < 0)
			return (int)r;
		mm_insert(t->mm, s, e, p->seg[i].prot, MAP_PRIVATE);
		mm_set_file(t->mm, s, e, name, PAGE_DOWN(p->seg[i].offset));
	}
	return 0;
}

static int write_segment(struct task *t, const uint8_t *image,
			 const struct load_plan *p, const struct load_seg *s)
{
	uint8_t *buf;
	int rc;

	if (!s->filesz)
		return 0;
	buf = malloc(s->filesz);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, image + s->offset, s->filesz);
	if (s->prot & PROT_EXEC) {
		rc = patch_scan(t->patches, s->vaddr, buf, s->filesz,
				p->func_starts, p->nfunc);
		if (rc >= 0)
			patch_apply(t->patches, s->vaddr, buf, s->filesz);
	}
	rc = plat_mem_write(t->plat, s->vaddr, buf, s->filesz);
	free(buf);
	return rc;
}

/* Final protections; a page shared by two segments gets both. */
static int protect_segments(struct task *t, const struct load_plan *p)
{
	for (size_t i = 0; i < p->nseg; i++) {
		uint64_t s = PAGE_DOWN(p->seg[i].vaddr);
		uint64_t e = PAGE_UP(p->seg[i].vaddr + p->seg[i].memsz);
		int prot = p->seg[i].prot;
		for (size_t j = 0; j < p->nseg; j++) {
			uint64_t s2 = PAGE_DOWN(p->seg[j].vaddr);
			uint64_t e2 = PAGE_UP(p->seg[j].vaddr + p->seg[j].memsz);
			if (j != i && s2 < e && e2 > s)
				prot |= p->seg[j].prot;
		}
		long r = plat_guest_syscall(t->plat, SYS_mprotect, (long)s,
					    (long)(e - s), prot, 0, 0, 0);
		if (r < 0)
			return (int)r;
		mm_protect(t->mm, s, e, prot);
	}
	return 0;
}

/* Host facts for the auxiliary vector, through the logging layer. */
static void host_auxv(struct task *t, uint64_t *hwcap, uint64_t *hwcap2,
		      uint64_t *minsig)
{
	uint32_t cpuid[4] = { 0 };
	uint64_t aux[2] = { 0 };
	struct nd_call c = { .op = ND_CPUID, .a = { 1, 0 },
			     .out = cpuid, .out_cap = sizeof(cpuid) };

	nd_call(t->k->nd, &c);
	*hwcap = cpuid[3];
	c = (struct nd_call){ .op = ND_AUXV, .out = aux, .out_cap = sizeof(aux) };
	nd_call(t->k->nd, &c);
	*hwcap2 = aux[0];
	*minsig = aux[1];
}

static void fill_auxv(struct task *t, const struct loader_start *st,
		      struct stack_input *in)
{
	const struct load_plan *p = st->prog;
	uint64_t hwcap, hwcap2, minsig;
	const struct identity *id = &t->id;
	size_t n = 0;

	host_auxv(t, &hwcap, &hwcap2, &minsig);
#define AUX(type, val) in->auxv[n++] = (struct auxv_entry){ type, val }
	AUX(AT_HWCAP, hwcap);
	AUX(AT_PAGESZ, PAGE_SIZE_G);
	AUX(AT_CLKTCK, 100);
	AUX(AT_PHDR, p->phdr);
	AUX(AT_PHENT, sizeof(Elf64_Phdr));
	AUX(AT_PHNUM, p->phnum);
	AUX(AT_BASE, st->interp_base);
	AUX(AT_FLAGS, 0);
	AUX(AT_ENTRY, p->entry);
	AUX(AT_UID, id->uid);
	AUX(AT_EUID, id->euid);
	AUX(AT_GID, id->gid);
	AUX(AT_EGID, id->egid);
	AUX(AT_SECURE, 0);
	AUX(AT_HWCAP2, hwcap2);
	if (minsig)
		AUX(AT_MINSIGSTKSZ, minsig);
#undef AUX
	in->nauxv = n;
}

static int setup_stack(struct task *t, const struct loader_start *st,
		       uint64_t *sp)
{
	struct stack_input in = {
		.argv = st->argv, .envp = st->envp,
		.execfn = st->execfn, .platform = "x86_64",
	};
	struct stack_image img;
	struct nd_call c = { .op = ND_RANDOM, .out = in.random,
			     .out_cap = sizeof(in.random) };
	uint64_t lo = MM_STACK_TOP - MM_STACK_SIZE;
	long r;
	int rc;

	nd_call(t->k->nd, &c);
	fill_auxv(t, st, &in);
	r = guest_mmap(t, lo, MM_STACK_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_GROWSDOWN);
	if (r < 0)
		return (int)r;
	mm_insert(t->mm, lo, MM_STACK_TOP, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN);
	mm_set_file(t->mm, lo, MM_STACK_TOP, MM_NAME_STACK, 0);
	rc = stack_build(&in, MM_STACK_TOP, &img);
	if (rc < 0)
		return rc;
	rc = plat_mem_write(t->plat, img.sp, img.bytes, img.len);
	*sp = img.sp;
	t->mm->arg_start = img.arg_start;
	t->mm->arg_end = t->mm->env_start = img.env_start;
	t->mm->env_end = img.env_end;
	free(t->auxv);
	t->auxv_len = img.auxv_count * 16;
	t->auxv = malloc(t->auxv_len);
	if (t->auxv)
		memcpy(t->auxv, img.bytes + (img.auxv_addr - img.sp), t->auxv_len);
	stack_image_free(&img);
	return rc;
}

static int setup_registers(struct task *t, uint64_t entry, uint64_t sp)
{
	guest_regs r;
	int rc = plat_get_regs(t->plat, &r);

	if (rc < 0)
		return rc;
	r.r15 = r.r14 = r.r13 = r.r12 = r.rbp = r.rbx = r.r11 = r.r10 = 0;
	r.r9 = r.r8 = r.rax = r.rcx = r.rdx = r.rsi = r.rdi = 0;
	r.orig_rax = (unsigned long)-1;
	r.rip = entry;
	r.rsp = sp;
	r.eflags = 0x202;
	r.fs_base = r.gs_base = 0;
	t->regs = r;
	return plat_set_regs(t->plat, &r);
}

int loader_map_image(struct task *t, const void *image,
		     const struct load_plan *p, const char *name)
{
	int rc = map_segments(t, p, name);

	for (size_t i = 0; rc == 0 && i < p->nseg; i++)
		rc = write_segment(t, image, p, &p->seg[i]);
	if (rc == 0)
		rc = protect_segments(t, p);
	return rc;
}

int loader_start(struct task *t, const struct loader_start *st)
{
	uint64_t sp = 0;
	int rc;

	t->mm->brk_start = t->mm->brk = t->mm->brk_mapped =
		PAGE_UP(st->prog->image_end);
	rc = setup_stack(t, st, &sp);
	if (rc == 0)
		rc = setup_registers(t, st->entry, sp);
	return rc;
}
