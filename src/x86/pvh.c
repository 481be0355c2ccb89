/* PVH direct boot of an ELF vmlinux (see pvh.h). */
#include "x86/pvh.h"

#include <elf.h>
#include <errno.h>
#include <string.h>

#include "x86/layout.h"

#define NOTE_PHYS32_ENTRY	18		/* XEN_ELFNOTE_PHYS32_ENTRY */
#define START_INFO_MAGIC	0x336ec578u

/* The PVH boot ABI's structures (version 1), as the guest reads them. */
struct pvh_start_info {
	uint32_t magic, version, flags, nr_modules;
	uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr;
	uint64_t memmap_paddr;
	uint32_t memmap_entries, reserved;
};

struct pvh_module {
	uint64_t paddr, size, cmdline_paddr, reserved;
};

struct pvh_memmap_entry {
	uint64_t addr, size;
	uint32_t type, reserved;
};

/* Where the boot data goes: the page the bzImage path uses for its zero
 * page, which PVH does not need. */
#define PVH_START_INFO_ADDR	X86_ZERO_PAGE_ADDR
#define PVH_MODLIST_ADDR	(PVH_START_INFO_ADDR + 0x40)
#define PVH_MEMMAP_ADDR		(PVH_START_INFO_ADDR + 0x80)

/* Range [off, off+len) inside a file of `size` bytes, without overflow. */
static bool in_file(uint64_t off, uint64_t len, size_t size)
{
	return off <= size && len <= size - off;
}

/* The PVH entry from the notes of one PT_NOTE segment; 0 if absent. */
static uint64_t find_pvh_note(const uint8_t *p, uint64_t len)
{
	uint64_t off = 0;

	while (len - off >= sizeof(Elf64_Nhdr)) {
		Elf64_Nhdr n;
		uint64_t name, desc, next;
		uint64_t v = 0;

		memcpy(&n, p + off, sizeof(n));
		name = off + sizeof(n);
		desc = name + ((n.n_namesz + 3ULL) & ~3ULL);
		next = desc + ((n.n_descsz + 3ULL) & ~3ULL);
		if (next > len || desc > len)
			return 0;
		if (n.n_type == NOTE_PHYS32_ENTRY && n.n_namesz == 4 &&
		    !memcmp(p + name, "Xen", 4) &&
		    (n.n_descsz == 4 || n.n_descsz == 8)) {
			memcpy(&v, p + desc, n.n_descsz);
			return v;
		}
		off = next;
	}
	return 0;
}

static int check_ehdr(const uint8_t *p, size_t len, Elf64_Ehdr *eh)
{
	if (len < sizeof(*eh) || memcmp(p, ELFMAG, SELFMAG))
		return -ENOEXEC;
	memcpy(eh, p, sizeof(*eh));
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_machine != EM_X86_64 || eh->e_type != ET_EXEC)
		return -ENOTSUP;
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0 ||
	    !in_file(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr),
		     len))
		return -EINVAL;
	return 0;
}

/* Trust boundary: the kernel file is user input. */
int elf_kernel_parse(const void *buf, size_t len, struct elf_kernel *out)
{
	const uint8_t *p = buf;
	uint64_t entry = 0;
	Elf64_Ehdr eh;
	unsigned i;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = check_ehdr(p, len, &eh);
	if (ret)
		return ret;
	out->start = UINT64_MAX;
	for (i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		memcpy(&ph, p + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_NOTE && !entry &&
		    in_file(ph.p_offset, ph.p_filesz, len))
			entry = find_pvh_note(p + ph.p_offset, ph.p_filesz);
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		if (!in_file(ph.p_offset, ph.p_filesz, len) ||
		    ph.p_filesz > ph.p_memsz ||
		    ph.p_paddr < X86_HIGH_BIOS_END ||
		    ph.p_paddr >= X86_MMIO_HOLE_START ||
		    ph.p_memsz > X86_MMIO_HOLE_START - ph.p_paddr)
			return -EINVAL;
		if (ph.p_paddr < out->start)
			out->start = ph.p_paddr;
		if (ph.p_paddr + ph.p_memsz > out->end)
			out->end = ph.p_paddr + ph.p_memsz;
	}
	if (!entry)
		return -ENOTSUP;
	if (out->end == 0 || entry < out->start || entry >= out->end)
		return -EINVAL;
	out->image = p;
	out->size = len;
	out->entry = (uint32_t)entry;
	return 0;
}

uint64_t pvh_min_ram(const struct elf_kernel *k, size_t initrd_size)
{
	return x86_min_ram(k->end, initrd_size);
}

/* Copy each PT_LOAD segment and zero its tail (.bss). */
static int load_segments(const struct gmem *mem, const struct elf_kernel *k)
{
	Elf64_Ehdr eh;
	unsigned i;

	memcpy(&eh, k->image, sizeof(eh));
	for (i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		uint8_t *dst;

		memcpy(&ph, k->image + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		dst = gmem_ptr(mem, ph.p_paddr, ph.p_memsz);
		if (!dst)
			return -EFAULT;
		memcpy(dst, k->image + ph.p_offset, ph.p_filesz);
		memset(dst + ph.p_filesz, 0, ph.p_memsz - ph.p_filesz);
	}
	return 0;
}

static int write_start_info(const struct gmem *mem, const struct x86_load_args *a,
			    uint64_t initrd_addr)
{
	struct pvh_start_info si = {
		.magic = START_INFO_MAGIC, .version = 1,
		.cmdline_paddr = X86_CMDLINE_ADDR, .rsdp_paddr = a->rsdp_addr,
		.memmap_paddr = PVH_MEMMAP_ADDR,
		.memmap_entries = a->e820->nr,
	};
	struct pvh_module mod = { initrd_addr, a->initrd_size, 0, 0 };
	unsigned i;
	int ret = 0;

	if (initrd_addr) {
		si.nr_modules = 1;
		si.modlist_paddr = PVH_MODLIST_ADDR;
		ret = gmem_write(mem, PVH_MODLIST_ADDR, &mod, sizeof(mod));
	}
	for (i = 0; !ret && i < a->e820->nr; i++) {
		struct pvh_memmap_entry e = {
			a->e820->e[i].addr, a->e820->e[i].size,
			a->e820->e[i].type, 0,
		};

		ret = gmem_write(mem, PVH_MEMMAP_ADDR + i * sizeof(e), &e,
				 sizeof(e));
	}
	return ret ?: gmem_write(mem, PVH_START_INFO_ADDR, &si, sizeof(si));
}

int pvh_load(const struct gmem *mem, const struct elf_kernel *k,
	     const struct x86_load_args *a, struct x86_boot_entry *e)
{
	uint64_t initrd = 0;
	int ret;

	memset(e, 0, sizeof(*e));
	if (a->cmdline && strlen(a->cmdline) > PVH_CMDLINE_MAX)
		return -E2BIG;
	if (a->initrd_size > UINT32_MAX ||
	    pvh_min_ram(k, a->initrd_size) > mem->low_size)
		return -ENOMEM;
	ret = load_segments(mem, k);
	ret = ret ?: x86_place_cmdline_initrd(mem, a, PVH_CMDLINE_MAX, k->end,
					      UINT64_MAX, &initrd);
	ret = ret ?: write_start_info(mem, a, initrd);
	ret = ret ?: x86_write_gdt(mem, false);
	if (ret)
		return ret;
	e->long_mode = false;
	e->rip = k->entry;
	e->start_info = PVH_START_INFO_ADDR;
	e->kernel_addr = k->start;
	e->initrd_addr = initrd;
	return 0;
}
