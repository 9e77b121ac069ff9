/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Where a golden lives: expected/<dissector>/<capture file name without
 * .pcap/.pcapng>.json, a path derived from input names that must stay
 * inside the goldens' folder.
 */
#ifndef FDTEST_GOLDEN_PATH_H
#define FDTEST_GOLDEN_PATH_H

#include <stddef.h>

/*
 * The golden path of @dissector and @capture under @expected_dir into
 * @buf. Returns 0, -ENAMETOOLONG when @buf is too small, or what
 * golden_path_check() returns.
 */
int golden_path(char *buf, size_t size, const char *expected_dir,
		const char *dissector, const char *capture);
/*
 * The same for the real states' golden (--path real):
 * <expected>/<dissector>/real/<stem>.json. A folder "real" beside the
 * goldens cannot be a capture's golden, which is a file "real.json".
 */
int golden_path_real(char *buf, size_t size, const char *expected_dir,
		     const char *dissector, const char *capture);
/*
 * Whether the golden path of @dissector and @capture stays inside
 * @expected_dir, as one folder and one file name: -EINVAL for an empty
 * @expected_dir or a dissector name of dots only ("", ".", "..", ...),
 * -ENAMETOOLONG for a name past NAME_MAX; the reason in @err.
 */
int golden_path_check(const char *expected_dir, const char *dissector,
		      const char *capture, char *err, size_t err_size);

#endif /* FDTEST_GOLDEN_PATH_H */
