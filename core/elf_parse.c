/* core/elf_parse.c — turns an ELF file image into a load plan with
 * libelf (program headers, entry, function symbols for the patcher).
 * Pure: no guest or host access. */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/kernel.h"
#include "core/loader.h"
#include "core/mm.h"

static int check_header(Elf *e, GElf_Ehdr *eh)
{
	if (elf_kind(e) != ELF_K_ELF)
		return KERNEL_E_NOEXEC;
	if (gelf_getclass(e) != ELFCLASS64)
		return KERNEL_E_ELFCLASS;
	if (!gelf_getehdr(e, eh))
		return KERNEL_E_NOEXEC;
	if (eh->e_machine != EM_X86_64)
		return KERNEL_E_ELFCLASS;
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		return KERNEL_E_NOEXEC;
	return 0;
}

static int seg_prot(uint32_t flags)
{
	return (flags & PF_R ? PROT_READ : 0) | (flags & PF_W ? PROT_WRITE : 0) |
	       (flags & PF_X ? PROT_EXEC : 0);
}

/* The PT_INTERP string: a NUL-terminated path inside the file. */
static int read_interp(const GElf_Phdr *ph, const char *image, size_t len,
		       struct load_plan *p)
{
	size_t n = ph->p_filesz;

	if (ph->p_offset > len || n > len - ph->p_offset || n < 2 ||
	    n > sizeof(p->interp) || image[ph->p_offset + n - 1] != 0)
		return -1;
	memcpy(p->interp, image + ph->p_offset, n);
	return 0;
}

static int read_phdrs(Elf *e, const GElf_Ehdr *eh, const char *image,
		      size_t len, struct load_plan *p)
{
	size_t n;
	uint64_t phdr_off = eh->e_phoff;

	if (elf_getphdrnum(e, &n) != 0 || n == 0)
		return KERNEL_E_NOEXEC;
	p->phnum = (uint16_t)n;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(e, (int)i, &ph))
			return KERNEL_E_NOEXEC;
		if (ph.p_type == PT_INTERP) {
			p->has_interp = 1;
			if (read_interp(&ph, image, len, p) < 0)
				return KERNEL_E_NOEXEC;
		}
		if (ph.p_type == PT_PHDR)
			p->phdr = p->bias + ph.p_vaddr;
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		if (p->nseg == LOADER_MAX_SEGS || ph.p_filesz > ph.p_memsz ||
		    ph.p_offset > len || ph.p_filesz > len - ph.p_offset)
			return KERNEL_E_NOEXEC;
		struct load_seg *s = &p->seg[p->nseg++];
		s->vaddr = p->bias + ph.p_vaddr;
		s->memsz = ph.p_memsz;
		s->filesz = ph.p_filesz;
		s->offset = ph.p_offset;
		s->prot = seg_prot(ph.p_flags);
		if (s->vaddr + s->memsz > p->image_end)
			p->image_end = s->vaddr + s->memsz;
		if (!p->phdr && phdr_off >= ph.p_offset &&
		    phdr_off < ph.p_offset + ph.p_filesz)
			p->phdr = s->vaddr + (phdr_off - ph.p_offset);
	}
	return p->nseg ? 0 : KERNEL_E_NOEXEC;
}

/* Collect STT_FUNC symbol addresses: resynchronisation points for the
 * instruction scanner. Missing symbols are fine (stripped binaries). */
static void read_func_symbols(Elf *e, struct load_plan *p)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB ||
		    !sh.sh_entsize || !(d = elf_getdata(scn, NULL)))
			continue;
		size_t n = sh.sh_size / sh.sh_entsize;
		if (!n)
			continue;
		uint64_t *v = realloc(p->func_starts,
				      (p->nfunc + n) * sizeof(uint64_t));
		if (!v)
			return;
		p->func_starts = v;
		for (size_t i = 0; i < n; i++) {
			GElf_Sym sym;
			if (gelf_getsym(d, (int)i, &sym) &&
			    GELF_ST_TYPE(sym.st_info) == STT_FUNC &&
			    sym.st_shndx != SHN_UNDEF && sym.st_value)
				v[p->nfunc++] = p->bias + sym.st_value;
		}
	}
}

int loader_parse(const void *image, size_t len, struct load_plan *p)
{
	GElf_Ehdr eh;
	Elf *e;
	int rc;

	memset(p, 0, sizeof(*p));
	if (len < EI_NIDENT || memcmp(image, ELFMAG, SELFMAG) != 0)
		return KERNEL_E_NOEXEC;
	elf_version(EV_CURRENT);
	e = elf_memory((char *)image, len);
	if (!e)
		return KERNEL_E_NOEXEC;
	rc = check_header(e, &eh);
	if (rc == 0) {
		p->bias = eh.e_type == ET_DYN ? MM_PIE_BASE : 0;
		p->entry = p->bias + eh.e_entry;
		rc = read_phdrs(e, &eh, image, len, p);
	}
	if (rc == 0)
		read_func_symbols(e, p);
	elf_end(e);
	if (rc != 0)
		loader_plan_free(p);
	return rc;
}

void loader_plan_free(struct load_plan *p)
{
	free(p->func_starts);
	p->func_starts = NULL;
	p->nfunc = 0;
}

void loader_plan_rebase(struct load_plan *p, uint64_t bias)
{
	uint64_t d = bias - p->bias;

	p->bias = bias;
	p->entry += d;
	if (p->phdr)
		p->phdr += d;
	p->image_end += d;
	for (size_t i = 0; i < p->nseg; i++)
		p->seg[i].vaddr += d;
	for (size_t i = 0; i < p->nfunc; i++)
		p->func_starts[i] += d;
}

uint64_t loader_plan_span(const struct load_plan *p)
{
	return PAGE_UP(p->image_end) - PAGE_DOWN(p->seg[0].vaddr);
}
