// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* cpio "newc" archives for the guests' initramfs (see matrix_initramfs.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "matrix/matrix_initramfs.h"
#include "util/atomic_file.h"

struct initramfs {
	struct atomic_file *af;
	FILE *file;		/* af's stream */
	unsigned long ino;
	unsigned long offset;	/* for the 4-byte alignment of the format */
};

int matrix_initramfs_open(const char *path, struct initramfs **out)
{
	struct initramfs *ir = calloc(1, sizeof(*ir));
	char why[256];
	int err;

	if (!ir)
		return -ENOMEM;
	err = atomic_file_open(path, &ir->af, why, sizeof(why));
	if (err) {
		free(ir);
		return err;
	}
	ir->file = atomic_file_stream(ir->af);
	ir->ino = 1;
	*out = ir;
	return 0;
}

static void put_pad(struct initramfs *ir)
{
	while (ir->offset % 4) {
		fputc(0, ir->file);
		ir->offset++;
	}
}

static int put_entry(struct initramfs *ir, const char *name, mode_t mode,
		     const void *data, size_t len, unsigned int rmajor,
		     unsigned int rminor)
{
	size_t name_len = strlen(name) + 1;
	int n;

	n = fprintf(ir->file,
		    "070701%08lX%08lX%08lX%08lX%08lX%08lX%08lX%08lX%08lX%08lX%08lX%08lX%08lX",
		    ir->ino++, (unsigned long)mode, 0UL, 0UL,
		    S_ISDIR(mode) ? 2UL : 1UL, 0UL, (unsigned long)len, 0UL,
		    0UL, (unsigned long)rmajor, (unsigned long)rminor,
		    (unsigned long)name_len, 0UL);
	if (n != 110)
		return -EIO;
	ir->offset += 110;
	fwrite(name, 1, name_len, ir->file);
	ir->offset += name_len;
	put_pad(ir);
	if (len) {
		fwrite(data, 1, len, ir->file);
		ir->offset += len;
		put_pad(ir);
	}
	return ferror(ir->file) ? -EIO : 0;
}

int matrix_initramfs_add_dir(struct initramfs *ir, const char *name)
{
	return put_entry(ir, name, S_IFDIR | 0755, NULL, 0, 0, 0);
}

int matrix_initramfs_add_data(struct initramfs *ir, const char *name,
			      const void *data, size_t len, mode_t mode)
{
	return put_entry(ir, name, S_IFREG | (mode & 07777), data, len, 0, 0);
}

int matrix_initramfs_add_file(struct initramfs *ir, const char *name,
			      const char *src, mode_t mode)
{
	FILE *f = fopen(src, "rb");
	char *buf = NULL;
	long len;
	int ret;

	if (!f)
		return -errno;
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET)) {
		ret = -errno;
		goto out_close;
	}
	buf = malloc(len ? (size_t)len : 1);
	if (!buf) {
		ret = -ENOMEM;
		goto out_close;
	}
	if (fread(buf, 1, (size_t)len, f) != (size_t)len) {
		ret = -EIO;
		goto out_free;
	}
	ret = matrix_initramfs_add_data(ir, name, buf, (size_t)len, mode);
out_free:
	free(buf);
out_close:
	fclose(f);
	return ret;
}

int matrix_initramfs_add_chardev(struct initramfs *ir, const char *name,
				 unsigned int major, unsigned int minor)
{
	return put_entry(ir, name, S_IFCHR | 0600, NULL, 0, major, minor);
}

int matrix_initramfs_commit(struct initramfs *ir)
{
	int ret = put_entry(ir, "TRAILER!!!", 0, NULL, 0, 0, 0);

	if (ret) {
		matrix_initramfs_abort(ir);
		return ret;
	}
	ret = atomic_file_commit(ir->af);
	free(ir);
	return ret;
}

void matrix_initramfs_abort(struct initramfs *ir)
{
	if (!ir)
		return;
	atomic_file_abort(ir->af);
	free(ir);
}
