/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Scratch directory trees for tests: a fake /proc, a state dir. Every helper
 * aborts with a message on failure, so a broken fixture never passes. */

/* mkdtemp("/tmp/swd-test.XXXXXX"); free() the result after tmp_tree_remove(). */
char *tmp_tree_new(void);
/* Writes content at root/relpath, creating parent directories. */
void tmp_tree_write(const char *root, const char *relpath, const char *content);
/* Makes root/relpath a symlink to target, creating parent directories. */
void tmp_tree_symlink(const char *root, const char *relpath, const char *target);
/* Creates root/relpath and its parents as directories. */
void tmp_tree_mkdir(const char *root, const char *relpath);
/* rm -rf root. */
void tmp_tree_remove(const char *root);
