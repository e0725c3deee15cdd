// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ELF files of an image, read with libelf from memory: the interpreter, the
 * needed libraries, RPATH and RUNPATH, and the regions of read-only data
 * where a program keeps its path strings. Every offset is bounds-checked by
 * libelf or here: the files come from an untrusted image.
 */
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"

static void elf_init(void)
{
	static bool done;

	if (!done) {
		elf_version(EV_CURRENT);
		done = true;
	}
}

static char *dupn(const char *s, size_t max)
{
	size_t n = strnlen(s, max);
	char *d = malloc(n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* Translate a virtual address to a file offset through the PT_LOADs. */
static bool vaddr_to_off(Elf *e, size_t phnum, GElf_Addr va, GElf_Off *off)
{
	size_t i;

	for (i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (va >= ph.p_vaddr && va - ph.p_vaddr < ph.p_filesz) {
			*off = ph.p_offset + (va - ph.p_vaddr);
			return true;
		}
	}
	return false;
}

int elf_scan(const uint8_t *data, size_t len, struct elf_info *info)
{
	GElf_Off dyn_off = 0, str_off = 0;
	GElf_Xword dyn_size = 0, str_size = 0;
	GElf_Ehdr eh;
	size_t phnum = 0, i, nneeded = 0, cap = 0;
	Elf *e;

	memset(info, 0, sizeof(*info));
	if (len < EI_NIDENT || memcmp(data, ELFMAG, SELFMAG))
		return -1;
	elf_init();
	e = elf_memory((char *)data, len);
	if (!e)
		return -1;
	if (elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh) ||
	    elf_getphdrnum(e, &phnum)) {
		elf_end(e);
		return -1;
	}
	info->is_elf = true;
	info->elfclass = gelf_getclass(e);
	info->machine = eh.e_machine;
	for (i = 0; i < phnum && i < 4096; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(e, (int)i, &ph))
			continue;
		if (ph.p_type == PT_INTERP && ph.p_offset < len &&
		    ph.p_filesz <= len - ph.p_offset && ph.p_filesz > 1)
			info->interp = dupn((const char *)data + ph.p_offset,
					    ph.p_filesz);
		if (ph.p_type == PT_DYNAMIC && ph.p_offset < len &&
		    ph.p_filesz <= len - ph.p_offset) {
			dyn_off = ph.p_offset;
			dyn_size = ph.p_filesz;
		}
	}
	if (dyn_size) {
		size_t entsz = gelf_fsize(e, ELF_T_DYN, 1, EV_CURRENT);
		size_t n = entsz ? dyn_size / entsz : 0, k;
		Elf_Data *d = elf_getdata_rawchunk(e, (int64_t)dyn_off, n * entsz, ELF_T_DYN);
		GElf_Addr strtab = 0;
		GElf_Xword strsz = 0;

		info->dynamic = true;
		for (k = 0; d && k < n; k++) {
			GElf_Dyn dy;

			if (!gelf_getdyn(d, (int)k, &dy) || dy.d_tag == DT_NULL)
				break;
			if (dy.d_tag == DT_STRTAB)
				strtab = dy.d_un.d_ptr;
			else if (dy.d_tag == DT_STRSZ)
				strsz = dy.d_un.d_val;
			else if (dy.d_tag == DT_FLAGS_1 && (dy.d_un.d_val & DF_1_PIE))
				info->is_exec = true;
		}
		if (strtab && vaddr_to_off(e, phnum, strtab, &str_off) &&
		    str_off < len) {
			str_size = strsz && strsz <= len - str_off ? strsz : len - str_off;
		}
		for (k = 0; d && str_size && k < n; k++) {
			GElf_Dyn dy;
			const char *s;

			if (!gelf_getdyn(d, (int)k, &dy) || dy.d_tag == DT_NULL)
				break;
			if (dy.d_tag != DT_NEEDED && dy.d_tag != DT_RPATH &&
			    dy.d_tag != DT_RUNPATH && dy.d_tag != DT_SONAME)
				continue;
			if (dy.d_un.d_val >= str_size)
				continue;
			s = (const char *)data + str_off + dy.d_un.d_val;
			switch (dy.d_tag) {
			case DT_NEEDED:
				if (nneeded + 2 > cap) {
					char **nv;

					cap = cap ? 2 * cap : 16;
					if (cap > 4096)
						break;
					nv = realloc(info->needed, cap * sizeof(*nv));
					if (!nv)
						break;
					info->needed = nv;
				}
				info->needed[nneeded++] = dupn(s, str_size - dy.d_un.d_val);
				info->needed[nneeded] = NULL;
				break;
			case DT_RPATH:
				free(info->rpath);
				info->rpath = dupn(s, str_size - dy.d_un.d_val);
				break;
			case DT_RUNPATH:
				free(info->runpath);
				info->runpath = dupn(s, str_size - dy.d_un.d_val);
				break;
			case DT_SONAME:
				free(info->soname);
				info->soname = dupn(s, str_size - dy.d_un.d_val);
				break;
			}
		}
	}
	/*
	 * A program: ET_EXEC, a PIE (static ones too), or a position-
	 * independent object with an interpreter and no SONAME (libc.so.6
	 * has an interpreter too, to print its version, but is a library).
	 */
	if (eh.e_type == ET_EXEC ||
	    (eh.e_type == ET_DYN && info->interp && !info->soname))
		info->is_exec = true;
	elf_end(e);
	return 0;
}

void elf_info_free(struct elf_info *info)
{
	char **s;

	free(info->interp);
	for (s = info->needed; s && *s; s++)
		free(*s);
	free(info->needed);
	free(info->rpath);
	free(info->runpath);
	free(info->soname);
	memset(info, 0, sizeof(*info));
}

void elf_data_regions(const uint8_t *data, size_t len,
		      void (*fn)(const uint8_t *, size_t, void *), void *arg)
{
	Elf_Scn *scn = NULL;
	size_t shnum = 0, seen = 0;
	Elf *e;

	elf_init();
	e = elf_memory((char *)data, len);
	if (!e)
		return;
	if (elf_kind(e) != ELF_K_ELF || elf_getshdrnum(e, &shnum) || !shnum) {
		/* No section headers: every non-executable loaded segment. */
		size_t phnum = 0, i;

		if (elf_kind(e) == ELF_K_ELF && !elf_getphdrnum(e, &phnum))
			for (i = 0; i < phnum && i < 4096; i++) {
				GElf_Phdr ph;

				if (gelf_getphdr(e, (int)i, &ph) &&
				    ph.p_type == PT_LOAD && !(ph.p_flags & PF_X) &&
				    ph.p_offset < len && ph.p_filesz <= len - ph.p_offset)
					fn(data + ph.p_offset, ph.p_filesz, arg);
			}
		elf_end(e);
		return;
	}
	while ((scn = elf_nextscn(e, scn)) && seen++ < 65536) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type != SHT_PROGBITS || !(sh.sh_flags & SHF_ALLOC) ||
		    (sh.sh_flags & SHF_EXECINSTR))
			continue;
		if (sh.sh_offset >= len || sh.sh_size > len - sh.sh_offset)
			continue;
		fn(data + sh.sh_offset, sh.sh_size, arg);
	}
	elf_end(e);
}
