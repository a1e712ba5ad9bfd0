/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The module shares sshd's address space: it must export the PAM entry points
 * and nothing else (module.map), so none of common/'s helpers can collide with
 * or be interposed by sshd's own symbols. Reads the ELF dynamic symbol table
 * of the built .so, and dlopens it the way libpam does.
 */
#include "config.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

static void test_dynsym_only_pam_sm(void **state) {
        int fd = open(MODULE_PATH, O_RDONLY | O_CLOEXEC);
        struct stat st;
        const uint8_t *map;
        const Elf64_Ehdr *eh;
        const Elf64_Shdr *sh;
        unsigned exported = 0, pam_sm = 0;
        bool seen_dynsym = false;

        assert_true(fd >= 0);
        assert_int_equal(fstat(fd, &st), 0);
        map = mmap(NULL, (size_t) st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        assert_true(map != MAP_FAILED);
        close(fd);

        eh = (const Elf64_Ehdr *) map;
        assert_memory_equal(eh->e_ident, ELFMAG, SELFMAG);
        assert_int_equal(eh->e_ident[EI_CLASS], ELFCLASS64);
        assert_true(eh->e_shoff + (uint64_t) eh->e_shnum * sizeof(Elf64_Shdr) <= (uint64_t) st.st_size);
        sh = (const Elf64_Shdr *) (map + eh->e_shoff);

        for (unsigned i = 0; i < eh->e_shnum; i++) {
                if (sh[i].sh_type != SHT_DYNSYM)
                        continue;
                seen_dynsym = true;
                assert_true(sh[i].sh_link < eh->e_shnum);
                const Elf64_Sym *sym = (const Elf64_Sym *) (map + sh[i].sh_offset);
                const char *strtab = (const char *) (map + sh[sh[i].sh_link].sh_offset);
                size_t n = sh[i].sh_size / sizeof(Elf64_Sym);

                for (size_t k = 0; k < n; k++) {
                        unsigned bind = ELF64_ST_BIND(sym[k].st_info);
                        const char *name = strtab + sym[k].st_name;

                        if (sym[k].st_shndx == SHN_UNDEF || (bind != STB_GLOBAL && bind != STB_WEAK))
                                continue;
                        exported++;
                        if (strncmp(name, "pam_sm_", 7) == 0)
                                pam_sm++;
                        else
                                fail_msg("module exports %s: only pam_sm_* may be exported", name);
                }
        }
        assert_true(seen_dynsym);
        assert_int_equal(pam_sm, 2);
        assert_int_equal(exported, 2);
        munmap((void *) map, (size_t) st.st_size);
}

static void test_dlopen(void **state) {
        void *h = dlopen(MODULE_PATH, RTLD_NOW | RTLD_LOCAL);
        if (!h)
                fail_msg("dlopen(%s): %s", MODULE_PATH, dlerror());

        assert_non_null(dlsym(h, "pam_sm_open_session"));
        assert_non_null(dlsym(h, "pam_sm_close_session"));
        /* Session only: no auth, account or password hooks to misconfigure. */
        assert_null(dlsym(h, "pam_sm_authenticate"));
        assert_null(dlsym(h, "pam_sm_acct_mgmt"));
        /* Internal helpers stay internal. */
        assert_null(dlsym(h, "session_record_write"));
        assert_null(dlsym(h, "proc_stat_read"));
        assert_null(dlsym(h, "parse_u64"));
        dlclose(h);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_dynsym_only_pam_sm),
                cmocka_unit_test(test_dlopen),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
