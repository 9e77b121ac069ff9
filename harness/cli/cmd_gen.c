// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fdtest gen: a text description in, a capture and its expected keys out.
 * The description is read twice, once for the capture and once for the
 * expectations (which name the capture's SHA-256), so memory does not
 * grow with the number of packets.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/golden.h"
#include "cli/cmds.h"
#include "cli/options.h"
#include "gen/gen.h"
#include "gen/gen_expect.h"
#include "gen/gen_pcap.h"
#include "util/atomic_file.h"
#include "util/input_file.h"
#include "util/log.h"
#include "util/sha256.h"

struct gen_opts {
	const char *desc;
	const char *output;		/* default: DESC with .pcap */
	const char *spec_dir;		/* NULL: no expectations */
	const struct linktype *link;
	enum gen_format format;
	bool format_given;
};

static int gen_parse_format(void *opts, const char *arg);
static int gen_parse_linktype(void *opts, const char *arg);

#define GEN_FIELD(m) OPTION_FIELD(struct gen_opts, m)

static const struct option_row gen_options[] = {
	{ "output", 'o', OPTION_STRING, GEN_FIELD(output), "FILE",
	  "capture to write (default: the description's name with .pcap or .pcapng)" },
	{ "format", 0, OPTION_FUNC, GEN_FIELD(format), "FMT",
	  "pcap or pcapng (default: pcapng when FILE ends in .pcapng, else pcap); frame iface=N puts a packet on pcapng interface N",
	  .parse = gen_parse_format },
	{ "spec", 0, OPTION_FOLDER, GEN_FIELD(spec_dir), "DIR",
	  "also write the expected keys, as DIR/<policy>/<capture>.json for the policies base and udp-encap",
	  .limit = "--spec: give a folder (an empty name would write under /)" },
	{ "linktype", 0, OPTION_FUNC, GEN_FIELD(link), "TYPE",
	  "eth (default), raw, sll, sll2 or null; for all but eth each packet starts at its IP layer",
	  .parse = gen_parse_linktype },
	OPTION_HELP_ROW,
};

static void gen_usage(FILE *out);

static const struct option_table gen_table =
	OPTION_TABLE("gen", gen_options, gen_usage);

static void gen_usage(FILE *out)
{
	fprintf(out,
		"Usage: fdtest gen [OPTIONS] DESCRIPTION\n"
		"\n"
		"Write a capture from a text description, one packet a line:\n"
		"layers separated by '/', fields as key=value. Lengths, checksums\n"
		"and next-protocol fields follow from the layers unless given.\n"
		"'#' starts a comment. Example:\n"
		"\n"
		"  eth / vlan vid=100 / ipv4 src=10.0.0.1 dst=10.0.0.2 / udp / vxlan vni=42 / eth / ipv6 / tcp sport=443\n"
		"  frame trunc=30 expect=drop / eth / ipv4 / tcp\n"
		"\n"
		"Options:\n");
	options_print(out, &gen_table);
	fprintf(out, "\nLayers and their fields:\n");
	for (const struct gen_layer_type *t = gen_layer_types; t->name; t++) {
		fprintf(out, "  %-8s", t->name);
		for (int i = 0; t->fields[i].name; i++)
			fprintf(out, " %s=", t->fields[i].name);
		fprintf(out, "\n           %s\n", t->help);
	}
	fprintf(out,
		"\nExit status: 0 written, 2 bad usage or a bad description\n"
		"(the message names file:line:column); nothing is written then.\n");
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && strcmp(s + n - m, suffix) == 0;
}

/* The capture's format: gen/ knows the names. */
static int gen_parse_format(void *opts, const char *arg)
{
	struct gen_opts *o = opts;

	if (gen_format_parse(arg, &o->format)) {
		p_err("--format: '%s' is not pcap or pcapng", arg);
		return -EINVAL;
	}
	o->format_given = true;
	return 0;
}

/* The capture's link type: capture/'s one table knows the names. */
static int gen_parse_linktype(void *opts, const char *arg)
{
	struct gen_opts *o = opts;
	char names[200];

	o->link = linktype_by_gen_name(arg);
	if (!o->link) {
		linktype_names(names, sizeof(names), true, "or");
		p_err("--linktype: '%s' is not %s", arg, names);
		return -EINVAL;
	}
	return 0;
}

static int gen_parse(int argc, char **argv, struct gen_opts *opts)
{
	int ret;

	memset(opts, 0, sizeof(*opts));
	opts->link = linktype_by_dlt(LINKTYPE_ETHERNET);
	ret = options_parse(&gen_table, argc, argv, opts);
	if (ret)
		return ret;
	if (argc - optind != 1) {
		p_err("one description expected: fdtest gen [OPTIONS] DESCRIPTION (see --help)");
		return -EINVAL;
	}
	opts->desc = argv[optind];
	if (!opts->format_given && opts->output &&
	    has_suffix(opts->output, ".pcapng"))
		opts->format = GEN_FORMAT_PCAPNG;
	return 0;
}

/* Calls @fn for each packet of the description, built. */
typedef int (*packet_fn)(void *ctx, struct gen_packet *pkt, uint32_t frame,
			 char *err, size_t err_size);

/*
 * A description line is at most GEN_LINE_MAX bytes (gen_parse_line()
 * takes no more): reading stops there, so /dev/zero or a file of one
 * endless line costs no memory. A NUL byte would end the line early and
 * drop its layers silently, so it is an error of its own.
 */
#define GEN_LINE_MAX 1023

/*
 * Reads one line into @buf (GEN_LINE_MAX + 1 bytes): 1, 0 at the end,
 * -EMSGSIZE for a longer line, -EILSEQ with *@col at a NUL, or -errno.
 */
static int desc_read_line(FILE *f, char *buf, unsigned int *col)
{
	size_t n = 0;
	int c;

	while ((c = getc(f)) != EOF && c != '\n') {
		if (c == '\0') {
			*col = (unsigned int)n + 1;
			return -EILSEQ;
		}
		if (n == GEN_LINE_MAX)
			return -EMSGSIZE;
		buf[n++] = (char)c;
	}
	buf[n] = '\0';
	if (ferror(f))
		return errno ? -errno : -EIO;
	return c == EOF && n == 0 ? 0 : 1;
}

static void desc_read_error(const char *desc, unsigned int line_no,
			    unsigned int col, int ret)
{
	if (ret == -EMSGSIZE)
		p_err("%s:%u: line longer than %d characters", desc, line_no,
		      GEN_LINE_MAX);
	else if (ret == -EILSEQ)
		p_err("%s:%u:%u: a NUL byte: a description is text", desc,
		      line_no, col);
	else if (ret < 0)
		p_err("%s:%u: %s", desc, line_no, strerror(-ret));
}

static int for_each_packet(const char *desc, packet_fn fn, void *ctx)
{
	static struct gen_packet pkt;
	char line[GEN_LINE_MAX + 1];
	char err[512];
	unsigned int line_no = 0, col = 0;
	uint32_t frame = 0;
	const char *kind;
	FILE *f;
	int ret = 0;

	f = input_file_open(desc, NULL, &kind);
	if (!f) {
		ret = -errno;
		if (kind)
			p_err("description '%s': is %s, not a description file",
			      desc, kind);
		else
			p_err("description '%s': %s", desc, strerror(errno));
		return ret;
	}
	for (;;) {
		ret = desc_read_line(f, line, &col);
		if (ret <= 0) {
			desc_read_error(desc, line_no + 1, col, ret);
			break;
		}
		line_no++;
		ret = gen_parse_line(line, line_no, &pkt, err, sizeof(err));
		if (ret == 0)
			continue;
		if (ret > 0)
			ret = gen_build(&pkt, err, sizeof(err));
		if (!ret)
			ret = fn(ctx, &pkt, ++frame, err, sizeof(err));
		if (ret) {
			p_err("%s:%u:%s", desc, line_no, err);
			break;
		}
	}
	fclose(f);
	if (!ret && frame == 0) {
		p_err("%s: no packets", desc);
		ret = -EINVAL;
	}
	return ret;
}

struct capture_ctx {
	struct gen_pcap *pcap;
	const struct linktype *link;
	enum gen_format format;
};

/* The first layer that is not "frame". */
static const struct gen_layer *first_layer(const struct gen_packet *pkt)
{
	size_t i = pkt->n_layers > 1 &&
		   pkt->layers[0].type->type == GEN_FRAME;

	return &pkt->layers[i];
}

static int add_packet(void *ctx, struct gen_packet *pkt, uint32_t frame,
		      char *err, size_t err_size)
{
	struct capture_ctx *c = ctx;
	const struct gen_layer *l = first_layer(pkt);
	enum gen_type t = l->type->type;
	int ret;

	(void)frame;
	if (linktype_is_ethernet(c->link) && t != GEN_ETH) {
		snprintf(err, err_size, "%u: an Ethernet capture's packets start with eth",
			 l->column);
		return -EINVAL;
	}
	if (linktype_is_ethernet(c->link) && pkt->len < 14) {
		/* BPF_PROG_TEST_RUN refuses them: nothing could be checked */
		snprintf(err, err_size,
			 "%u: a frame of %u bytes is shorter than an Ethernet header: cut at 14 or more",
			 pkt->layers[0].column, pkt->len);
		return -EINVAL;
	}
	if (!linktype_is_ethernet(c->link) && t != GEN_IPV4 &&
	    t != GEN_IPV6) {
		snprintf(err, err_size,
			 "%u: this link type carries IP: start with ipv4 or ipv6",
			 l->column);
		return -EINVAL;
	}
	if (pkt->iface && c->format != GEN_FORMAT_PCAPNG) {
		snprintf(err, err_size,
			 "%u: iface= needs a pcapng capture (--format pcapng)",
			 pkt->layers[0].column);
		return -EINVAL;
	}
	ret = gen_pcap_add(c->pcap, pkt->bytes, pkt->len,
			   t == GEN_IPV6 ? 0x86dd : 0x0800, pkt->iface);
	if (ret)
		snprintf(err, err_size, "%u: writing the capture: %s",
			 pkt->layers[0].column, strerror(-ret));
	return ret;
}

struct spec_ctx {
	struct golden_writer *writer[GEN_POLICY_COUNT];
	bool eth_made_up;
};

static int add_expectations(void *ctx, struct gen_packet *pkt,
			    uint32_t frame, char *err, size_t err_size)
{
	struct spec_ctx *c = ctx;
	struct gen_expectations all;
	char line[KEYS_JSON_LINE_MAX];
	int ret;

	ret = gen_expect_packet(pkt, frame, c->eth_made_up, &all, err,
				err_size);
	if (ret <= 0)
		return ret;
	for (int p = 0; p < GEN_POLICY_COUNT; p++) {
		for (int s = 0; s < FDTEST_STATE_COUNT; s++) {
			for (uint32_t f = 0; f <= FDTEST_FLAGS_KNOWN; f++) {
				ret = keys_json_format_golden(line,
						sizeof(line), &all.exp[p][s][f]);
				if (ret >= 0)
					ret = golden_writer_add(c->writer[p],
								line);
				if (ret < 0) {
					snprintf(err, err_size, "1: %s",
						 strerror(-ret));
					return ret;
				}
			}
		}
	}
	return 0;
}

/* DIR/<policy>/<capture stem>.json */
static int spec_path(char *buf, size_t size, const char *spec_dir, int policy,
		     const char *capture)
{
	const char *base = strrchr(capture, '/');
	size_t stem;
	int n;

	base = base ? base + 1 : capture;
	stem = strlen(base);
	if (has_suffix(base, ".pcap"))
		stem -= 5;
	else if (has_suffix(base, ".pcapng"))
		stem -= 7;
	n = snprintf(buf, size, "%s/%s/%.*s.json", spec_dir,
		     gen_policy_name((enum gen_policy)policy), (int)stem, base);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/*
 * Writes the expectations of the capture @cap (not committed yet) to
 * @out, one uncommitted file per policy.
 */
static int write_spec(const struct gen_opts *o, const char *capture,
		      struct atomic_file *cap,
		      struct atomic_file *out[GEN_POLICY_COUNT])
{
	struct spec_ctx ctx = {
		.eth_made_up = !linktype_is_ethernet(o->link),
	};
	struct golden_header hdr = { .states = FDTEST_STATES_ALL };
	const char *base = strrchr(capture, '/');
	char path[PATH_MAX], why[512];
	int ret;

	snprintf(hdr.capture, sizeof(hdr.capture), "%s",
		 base ? base + 1 : capture);
	/* the spec names the bytes, read back before anything is renamed */
	if (!atomic_file_tmp_path(cap)) {
		p_err("capture '%s': --spec needs the capture in a file, to name its SHA-256; this is written into directly",
		      capture);
		return -EINVAL;
	}
	ret = sha256_file(atomic_file_tmp_path(cap), hdr.sha256);
	if (ret) {
		p_err("capture '%s': %s", capture, strerror(-ret));
		return ret;
	}
	for (uint32_t f = 0; f <= FDTEST_FLAGS_KNOWN; f++)
		hdr.in_flags[hdr.n_flags++] = f;
	for (int p = 0; p < GEN_POLICY_COUNT; p++) {
		snprintf(hdr.dissector, sizeof(hdr.dissector), "spec:%s",
			 gen_policy_name((enum gen_policy)p));
		ret = spec_path(path, sizeof(path), o->spec_dir, p, capture);
		if (ret) {
			p_err("spec for '%s': %s", capture, strerror(-ret));
			goto out_abort;
		}
		ret = golden_writer_open(path, &hdr, &ctx.writer[p], why,
					 sizeof(why));
		if (ret) {
			p_err("spec '%s': %s", path, why);
			goto out_abort;
		}
	}
	ret = for_each_packet(o->desc, add_expectations, &ctx);
	if (ret)
		goto out_abort;
	for (int p = 0; p < GEN_POLICY_COUNT; p++)
		out[p] = golden_writer_finish(ctx.writer[p]);
	return 0;

out_abort:
	for (int p = 0; p < GEN_POLICY_COUNT; p++)
		golden_writer_abort(ctx.writer[p]);
	return ret;
}

/*
 * An output that is the description, or another output, would destroy
 * what the command reads or writes: refused before anything is written.
 */
static int check_outputs(const struct gen_opts *o, const char *capture)
{
	const char *outs[1 + GEN_POLICY_COUNT] = { capture };
	char spec[GEN_POLICY_COUNT][PATH_MAX];
	size_t n = 1;

	for (int p = 0; o->spec_dir && p < GEN_POLICY_COUNT; p++) {
		if (spec_path(spec[p], sizeof(spec[p]), o->spec_dir, p,
			      capture)) {
			p_err("spec for '%s': %s", capture,
			      strerror(ENAMETOOLONG));
			return -ENAMETOOLONG;
		}
		outs[n++] = spec[p];
	}
	for (size_t i = 0; i < n; i++) {
		if (atomic_file_same(outs[i], o->desc)) {
			p_err("'%s' is the description itself: writing it would destroy it; name the capture with -o FILE",
			      outs[i]);
			return -EINVAL;
		}
		for (size_t j = 0; j < i; j++) {
			if (atomic_file_same(outs[i], outs[j])) {
				p_err("'%s' and '%s' are one file: the capture and its spec need a file each",
				      outs[j], outs[i]);
				return -EINVAL;
			}
		}
	}
	return 0;
}

static int gen_exec(const struct gen_opts *o)
{
	struct capture_ctx ctx = { .link = o->link, .format = o->format };
	/* the capture, then the spec: committed together or not at all */
	struct atomic_file *files[1 + GEN_POLICY_COUNT] = { NULL };
	const char *capture = o->output;
	char *output = NULL;
	char err[PATH_MAX + 512];
	int ret;

	if (!o->output) {
		const char *dot = strrchr(o->desc, '.');
		int stem = dot && !strchr(dot, '/') ? (int)(dot - o->desc) :
						      (int)strlen(o->desc);

		if (asprintf(&output, "%.*s.%s", stem, o->desc,
			     o->format == GEN_FORMAT_PCAPNG ? "pcapng" :
							      "pcap") < 0)
			return FDTEST_EXIT_USAGE;
		capture = output;
	}
	ret = check_outputs(o, capture);
	if (ret)
		goto out;
	ret = gen_pcap_open(capture, o->link, o->format, &ctx.pcap, err,
			    sizeof(err));
	if (ret) {
		p_err("capture '%s': %s", capture, err);
		goto out;
	}
	ret = for_each_packet(o->desc, add_packet, &ctx);
	if (ret) {
		gen_pcap_abort(ctx.pcap);
		goto out;
	}
	files[0] = gen_pcap_finish(ctx.pcap);
	if (!files[0]) {
		ret = -errno;
		p_err("capture '%s': %s", capture, strerror(errno));
		goto out;
	}
	if (o->spec_dir)
		ret = write_spec(o, capture, files[0], files + 1);
	if (ret) {
		atomic_file_abort(files[0]);
		goto out;
	}
	ret = atomic_file_commit_all(files, 1 + GEN_POLICY_COUNT);
	if (ret)
		p_err("capture '%s'%s: %s", capture,
		      o->spec_dir ? " and its spec" : "", strerror(-ret));
out:
	free(output);
	return ret ? FDTEST_EXIT_USAGE : FDTEST_EXIT_PASS;
}

int do_gen(int argc, char **argv)
{
	struct gen_opts opts;
	int ret = gen_parse(argc, argv, &opts);

	if (ret)
		return ret > 0 ? FDTEST_EXIT_PASS : FDTEST_EXIT_USAGE;
	return gen_exec(&opts);
}
