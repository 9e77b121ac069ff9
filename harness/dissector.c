// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Load a flow dissector object, find its entry, fill tail calls. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dissector.h"

#define TARGETS_MAX 64

struct dissector {
	struct bpf_object *obj;
	struct bpf_program *entry;
	char *path;
	char name[256];
	unsigned int filled;
	/* programs reached by tail calls; never the entry */
	const struct bpf_program *targets[TARGETS_MAX];
	unsigned int n_targets;
};

bool dissector_err_is_env(int err)
{
	return err == -EPERM || err == -EACCES || err == -EOPNOTSUPP;
}

static void name_from_path(struct dissector *d, const char *path)
{
	const char *base = strrchr(path, '/');
	size_t len;

	base = base ? base + 1 : path;
	snprintf(d->name, sizeof(d->name), "%s", base);
	len = strlen(d->name);
	if (len > 6 && strcmp(d->name + len - 6, ".bpf.o") == 0)
		d->name[len - 6] = '\0';
	else if (len > 2 && strcmp(d->name + len - 2, ".o") == 0)
		d->name[len - 2] = '\0';
}

static bool is_flow_dissector(const struct bpf_program *prog)
{
	return bpf_program__type(prog) == BPF_PROG_TYPE_FLOW_DISSECTOR;
}

static void add_target(struct dissector *d, const struct bpf_program *prog)
{
	for (unsigned int i = 0; i < d->n_targets; i++)
		if (d->targets[i] == prog)
			return;
	if (d->n_targets < TARGETS_MAX)
		d->targets[d->n_targets++] = prog;
}

static bool is_target(const struct dissector *d,
		      const struct bpf_program *prog)
{
	for (unsigned int i = 0; i < d->n_targets; i++)
		if (d->targets[i] == prog)
			return true;
	return false;
}

/* "<prefix>_<N>": sets *index and the prefix length, or false. */
static bool split_indexed_name(const char *name, size_t *prefix_len,
			       unsigned long *index)
{
	const char *us = strrchr(name, '_');
	char *end;

	if (!us || us == name || !us[1] || us[1] < '0' || us[1] > '9')
		return false;
	*index = strtoul(us + 1, &end, 10);
	if (*end)
		return false;
	*prefix_len = (size_t)(us - name);
	return true;
}

static uint32_t prog_id(int fd)
{
	struct bpf_prog_info info = {};
	uint32_t len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.id;
}

/* Records the programs an initialised PROG_ARRAY holds; 1 if any. */
static int note_initialised(struct dissector *d, struct bpf_map *map)
{
	uint32_t max = bpf_map__max_entries(map);
	int fd = bpf_map__fd(map);
	int found = 0;

	for (uint32_t key = 0; key < max; key++) {
		struct bpf_program *prog;
		uint32_t id;

		/* from user space a PROG_ARRAY lookup gives the prog id */
		if (bpf_map_lookup_elem(fd, &key, &id))
			continue;
		found = 1;
		bpf_object__for_each_program(prog, d->obj)
			if (bpf_program__fd(prog) >= 0 &&
			    prog_id(bpf_program__fd(prog)) == id)
				add_target(d, prog);
	}
	return found;
}

/*
 * Fills an empty PROG_ARRAY with the "<prefix>_<N>" programs of the most
 * common prefix, as the kernel selftests do for bpf_flow.c's jmp_table.
 */
static int fill_by_name(struct dissector *d, struct bpf_map *map,
			char *err, size_t err_size)
{
	struct bpf_program *prog, *other;
	const char *best = NULL;
	size_t best_len = 0;
	unsigned int best_count = 0;
	uint32_t max = bpf_map__max_entries(map);

	bpf_object__for_each_program(prog, d->obj) {
		const char *name = bpf_program__name(prog);
		unsigned int count = 0;
		unsigned long idx;
		size_t plen;

		if (!is_flow_dissector(prog) ||
		    !split_indexed_name(name, &plen, &idx))
			continue;
		bpf_object__for_each_program(other, d->obj) {
			const char *o = bpf_program__name(other);
			size_t olen;

			if (is_flow_dissector(other) &&
			    split_indexed_name(o, &olen, &idx) &&
			    olen == plen && strncmp(o, name, plen) == 0)
				count++;
		}
		if (count > best_count) {
			best = name;
			best_len = plen;
			best_count = count;
		}
	}
	if (!best) {
		fprintf(stderr,
			"Warning: map '%s' is an empty PROG_ARRAY and no program is named <prefix>_<N>: tail calls through it will fail\n",
			bpf_map__name(map));
		return 0;
	}
	bpf_object__for_each_program(prog, d->obj) {
		const char *name = bpf_program__name(prog);
		unsigned long idx;
		size_t plen;
		uint32_t key;
		int fd;

		if (!is_flow_dissector(prog) ||
		    !split_indexed_name(name, &plen, &idx) ||
		    plen != best_len || strncmp(name, best, plen) != 0)
			continue;
		if (idx >= max) {
			snprintf(err, err_size,
				 "prog '%s': index %lu is past the end of map '%s' (%u entries)",
				 name, idx, bpf_map__name(map), max);
			return -EINVAL;
		}
		key = (uint32_t)idx;
		fd = bpf_program__fd(prog);
		if (bpf_map_update_elem(bpf_map__fd(map), &key, &fd, BPF_ANY)) {
			int e = -errno;

			snprintf(err, err_size,
				 "map '%s': cannot put prog '%s' at %u: %s",
				 bpf_map__name(map), name, key, strerror(errno));
			return e;
		}
		add_target(d, prog);
		d->filled++;
	}
	return 0;
}

static int fill_tail_calls(struct dissector *d, char *err, size_t err_size)
{
	struct bpf_map *map;
	int ret;

	bpf_object__for_each_map(map, d->obj) {
		if (bpf_map__type(map) != BPF_MAP_TYPE_PROG_ARRAY)
			continue;
		if (note_initialised(d, map))
			continue;
		ret = fill_by_name(d, map, err, err_size);
		if (ret)
			return ret;
	}
	return 0;
}

static int find_entry(struct dissector *d, const char *prog_name, char *err,
		      size_t err_size)
{
	struct bpf_program *prog;
	char names[512] = "";
	unsigned int n = 0;

	if (prog_name) {
		prog = bpf_object__find_program_by_name(d->obj, prog_name);
		if (!prog || !is_flow_dissector(prog)) {
			snprintf(err, err_size,
				 "no SEC(\"flow_dissector\") program named '%s'",
				 prog_name);
			return -ENOENT;
		}
		d->entry = prog;
		return 0;
	}
	bpf_object__for_each_program(prog, d->obj) {
		size_t used = strlen(names);

		if (!is_flow_dissector(prog) || is_target(d, prog))
			continue;
		snprintf(names + used, sizeof(names) - used, "%s'%s'",
			 n ? ", " : "", bpf_program__name(prog));
		d->entry = prog;
		n++;
	}
	if (n == 1)
		return 0;
	d->entry = NULL;
	if (n == 0)
		snprintf(err, err_size,
			 "every flow_dissector program is a tail-call target: name the entry with --prog");
	else
		snprintf(err, err_size,
			 "%u possible entry programs (%s): name one with --prog",
			 n, names);
	return -EINVAL;
}

/* Only flow dissector programs are loaded; count them. */
static unsigned int keep_flow_dissectors(struct bpf_object *obj)
{
	struct bpf_program *prog;
	unsigned int n = 0;

	bpf_object__for_each_program(prog, obj) {
		if (is_flow_dissector(prog))
			n++;
		else
			bpf_program__set_autoload(prog, false);
	}
	return n;
}

static int load_error(int ret, char *err, size_t err_size)
{
	if (ret == -EPERM) {
		snprintf(err, err_size,
			 "loading BPF programs needs root, or CAP_BPF and CAP_NET_ADMIN: run with sudo");
		return -EPERM;
	}
	if (libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_FLOW_DISSECTOR,
				       NULL) == 0) {
		snprintf(err, err_size,
			 "this kernel has no flow dissector programs (BPF_PROG_TYPE_FLOW_DISSECTOR, since 4.20)");
		return -EOPNOTSUPP;
	}
	snprintf(err, err_size,
		 "the kernel refused the object (%s): the verifier's log is above",
		 strerror(-ret));
	return -EACCES;
}

int dissector_load(const char *path, const char *prog_name,
		   struct dissector **out, char *err, size_t err_size)
{
	struct dissector *d;
	int ret;

	if (access(path, R_OK)) {
		snprintf(err, err_size, "%s", strerror(errno));
		return -errno;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->path = strdup(path);
	name_from_path(d, path);
	d->obj = bpf_object__open_file(path, NULL);
	if (!d->obj) {
		ret = -errno;
		snprintf(err, err_size, "not a BPF object file: %s",
			 strerror(errno));
		ret = ret == -ENOENT ? ret : -ENOEXEC;
		goto err_close;
	}
	if (!keep_flow_dissectors(d->obj)) {
		snprintf(err, err_size,
			 "no SEC(\"flow_dissector\") program in the object");
		ret = -ENOEXEC;
		goto err_close;
	}
	ret = bpf_object__load(d->obj);
	if (ret) {
		ret = load_error(ret, err, err_size);
		goto err_close;
	}
	ret = fill_tail_calls(d, err, err_size);
	ret = ret ?: find_entry(d, prog_name, err, err_size);
	if (ret)
		goto err_close;
	*out = d;
	return 0;

err_close:
	dissector_close(d);
	return ret;
}

const char *dissector_name(const struct dissector *d)
{
	return d->name;
}

const char *dissector_path(const struct dissector *d)
{
	return d->path;
}

const char *dissector_entry(const struct dissector *d)
{
	return bpf_program__name(d->entry);
}

int dissector_prog_fd(const struct dissector *d)
{
	return bpf_program__fd(d->entry);
}

unsigned int dissector_filled(const struct dissector *d)
{
	return d->filled;
}

void dissector_close(struct dissector *d)
{
	if (!d)
		return;
	bpf_object__close(d->obj);
	free(d->path);
	free(d);
}
