// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Load a flow dissector object, find its entry, fill tail calls. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "run/dissector.h"
#include "util/log.h"

/* Lines of a verifier log shown without -v: where it failed. */
#define VERIFIER_TAIL_LINES 12

/* A copy of the object for one test-run thread, loaded when it first asks. */
struct dissector_copy {
	struct dissector *d;	/* NULL: not loaded (yet, or it failed) */
	bool tried;
};

struct dissector {
	struct bpf_object *obj;
	struct bpf_program *entry;
	char *path;
	char name[256];
	unsigned int filled;
	/* programs reached by tail calls, as many as the tables hold */
	const struct bpf_program **targets;
	unsigned int n_targets;
	unsigned int targets_size;
	/* the object loaded again, one per test-run thread past the first */
	struct dissector_copy *copies;
	unsigned int n_copies;
};

bool dissector_err_is_env(int err)
{
	return err == -EPERM || err == -EACCES || err == -EOPNOTSUPP;
}

bool dissector_refusal_expected(int err, bool below_min_kernel)
{
	return below_min_kernel && err == -EACCES;
}

/*
 * libbpf's warnings while an object is opened and loaded, held back so
 * that a failure is told once, in fdtest's words, with the verifier's
 * log cut to where it failed. Other levels pass through unchanged.
 */
static struct {
	libbpf_print_fn_t saved;
	char *text;
	size_t len;
} held;

static int hold_print(enum libbpf_print_level level, const char *fmt,
		      va_list ap)
{
	char *msg;
	char *grown;
	int n;

	if (level != LIBBPF_WARN)
		return held.saved ? held.saved(level, fmt, ap) : 0;
	n = vasprintf(&msg, fmt, ap);
	if (n < 0)
		return 0;
	grown = realloc(held.text, held.len + (size_t)n + 1);
	if (grown) {
		memcpy(grown + held.len, msg, (size_t)n + 1);
		held.text = grown;
		held.len += (size_t)n;
	}
	free(msg);
	return n;
}

static void hold_begin(void)
{
	held.saved = libbpf_set_print(hold_print);
}

/* Gives libbpf its printer back; @replay passes held warnings on. */
static void hold_end(bool replay)
{
	libbpf_set_print(held.saved);
	if (replay && held.text)
		fputs(held.text, stderr);
	free(held.text);
	memset(&held, 0, sizeof(held));
}

/* The last line libbpf warned, without "libbpf: ", for a one-line reason. */
static const char *held_last_line(char *buf, size_t size)
{
	const char *end, *start;

	if (!held.text || !held.len)
		return NULL;
	end = held.text + held.len;
	while (end > held.text && end[-1] == '\n')
		end--;
	start = end;
	while (start > held.text && start[-1] != '\n')
		start--;
	if (strncmp(start, "libbpf: ", 8) == 0)
		start += 8;
	snprintf(buf, size, "%.*s", (int)(end - start), start);
	return buf;
}

/*
 * libbpf's last warning that says why a load failed ("map 'm': failed to
 * create: Invalid argument(-22)"), past its closing "failed to load
 * object" line; NULL when it warned nothing else.
 */
static const char *held_cause(char *buf, size_t size)
{
	const char *line = held.text, *pick = NULL, *end;
	size_t pick_len = 0;

	while (line && *line) {
		end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		if (strncmp(line, "libbpf: ", 8) == 0)
			line += 8;
		if (end > line && strncmp(line, "failed to load object", 21)) {
			pick = line;
			pick_len = (size_t)(end - line);
		}
		line = *end ? end + 1 : end;
	}
	if (!pick)
		return NULL;
	snprintf(buf, size, "%.*s", (int)pick_len, pick);
	return buf;
}

/* "prog 'x'" from libbpf's "prog 'x': -- BEGIN PROG LOAD LOG --". */
static const char *held_prog_name(void)
{
	static char name[128];
	const char *p = held.text ? strstr(held.text, "prog '") : NULL;
	const char *q = p ? strchr(p + 6, '\'') : NULL;

	if (!q)
		return "the object";
	snprintf(name, sizeof(name), "%.*s", (int)(q + 1 - p), p);
	return name;
}

/*
 * Prints the verifier's log that libbpf warned: whole with -v, else its
 * last lines, where the verifier says what it refused.
 */
static void print_verifier_log(void)
{
	static const char begin[] = "-- BEGIN PROG LOAD LOG --\n";
	static const char end_mark[] = "-- END PROG LOAD LOG --";
	const char *log = held.text ? strstr(held.text, begin) : NULL;
	const char *end, *from;
	unsigned int lines = 0, total = 0;

	if (!log)
		return;
	log += sizeof(begin) - 1;
	end = strstr(log, end_mark);
	if (!end)
		end = held.text + held.len;
	for (const char *p = log; p < end; p++)
		total += *p == '\n';
	from = end;
	if (log_get_level() < LOG_DEBUG) {
		/* back over the newline ending the log, then N lines */
		while (from > log && lines < VERIFIER_TAIL_LINES) {
			from--;
			if (from > log && from[-1] == '\n')
				lines++;
		}
	} else {
		from = log;
	}
	if (from == log)
		fprintf(stderr, "verifier log (%u lines):\n", total);
	else
		fprintf(stderr,
			"verifier log, last %d of %u lines (-v shows all):\n",
			VERIFIER_TAIL_LINES, total);
	fprintf(stderr, "%.*s", (int)(end - from), from);
}

static bool is_stats_line(const char *p, size_t n)
{
	static const char *const stats[] = {
		"processed ", "verification time", "stack depth",
	};

	for (size_t i = 0; i < sizeof(stats) / sizeof(stats[0]); i++)
		if (n >= strlen(stats[i]) &&
		    strncmp(p, stats[i], strlen(stats[i])) == 0)
			return true;
	return false;
}

/*
 * The verifier says why it refused on the last line before its
 * statistics; the lines above trace the instructions it walked. Into
 * @out ("" when it gave none); a NULL @out wants none.
 */
static void keep_verifier_reason(char *out, size_t size)
{
	static const char begin_mark[] = "-- BEGIN PROG LOAD LOG --\n";
	const char *begin = held.text ? strstr(held.text, begin_mark) : NULL;
	const char *end, *line, *pick = NULL;
	size_t pick_len = 0;

	if (!out || !size)
		return;
	out[0] = '\0';
	if (!begin)
		return;
	begin += sizeof(begin_mark) - 1;
	end = strstr(begin, "-- END PROG LOAD LOG --");
	if (!end)
		end = held.text + held.len;
	for (line = begin; line < end;) {
		const char *eol = memchr(line, '\n', (size_t)(end - line));
		size_t n = (size_t)((eol ? eol : end) - line);

		if (n && !is_stats_line(line, n)) {
			pick = line;
			pick_len = n;
		}
		line = eol ? eol + 1 : end;
	}
	if (pick)
		snprintf(out, size, "%.*s", (int)pick_len, pick);
}

void dissector_name_of(const char *path, char *out, size_t size)
{
	const char *base = strrchr(path, '/');
	size_t len;

	base = base ? base + 1 : path;
	len = strlen(base);
	if (len > 6 && strcmp(base + len - 6, ".bpf.o") == 0)
		len -= 6;
	else if (len > 2 && strcmp(base + len - 2, ".o") == 0)
		len -= 2;
	snprintf(out, size, "%.*s", (int)len, base);
}

static bool is_flow_dissector(const struct bpf_program *prog)
{
	return bpf_program__type(prog) == BPF_PROG_TYPE_FLOW_DISSECTOR;
}

/* 0 or -ENOMEM: a target left out would pass for an entry. */
static int add_target(struct dissector *d, const struct bpf_program *prog)
{
	const struct bpf_program **grown;
	unsigned int size;

	for (unsigned int i = 0; i < d->n_targets; i++)
		if (d->targets[i] == prog)
			return 0;
	if (d->n_targets == d->targets_size) {
		size = d->targets_size ? 2 * d->targets_size : 64;
		grown = realloc(d->targets, size * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		d->targets = grown;
		d->targets_size = size;
	}
	d->targets[d->n_targets++] = prog;
	return 0;
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

/*
 * Records the programs an initialised PROG_ARRAY holds; 1 if any, 0 if
 * none, -ENOMEM.
 */
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
			    prog_id(bpf_program__fd(prog)) == id &&
			    add_target(d, prog))
				return -ENOMEM;
	}
	return found;
}

/*
 * A hole below the highest slot filled is a target the object lacks:
 * every tail call to it fails. The table is asked, not a copy of ours,
 * so a table of any size is checked at every slot.
 */
static int check_holes(struct bpf_map *map, uint32_t upto, const char *prefix,
		       size_t prefix_len, char *err, size_t err_size)
{
	int fd = bpf_map__fd(map);
	uint32_t id;

	for (uint32_t key = 0; key < upto; key++) {
		if (!bpf_map_lookup_elem(fd, &key, &id))
			continue;
		if (errno != ENOENT) {
			int e = -errno;

			snprintf(err, err_size, "map '%s': reading slot %u: %s",
				 bpf_map__name(map), key, strerror(errno));
			return e;
		}
		snprintf(err, err_size,
			 "map '%s': slot %u is empty: no program '%.*s_%u' for the tail call to that index",
			 bpf_map__name(map), key, (int)prefix_len, prefix, key);
		return -EINVAL;
	}
	return 0;
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
	uint32_t filled_upto = 0;

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
		/* every tail call through it would fail: results are noise */
		snprintf(err, err_size,
			 "map '%s' is an empty PROG_ARRAY and no flow_dissector program is named <prefix>_<N> to fill it: tail calls through it would all fail",
			 bpf_map__name(map));
		return -EINVAL;
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
		if (add_target(d, prog)) {
			snprintf(err, err_size, "%s", strerror(ENOMEM));
			return -ENOMEM;
		}
		d->filled++;
		filled_upto = key + 1 > filled_upto ? key + 1 : filled_upto;
	}
	return check_holes(map, filled_upto, best, best_len, err, err_size);
}

static int fill_tail_calls(struct dissector *d, char *err, size_t err_size)
{
	struct bpf_map *map;
	int ret;

	bpf_object__for_each_map(map, d->obj) {
		if (bpf_map__type(map) != BPF_MAP_TYPE_PROG_ARRAY)
			continue;
		ret = note_initialised(d, map);
		if (ret < 0) {
			snprintf(err, err_size, "%s", strerror(-ret));
			return ret;
		}
		if (ret)
			continue;
		ret = fill_by_name(d, map, err, err_size);
		if (ret)
			return ret;
	}
	return 0;
}

/* Candidates named in an ambiguous-entry message, each whole. */
#define ENTRY_NAMES_SHOWN 4

/*
 * "N possible entry programs ('a', 'b' and N-2 more)": names are listed
 * whole while they fit in @err with room for the rest of the message.
 */
static void say_ambiguous(const struct dissector *d, unsigned int n,
			  char *err, size_t err_size)
{
	static const char tail[] = " and 4294967295 more): name one with --prog";
	struct bpf_program *prog;
	unsigned int shown = 0;
	size_t used;

	used = (size_t)snprintf(err, err_size, "%u possible entry programs (",
				n);
	bpf_object__for_each_program(prog, d->obj) {
		const char *name = bpf_program__name(prog);

		if (!is_flow_dissector(prog) || is_target(d, prog))
			continue;
		if (shown == ENTRY_NAMES_SHOWN ||
		    used + strlen(name) + 4 + sizeof(tail) > err_size)
			break;
		used += (size_t)snprintf(err + used, err_size - used,
					 "%s'%s'", shown ? ", " : "", name);
		shown++;
	}
	if (used >= err_size)
		return;
	if (!shown)	/* not even one name fits */
		snprintf(err, err_size,
			 "%u possible entry programs: name one with --prog",
			 n);
	else if (shown < n)
		snprintf(err + used, err_size - used,
			 " and %u more): name one with --prog", n - shown);
	else
		snprintf(err + used, err_size - used,
			 "): name one with --prog");
}

static int find_entry(struct dissector *d, const char *prog_name, char *err,
		      size_t err_size)
{
	struct bpf_program *prog;
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
		if (!is_flow_dissector(prog) || is_target(d, prog))
			continue;
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
		say_ambiguous(d, n, err, err_size);
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

/* "xdp 'x', tc 'y'": what the object holds instead of a flow dissector. */
static void describe_programs(struct bpf_object *obj, char *buf, size_t size)
{
	struct bpf_program *prog;
	size_t used = 0;

	buf[0] = '\0';
	bpf_object__for_each_program(prog, obj) {
		const char *type =
			libbpf_bpf_prog_type_str(bpf_program__type(prog));

		if (used >= size)
			break;
		used += (size_t)snprintf(buf + used, size - used, "%s%s '%s'",
					 used ? ", " : "",
					 type ? type : "unknown",
					 bpf_program__name(prog));
	}
}

/*
 * The verifier refused a program: libbpf passed its log on, and the
 * kernel said EACCES or EINVAL (an unknown helper or kfunc, as on a
 * kernel older than the program needs) or E2BIG (too complex). A map
 * the kernel cannot create, no memory, or an object libbpf cannot
 * relocate fails with no log or another errno.
 */
static bool verifier_refused(int ret)
{
	return held.text && strstr(held.text, "-- BEGIN PROG LOAD LOG --") &&
	       (ret == -EACCES || ret == -EINVAL || ret == -E2BIG);
}

/* @reason (NULL: unwanted): the verifier's words, when it refused */
static int load_error(int ret, char *err, size_t err_size, char *reason,
		      size_t reason_size)
{
	if (ret == -EPERM) {
		snprintf(err, err_size,
			 "loading BPF programs needs root, or CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON: run with sudo");
		return -EPERM;
	}
	if (libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_FLOW_DISSECTOR,
				       NULL) == 0) {
		snprintf(err, err_size,
			 "this kernel has no flow dissector programs (BPF_PROG_TYPE_FLOW_DISSECTOR, since 4.20)");
		return -EOPNOTSUPP;
	}
	/*
	 * Without CAP_PERFMON the verifier forbids the packet pointer
	 * arithmetic every real dissector does ("... prohibited for !root"):
	 * a missing privilege, not a bad program.
	 */
	if (held.text && strstr(held.text, "for !root")) {
		snprintf(err, err_size,
			 "the verifier allows packet pointer arithmetic only with CAP_PERFMON: run as root, or with CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON");
		return -EPERM;
	}
	if (!verifier_refused(ret)) {
		char why[256];

		if (!held_cause(why, sizeof(why)))
			libbpf_strerror(ret, why, sizeof(why));
		snprintf(err, err_size,
			 "loading it failed before the verifier judged it: %s",
			 why);
		/* never one of the codes that mean a refusal */
		return ret == -EACCES || ret == -EOPNOTSUPP || ret >= 0 ?
		       -EIO : ret;
	}
	print_verifier_log();
	keep_verifier_reason(reason, reason_size);
	snprintf(err, err_size,
		 "the verifier rejected %s (%s): the end of its log is above",
		 held_prog_name(), strerror(-ret));
	return -EACCES;
}

/*
 * A copy uses the maps of @first, all but its PROG_ARRAYs: a copy's
 * tables must hold its own programs (a table belongs to the programs that
 * call through it), while a 2 GiB hash loaded once per thread would be
 * N times the memory and N views of state the dissector means to share.
 */
static int share_maps(struct bpf_object *obj, const struct dissector *first,
		      char *err, size_t err_size)
{
	struct bpf_map *map, *orig;
	int ret;

	bpf_object__for_each_map(map, obj) {
		if (bpf_map__type(map) == BPF_MAP_TYPE_PROG_ARRAY)
			continue;
		orig = bpf_object__find_map_by_name(first->obj,
						    bpf_map__name(map));
		if (!orig || bpf_map__fd(orig) < 0)
			continue;
		ret = bpf_map__reuse_fd(map, bpf_map__fd(orig));
		if (ret) {
			snprintf(err, err_size,
				 "map '%s': cannot share it with the first copy: %s",
				 bpf_map__name(map), strerror(-ret));
			return ret;
		}
	}
	return 0;
}

/*
 * @first: the object already loaded whose maps this one shares, or NULL;
 * @reason: as in dissector_load_reason(), or NULL.
 */
static int load(const char *path, const char *prog_name,
		const struct dissector *first, struct dissector **out,
		char *err, size_t err_size, char *reason, size_t reason_size)
{
	char why[256], progs[256];
	struct dissector *d;
	int ret;

	if (access(path, R_OK)) {
		ret = -errno;
		snprintf(err, err_size, "%s", strerror(-ret));
		return ret;
	}
	d = calloc(1, sizeof(*d));
	if (d)
		d->path = strdup(path);
	if (!d || !d->path) {
		free(d);
		snprintf(err, err_size, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	dissector_name_of(path, d->name, sizeof(d->name));
	hold_begin();
	d->obj = bpf_object__open_file(path, NULL);
	if (!d->obj) {
		ret = -errno;
		if (!held_last_line(why, sizeof(why)))
			libbpf_strerror(ret, why, sizeof(why));
		snprintf(err, err_size, "not a BPF object file: %s", why);
		ret = ret == -ENOENT ? ret : -ENOEXEC;
		goto err_close;
	}
	if (!keep_flow_dissectors(d->obj)) {
		describe_programs(d->obj, progs, sizeof(progs));
		snprintf(err, err_size,
			 "no SEC(\"flow_dissector\") program in the object (%s%s)",
			 progs[0] ? "it has " : "it has no program at all",
			 progs);
		ret = -ENOEXEC;
		goto err_close;
	}
	if (first) {
		ret = share_maps(d->obj, first, err, err_size);
		if (ret)
			goto err_close;
	}
	ret = bpf_object__load(d->obj);
	if (ret) {
		ret = load_error(ret, err, err_size, reason, reason_size);
		goto err_close;
	}
	hold_end(true);
	ret = fill_tail_calls(d, err, err_size);
	ret = ret ?: find_entry(d, prog_name, err, err_size);
	if (ret)
		goto err_free;
	*out = d;
	return 0;

err_close:
	/* the reason is in @err; libbpf's lines would only repeat it */
	hold_end(log_get_level() >= LOG_DEBUG);
err_free:
	dissector_close(d);
	return ret;
}

/*
 * libbpf's messages are held in one place while an object loads (see
 * hold_print()), and test-run threads load their copies when they first
 * run: one load at a time.
 */
static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;

int dissector_load_reason(const char *path, const char *prog_name,
			  struct dissector **out, char *err, size_t err_size,
			  char *reason, size_t reason_size)
{
	int ret;

	if (reason && reason_size)
		reason[0] = '\0';
	pthread_mutex_lock(&load_lock);
	ret = load(path, prog_name, NULL, out, err, err_size, reason,
		   reason_size);
	pthread_mutex_unlock(&load_lock);
	return ret;
}

int dissector_load(const char *path, const char *prog_name,
		   struct dissector **out, char *err, size_t err_size)
{
	return dissector_load_reason(path, prog_name, out, err, err_size,
				     NULL, 0);
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

int dissector_want_copies(struct dissector *d, unsigned int n)
{
	struct dissector_copy *copies;

	if (n <= d->n_copies)
		return 0;
	copies = realloc(d->copies, n * sizeof(*copies));
	if (!copies)
		return -ENOMEM;
	memset(copies + d->n_copies, 0, (n - d->n_copies) * sizeof(*copies));
	d->copies = copies;
	d->n_copies = n;
	return 0;
}

int dissector_thread_fd(struct dissector *d, unsigned int thread)
{
	struct dissector_copy *c;
	char err[512];
	int ret;

	if (thread == 0 || thread > d->n_copies)
		return dissector_prog_fd(d);
	c = &d->copies[thread - 1];
	if (!c->tried) {
		c->tried = true;
		pthread_mutex_lock(&load_lock);
		ret = load(d->path, dissector_entry(d), d, &c->d, err,
			   sizeof(err), NULL, 0);
		pthread_mutex_unlock(&load_lock);
		if (ret)
			p_warn("dissector '%s': loading a copy for test-run thread %u: %s; the thread runs the first",
			       d->path, thread, err);
	}
	return c->d ? dissector_prog_fd(c->d) : dissector_prog_fd(d);
}

unsigned int dissector_filled(const struct dissector *d)
{
	return d->filled;
}

void dissector_close(struct dissector *d)
{
	if (!d)
		return;
	for (unsigned int i = 0; i < d->n_copies; i++)
		dissector_close(d->copies[i].d);
	free(d->copies);
	free(d->targets);
	bpf_object__close(d->obj);
	free(d->path);
	free(d);
}
