/* core/codemem.h — keeping deja's instruction traps (core/patch.h) in
 * step with the guest's executable memory: rewrite code when memory
 * becomes executable, restore it when it stops being executable, and run
 * writable+executable memory as W^X on the host (writable until executed,
 * executable until written, switching page by page on faults) so that code
 * written there at run time is scanned before it runs. */
#ifndef DEJA_CODEMEM_H
#define DEJA_CODEMEM_H

#include <stddef.h>
#include <stdint.h>

struct task;
struct plat_stop;

/* Scan [start, start+len) and write traps for every site in it. */
void code_patch(struct task *t, uint64_t start, uint64_t len);
/* Put the original bytes back in [start, start+len), forget its sites. */
void code_unpatch(struct task *t, uint64_t start, uint64_t len);
/* The protection the host gives memory the guest asked PROT for. */
int code_host_prot(int prot);
/* A SIGSEGV from W^X switching: handle it and return 1, else 0. */
int code_fault(struct task *t, const struct plat_stop *stop);
/* Before the kernel writes into guest memory: writable+executable pages
 * in the range go back to writable, so the new bytes get scanned. */
void code_before_write(struct task *t, uint64_t addr, size_t len);

#endif
