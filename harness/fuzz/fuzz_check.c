// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fdtest fuzz: one input through the dissectors, judged by the oracles.
 * The checks are the ones `fdtest run` and `fdtest diff` make (compare.c),
 * so a finding replays there and fails the same way.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "report/pclass.h"

static const char *const oracle_names[FUZZ_ORACLE_COUNT] = {
	[FUZZ_ORACLE_CONSISTENCY] = "consistency",
	[FUZZ_ORACLE_INVARIANT] = "invariant",
	[FUZZ_ORACLE_DIFF] = "diff",
	[FUZZ_ORACLE_SPEC] = "spec",
};

const char *fuzz_oracle_name(enum fuzz_oracle o)
{
	return o < FUZZ_ORACLE_COUNT ? oracle_names[o] : "?";
}

int fuzz_oracle_parse(const char *name)
{
	for (int o = 0; o < FUZZ_ORACLE_COUNT; o++)
		if (strcmp(name, oracle_names[o]) == 0)
			return o;
	return -EINVAL;
}

/* ---- the policy of accepted differences ------------------------------ */

/* Longest policy line read; a longer one is refused, not cut. */
#define POLICY_LINE_MAX 512

static int policy_line(char *line, struct fuzz_policy *p, char *err,
		       size_t err_size)
{
	struct fuzz_policy_rule *rule;
	char *save = NULL;
	char *cls, *field, *reason;

	line[strcspn(line, "#\r\n")] = '\0';
	cls = strtok_r(line, " \t", &save);
	if (!cls)
		return 0;
	field = strtok_r(NULL, " \t", &save);
	if (!field) {
		snprintf(err, err_size,
			 "'%s' needs a field pattern after it: CLASS FIELD REASON",
			 cls);
		return -EINVAL;
	}
	reason = save ? save + strspn(save, " \t") : "";
	if (p->n_rules == FUZZ_POLICY_RULES_MAX) {
		snprintf(err, err_size, "more than %d rules",
			 FUZZ_POLICY_RULES_MAX);
		return -EINVAL;
	}
	rule = &p->rules[p->n_rules];
	if (strlen(cls) >= sizeof(rule->pclass) ||
	    strlen(field) >= sizeof(rule->field)) {
		snprintf(err, err_size, "pattern longer than %zu characters",
			 sizeof(rule->pclass) - 1);
		return -EINVAL;
	}
	snprintf(rule->pclass, sizeof(rule->pclass), "%s", cls);
	snprintf(rule->field, sizeof(rule->field), "%s", field);
	snprintf(rule->reason, sizeof(rule->reason), "%s", reason);
	p->n_rules++;
	return 0;
}

int fuzz_policy_load(const char *path, struct fuzz_policy *p, char *err,
		     size_t err_size)
{
	char line[POLICY_LINE_MAX + 2];
	char why[256];
	unsigned int n = 0;
	FILE *f;
	int ret = 0;

	memset(p, 0, sizeof(*p));
	f = fopen(path, "r");
	if (!f) {
		ret = -errno;
		snprintf(err, err_size, "%s", strerror(errno));
		return ret;
	}
	while (fgets(line, sizeof(line), f)) {
		n++;
		if (strlen(line) > POLICY_LINE_MAX) {
			snprintf(err, err_size,
				 "line %u: longer than %d characters", n,
				 POLICY_LINE_MAX);
			ret = -EINVAL;
			break;
		}
		ret = policy_line(line, p, why, sizeof(why));
		if (ret) {
			snprintf(err, err_size, "line %u: %s", n, why);
			break;
		}
	}
	if (!ret && ferror(f)) {
		snprintf(err, err_size, "read error");
		ret = -EIO;
	}
	fclose(f);
	return ret;
}

const struct fuzz_policy_rule *fuzz_policy_match(const struct fuzz_policy *p,
						 const char *pclass,
						 const char *field)
{
	if (!p)
		return NULL;
	for (size_t i = 0; i < p->n_rules; i++)
		if (fnmatch(p->rules[i].pclass, pclass, 0) == 0 &&
		    fnmatch(p->rules[i].field, field, 0) == 0)
			return &p->rules[i];
	return NULL;
}

/* ---- one input -------------------------------------------------------- */

static void add_issue(struct fuzz_eval *ev, enum fuzz_oracle o,
		      const char *field)
{
	for (size_t i = 0; i < ev->n_issues; i++)
		if (ev->issues[i].oracle == o &&
		    strcmp(ev->issues[i].field, field) == 0)
			return;
	if (ev->n_issues == FUZZ_ISSUES_MAX)
		return;
	ev->issues[ev->n_issues].oracle = (uint8_t)o;
	snprintf(ev->issues[ev->n_issues].field,
		 sizeof(ev->issues[0].field), "%s", field);
	ev->n_issues++;
}

static void add_diffs(struct fuzz_eval *ev, enum fuzz_oracle o, int s,
		      uint32_t f, const struct diff *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		add_issue(ev, o, d[i].field);
		if (!ev->keep_diffs || ev->n_diffs == FUZZ_DIFFS_MAX)
			continue;
		ev->diffs[ev->n_diffs].oracle = (uint8_t)o;
		ev->diffs[ev->n_diffs].state = (uint8_t)s;
		ev->diffs[ev->n_diffs].flags = (uint8_t)f;
		ev->diffs[ev->n_diffs].d = d[i];
		ev->n_diffs++;
	}
}

/*
 * The shape of a result, hashed: what a new kind of answer looks like to
 * the engine (verdict, protocols, offsets from the start of the frame,
 * which key fields were written, encap and fragment bits). The program's
 * own branches are out of sight; these are the next best thing. The
 * state is left out: the consistency oracle watches the states differ.
 */
static uint32_t result_shape(uint32_t f, const struct testrun_result *r)
{
	const struct bpf_flow_keys *k = &r->keys;
	uint64_t h = 0xcbf29ce484222325ull;
	uint32_t written = (k->sport != 0) | (k->dport != 0) << 1 |
			   (k->flow_label != 0) << 2 |
			   (k->ipv6_src[0] != 0) << 3 |
			   (k->ipv6_dst[3] != 0) << 4 | (k->flags != f) << 5;
	uint32_t v[] = {
		f, r->ret, k->ip_proto, k->n_proto, k->addr_proto,
		k->nhoff, (uint32_t)(k->thoff - k->nhoff), k->is_frag,
		k->is_first_frag, k->is_encap, written,
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		h ^= v[i];
		h *= 0x100000001b3ull;
	}
	return (uint32_t)(h ^ (h >> 32));
}

static int run_all(const struct fuzz_target *t, int fd,
		   const struct frame_states *shape,
		   struct testrun_result res[][FDTEST_FLAGS_KNOWN + 1])
{
	int ret;

	for (int s = 0; s < FDTEST_STATE_COUNT; s++)
		for (uint32_t f = 0; f <= FDTEST_FLAGS_KNOWN; f++) {
			ret = testrun_one(fd, t->kernel, &shape->state[s], f,
					  1, &res[s][f]);
			if (ret)
				return ret;
		}
	return FUZZ_CASES;
}

static uint16_t be16_at(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/*
 * What is wrong with the first IP header after Ethernet and its tags:
 * "!version", "!ihl", "!len" (a total length below the header's),
 * "!cut"; "" for a sound one or none. Dissectors differ most in what
 * they accept as IP, and the protocol class alone calls every such
 * header "other".
 */
static const char *ip_anomaly(const uint8_t *p, uint32_t len)
{
	uint32_t off = 12;
	uint16_t type;

	while (off + 6 <= len && frame_is_tpid(be16_at(p + off)))
		off += FRAME_TAG_LEN;
	if (off + 2 > len)
		return "";
	type = be16_at(p + off);
	off += 2;
	if (type == 0x86dd) {
		if (off + 40 > len)
			return "!cut";
		return p[off] >> 4 != 6 ? "!version" : "";
	}
	if (type != 0x0800)
		return "";
	if (off + 20 > len)
		return "!cut";
	if (p[off] >> 4 != 4)
		return "!version";
	if ((p[off] & 0xf) < 5)
		return "!ihl";
	if (off + (p[off] & 0xfu) * 4 > len)
		return "!cut";
	if (be16_at(p + off + 2) && be16_at(p + off + 2) < (p[off] & 0xfu) * 4)
		return "!len";
	return "";
}

/* The class the policy's patterns are matched against. */
void fuzz_class(const uint8_t *frame, uint32_t len, char *buf, size_t size)
{
	char name[PCLASS_NAME_MAX];

	pclass_name(pclass_of(frame, len), name, sizeof(name));
	snprintf(buf, size, "%s%s", name, ip_anomaly(frame, len));
}

/* Differences with the reference that the policy does not accept. */
static size_t diff_unaccepted(const struct fuzz_target *t,
			      const struct fuzz_input *in, char *pclass,
			      struct diff *d, size_t n)
{
	size_t kept = 0;

	for (size_t i = 0; i < n; i++) {
		if (t->policy && !pclass[0])
			fuzz_class(in->bytes, in->len, pclass, FUZZ_CLASS_MAX);
		if (fuzz_policy_match(t->policy, pclass, d[i].field))
			continue;
		d[kept++] = d[i];
	}
	return kept;
}

static void check_case(const struct fuzz_target *t,
		       const struct fuzz_input *in,
		       const struct frame_states *shape,
		       const struct fuzz_results *res, struct fuzz_eval *ev,
		       int s, uint32_t f, char *pclass)
{
	const struct frame_state *st = &shape->state[s];
	const struct frame_state *post = &shape->state[FDTEST_STATE_POST_VLAN];
	const struct testrun_result *r = &res->r[0][s][f];
	const struct testrun_result *states[FDTEST_STATE_COUNT];
	size_t n;

	if (t->oracles & (1u << FUZZ_ORACLE_INVARIANT)) {
		n = compare_invariants(r->ret, &r->keys, st->len + st->shift,
				       ev->tmp, COMPARE_DIFFS_MAX);
		add_diffs(ev, FUZZ_ORACLE_INVARIANT, s, f, ev->tmp, n);
	}
	/* a damaged tag stack has no well-defined stripped form */
	if ((t->oracles & (1u << FUZZ_ORACLE_CONSISTENCY)) &&
	    !shape->tag_truncated) {
		for (int x = 0; x < FDTEST_STATE_COUNT; x++)
			states[x] = &res->r[0][x][f];
		n = compare_states(states, post->shift, (enum fdtest_state)s,
				   ev->tmp, COMPARE_DIFFS_MAX);
		add_diffs(ev, FUZZ_ORACLE_CONSISTENCY, s, f, ev->tmp, n);
	}
	if (t->ref && (t->oracles & (1u << FUZZ_ORACLE_DIFF))) {
		n = compare_results(&res->r[1][s][f], r, ev->tmp,
				    COMPARE_DIFFS_MAX);
		n = diff_unaccepted(t, in, pclass, ev->tmp, n);
		add_diffs(ev, FUZZ_ORACLE_DIFF, s, f, ev->tmp, n);
	}
	if (ev->spec) {
		n = compare_golden(&ev->spec->exp[s][f], r->ret, &r->keys,
				   ev->tmp, COMPARE_DIFFS_MAX);
		add_diffs(ev, FUZZ_ORACLE_SPEC, s, f, ev->tmp, n);
	}
}

void fuzz_spec_derive(const struct fuzz_target *t,
		      const struct gen_packet *pkt,
		      struct gen_expectations *all, struct fuzz_spec *spec)
{
	char err[256];

	/*
	 * A description the spec cannot settle (a field given that moves
	 * the bytes away from the layers) is not judged by it.
	 */
	spec->checked = pkt && (t->oracles & (1u << FUZZ_ORACLE_SPEC)) &&
			gen_expect_packet(pkt, 1, false, all, err,
					  sizeof(err)) == 1;
	if (spec->checked)
		memcpy(spec->exp, all->exp[t->spec_policy], sizeof(spec->exp));
}

int fuzz_run_cases(const struct fuzz_target *t, int fd, int ref_fd,
		   const struct fuzz_input *in, struct frame_states *shape,
		   struct fuzz_results *res)
{
	int runs = 0;
	int ret;

	ret = frame_shape(in->bytes, in->len, t->kernel->ctx_states, shape);
	if (ret)
		return ret;
	ret = run_all(t, fd, shape, res->r[0]);
	if (ret < 0)
		return ret;
	runs += ret;
	if (t->ref && (t->oracles & (1u << FUZZ_ORACLE_DIFF))) {
		ret = run_all(t, ref_fd, shape, res->r[1]);
		if (ret < 0)
			return ret;
		runs += ret;
	}
	return runs;
}

void fuzz_judge(const struct fuzz_target *t, const struct fuzz_input *in,
		const struct fuzz_spec *spec, const struct frame_states *shape,
		const struct fuzz_results *res, struct fuzz_eval *ev)
{
	char pclass[FUZZ_CLASS_MAX] = "";

	ev->n_issues = 0;
	ev->n_features = 0;
	ev->n_diffs = 0;
	ev->spec = spec && spec->checked ? spec : NULL;
	for (int s = 0; s < FDTEST_STATE_COUNT; s++)
		for (uint32_t f = 0; f <= FDTEST_FLAGS_KNOWN; f++)
			check_case(t, in, shape, res, ev, s, f, pclass);
	/*
	 * In a loop of their own, the cases' hashes (each a chain of
	 * multiplications) are worked on side by side by the CPU.
	 */
	for (int s = 0; s < FDTEST_STATE_COUNT; s++)
		for (uint32_t f = 0; f <= FDTEST_FLAGS_KNOWN; f++)
			ev->features[ev->n_features++] =
				result_shape(f, &res->r[0][s][f]);
}

int fuzz_check(const struct fuzz_target *t, int fd, int ref_fd,
	       const struct fuzz_input *in, const struct fuzz_spec *spec,
	       struct fuzz_eval *ev)
{
	int ret;

	ev->n_issues = 0;
	ev->n_features = 0;
	ev->n_diffs = 0;
	ev->spec = NULL;
	ret = fuzz_run_cases(t, fd, ref_fd, in, &ev->shape, &ev->res);
	if (ret < 0)
		return ret;
	fuzz_judge(t, in, spec, &ev->shape, &ev->res, ev);
	return ret;
}

bool fuzz_eval_has(const struct fuzz_eval *ev, enum fuzz_oracle oracle,
		   const char *field)
{
	for (size_t i = 0; i < ev->n_issues; i++)
		if (ev->issues[i].oracle == oracle &&
		    strcmp(ev->issues[i].field, field) == 0)
			return true;
	return false;
}
