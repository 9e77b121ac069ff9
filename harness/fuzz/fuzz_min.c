// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fdtest fuzz: minimising a finding. A generated frame loses layers and
 * fields and has its hex values shortened, a cut searched again each
 * time; a mutated one loses bytes from its end, then chunks. A candidate
 * is kept when it still breaks the same oracle in the same field and is
 * simpler: fewer bytes, then a shorter description.
 */
#include <stdio.h>
#include <string.h>

#include "fuzz/fuzz.h"

/* bounds one finding's minimising: a few hundred ms at kernel speed */
#define MIN_TRIES_MAX	10000

static bool stopped(const struct fuzz_minimiser *m)
{
	return m->stop && *m->stop;
}

bool fuzz_reproduces(struct fuzz_minimiser *m, const struct fuzz_finding *f,
		     struct fuzz_input *in)
{
	const struct gen_packet *pkt = NULL;
	int ret;

	m->tries++;
	if (in->desc[0]) {
		if (fuzz_desc_build(in->desc, &m->pkt))
			return false;
		in->len = m->pkt.len;
		memcpy(in->bytes, m->pkt.bytes, m->pkt.len);
		pkt = &m->pkt;
	}
	fuzz_spec_derive(m->t, pkt, &m->all, &m->spec);
	ret = fuzz_check(m->t, dissector_prog_fd(m->t->dis),
			 m->t->ref ? dissector_prog_fd(m->t->ref) : -1, in,
			 &m->spec, &m->ev);
	if (ret < 0) {
		m->run_err = ret;
		return false;
	}
	m->runs += (uint64_t)ret;
	return fuzz_eval_has(&m->ev, (enum fuzz_oracle)f->oracle, f->field);
}

/* Fewest bytes, then the shortest description. */
static bool simpler(const struct fuzz_input *a, const struct fuzz_input *b)
{
	if (a->len != b->len)
		return a->len < b->len;
	return strlen(a->desc) < strlen(b->desc);
}

static bool min_budget(const struct fuzz_minimiser *m, uint64_t start)
{
	return !stopped(m) && !m->run_err && m->tries - start < MIN_TRIES_MAX;
}

/* A hex value (options, payload) of more than 4 bytes: 4 can go. */
static bool hex_shortens(const char *word)
{
	const char *v = strchr(word, '=');
	size_t n;

	if (!v)
		return false;
	n = strlen(++v);
	return n >= 16 && n % 2 == 0 && strspn(v, "0123456789abcdef") == n;
}

/*
 * @desc with word @word (a field; -1: the whole layer) of layer @layer
 * left out, or with @shorten its hex value 4 bytes shorter. Layers are
 * joined by " / ", words by " ". Returns false when there is no such
 * word or edit, or what is left is not a packet.
 */
static bool desc_edit(const char *desc, int layer, int word, bool shorten,
		      char *out, size_t size)
{
	char copy[FUZZ_DESC_MAX];
	char *rest = copy;
	size_t len = 0;
	bool found = false;

	snprintf(copy, sizeof(copy), "%s", desc);
	out[0] = '\0';
	for (int l = 0; rest; l++) {
		char *sep = strstr(rest, " / ");
		char *save = NULL;
		int w = 0;

		if (sep)
			*sep = '\0';
		if (l == layer && word < 0 && !shorten) {
			found = true;
		} else {
			if (len)
				len += (size_t)snprintf(out + len, size - len,
							" /");
			for (char *t = strtok_r(rest, " ", &save); t;
			     t = strtok_r(NULL, " ", &save), w++) {
				int keep = (int)strlen(t);

				if (l == layer && w == word && w > 0) {
					if (!shorten) {
						found = true;
						continue;
					}
					if (hex_shortens(t)) {
						found = true;
						keep -= 8;
					}
				}
				if (len >= size)
					break;
				len += (size_t)snprintf(out + len, size - len,
							"%s%.*s",
							len ? " " : "", keep,
							t);
			}
		}
		if (len >= size)
			return false;
		rest = sep ? sep + 3 : NULL;
	}
	return found && out[0];
}

/*
 * The shortest cut of @c's frame (its description with "frame trunc=N")
 * that still shows @f and is simpler than f->min: taken into f->min.
 * Returns true when one was found.
 */
static bool min_trunc(struct fuzz_minimiser *m, struct fuzz_finding *f,
		      const struct fuzz_input *c, uint64_t start)
{
	const char *rest = c->desc;
	char body[FUZZ_DESC_MAX];
	uint32_t len;

	if (strncmp(rest, "frame trunc=", 12) == 0) {
		rest = strstr(rest, " / ");
		if (!rest)
			return false;
		rest += 3;
	}
	snprintf(body, sizeof(body), "%s", rest);
	if (fuzz_desc_build(body, &m->pkt))
		return false;
	len = m->pkt.len;
	for (uint32_t n = FDTEST_FRAME_MIN; n < len && n < f->min.len &&
	     min_budget(m, start); n++) {
		m->cand = *c;
		if (snprintf(m->cand.desc, sizeof(m->cand.desc),
			     "frame trunc=%u / %s", n, body) >=
		    (int)sizeof(m->cand.desc))
			return false;
		if (fuzz_reproduces(m, f, &m->cand) &&
		    simpler(&m->cand, &f->min)) {
			f->min = m->cand;
			return true;
		}
	}
	return false;
}

/*
 * m->cand, an edit of f->min: taken when it still shows @f and is
 * simpler, or when a cut of it does (the old cut may not fit it).
 */
static bool min_take(struct fuzz_minimiser *m, struct fuzz_finding *f,
		     uint64_t start)
{
	struct fuzz_input cut = m->cand;

	if (fuzz_reproduces(m, f, &m->cand) && simpler(&m->cand, &f->min)) {
		f->min = m->cand;
		return true;
	}
	return !strncmp(cut.desc, "frame trunc=", 12) &&
	       min_trunc(m, f, &cut, start);
}

/*
 * Leaves out whole layers and single fields, and shortens hex values,
 * while the finding holds.
 */
static void min_desc(struct fuzz_minimiser *m, struct fuzz_finding *f,
		     uint64_t start)
{
	bool progress = true;

	while (progress && min_budget(m, start)) {
		progress = false;
		for (int l = GEN_LAYERS_MAX; l-- > 0 && !progress;) {
			for (int w = -1; w < 2 * GEN_FIELDS_MAX && !progress &&
			     min_budget(m, start); w++) {
				bool any = false;

				if (w == 0)
					continue;	/* the layer's name */
				for (int sh = 0; sh < 2 && !progress; sh++) {
					m->cand = f->min;
					if (!desc_edit(f->min.desc, l, w, sh,
						       m->cand.desc,
						       sizeof(m->cand.desc)))
						continue;
					any = true;
					progress = min_take(m, f, start);
				}
				if (!any && w > 0)
					break;	/* no such word */
			}
		}
	}
}

/* Bytes alone: the shortest prefix, then chunks left out. */
static void min_bytes(struct fuzz_minimiser *m, struct fuzz_finding *f,
		      uint64_t start)
{
	for (uint32_t n = FDTEST_FRAME_MIN; n < f->min.len &&
	     min_budget(m, start); n++) {
		m->cand = f->min;
		m->cand.len = n;
		if (fuzz_reproduces(m, f, &m->cand)) {
			f->min = m->cand;
			break;
		}
	}
	for (uint32_t chunk = 8; chunk; chunk /= 2) {
		for (uint32_t at = 0; at + chunk <= f->min.len &&
		     f->min.len - chunk >= FDTEST_FRAME_MIN &&
		     min_budget(m, start);) {
			m->cand = f->min;
			memmove(m->cand.bytes + at, m->cand.bytes + at + chunk,
				m->cand.len - at - chunk);
			m->cand.len -= chunk;
			if (fuzz_reproduces(m, f, &m->cand))
				f->min = m->cand;
			else
				at++;
		}
	}
}

void fuzz_minimise(struct fuzz_minimiser *m, struct fuzz_finding *f)
{
	uint64_t start = m->tries;
	struct fuzz_input cut;

	if (f->min.desc[0]) {
		min_desc(m, f, start);
		m->cand = f->min;
		cut = m->cand;
		if (min_trunc(m, f, &cut, start))
			min_desc(m, f, start);
	} else {
		min_bytes(m, f, start);
	}
	/* leave the evaluation on the final input, with its differences */
	m->ev.keep_diffs = true;
	if (!m->run_err)
		fuzz_reproduces(m, f, &f->min);
	m->ev.keep_diffs = false;
	fuzz_class(f->min.bytes, f->min.len, f->pclass, sizeof(f->pclass));
}
