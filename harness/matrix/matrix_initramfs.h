/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * An initramfs for the guests: an uncompressed cpio archive in the "newc"
 * format the kernel unpacks (Documentation/driver-api/early-userspace/
 * buffer-format.rst). Written beside its name and renamed into place.
 */
#ifndef FDTEST_MATRIX_INITRAMFS_H
#define FDTEST_MATRIX_INITRAMFS_H

#include <stddef.h>
#include <sys/types.h>

struct initramfs;

/* Starts @path. 0 or a negative errno. */
int matrix_initramfs_open(const char *path, struct initramfs **out);
/* A folder @name ("suite/pcaps": no leading slash); parents come first. */
int matrix_initramfs_add_dir(struct initramfs *ir, const char *name);
/* A file @name with the bytes of @src; @mode like 0755. */
int matrix_initramfs_add_file(struct initramfs *ir, const char *name,
			      const char *src, mode_t mode);
int matrix_initramfs_add_data(struct initramfs *ir, const char *name,
			      const void *data, size_t len, mode_t mode);
/* A character device node (the console the kernel gives init). */
int matrix_initramfs_add_chardev(struct initramfs *ir, const char *name,
				 unsigned int major, unsigned int minor);
/* Ends the archive and renames it into place; frees @ir always. */
int matrix_initramfs_commit(struct initramfs *ir);
/* Drops the half-written archive; NULL is fine. */
void matrix_initramfs_abort(struct initramfs *ir);

#endif /* FDTEST_MATRIX_INITRAMFS_H */
