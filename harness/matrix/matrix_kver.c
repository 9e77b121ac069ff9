// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Kernel versions, ranges, and an object's minimum (see matrix_kver.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gelf.h>
#include <libelf.h>

#include "matrix/matrix_kver.h"

/* "MAJOR.MINOR" at @p; *@end is set past it. */
static int kver_scan(const char *p, struct matrix_kver *v, const char **end)
{
	char *q;
	unsigned long major, minor;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	major = strtoul(p, &q, 10);
	if (*q != '.' || q[1] < '0' || q[1] > '9')
		return -EINVAL;
	minor = strtoul(q + 1, &q, 10);
	if (major > 999 || minor > 999)
		return -EINVAL;
	v->major = (unsigned int)major;
	v->minor = (unsigned int)minor;
	*end = q;
	return 0;
}

int matrix_kver_parse(const char *text, struct matrix_kver *v)
{
	const char *end;

	return kver_scan(text, v, &end);
}

int matrix_kver_cmp(const struct matrix_kver *a, const struct matrix_kver *b)
{
	if (a->major != b->major)
		return a->major < b->major ? -1 : 1;
	if (a->minor != b->minor)
		return a->minor < b->minor ? -1 : 1;
	return 0;
}

int matrix_krange_parse(const char *text, size_t len, struct matrix_krange *r)
{
	char buf[64];
	const char *p = buf, *end;

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, text, len);
	buf[len] = '\0';
	memset(r, 0, sizeof(*r));
	if (*p != '-') {
		if (kver_scan(p, &r->lo, &end))
			return -EINVAL;
		r->has_lo = true;
		p = end;
		if (*p == '\0') {	/* one series */
			r->hi = r->lo;
			r->has_hi = true;
			return 0;
		}
		if (*p != '-')
			return -EINVAL;
	}
	p++;
	if (*p) {
		if (kver_scan(p, &r->hi, &end) || *end)
			return -EINVAL;
		r->has_hi = true;
	}
	if (!r->has_lo && !r->has_hi)
		return -EINVAL;
	if (r->has_lo && r->has_hi && matrix_kver_cmp(&r->lo, &r->hi) > 0)
		return -EINVAL;
	return 0;
}

bool matrix_krange_has(const struct matrix_krange *r,
		       const struct matrix_kver *v)
{
	if (r->has_lo && matrix_kver_cmp(v, &r->lo) < 0)
		return false;
	if (r->has_hi && matrix_kver_cmp(v, &r->hi) > 0)
		return false;
	return true;
}

/* Looks for "min_kernel=" among the fields of the section's bytes. */
static int min_from_section(const char *data, size_t size,
			    struct matrix_kver *v)
{
	static const char key[] = "min_kernel=";
	size_t i = 0;

	while (i < size) {
		size_t n = 0;
		const char *end;

		while (i + n < size && data[i + n] && data[i + n] != ' ' &&
		       data[i + n] != '\n')
			n++;
		if (n > sizeof(key) - 1 && n < 32 &&
		    memcmp(data + i, key, sizeof(key) - 1) == 0) {
			char val[32];

			memcpy(val, data + i + sizeof(key) - 1,
			       n - (sizeof(key) - 1));
			val[n - (sizeof(key) - 1)] = '\0';
			if (kver_scan(val, v, &end) || *end)
				return -EINVAL;
			return 1;
		}
		i += n + 1;
	}
	return 0;
}

int matrix_kver_min_of(const char *object, struct matrix_kver *v)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	Elf *elf;
	int fd, ret = 0;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	fd = open(object, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF ||
	    elf_getshdrstrndx(elf, &shstrndx)) {
		ret = -ENOEXEC;
		goto out_end;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &sh))
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name || strcmp(name, ".fdtest") != 0)
			continue;
		data = elf_getdata(scn, NULL);
		if (data && data->d_buf)
			ret = min_from_section(data->d_buf, data->d_size, v);
		break;
	}
out_end:
	elf_end(elf);
	close(fd);
	return ret;
}
