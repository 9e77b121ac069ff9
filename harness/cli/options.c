// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* getopt_long tables and --help lines from one table (see options.h). */
#include <string.h>

#include "cli/options.h"

void options_build(const struct option_row *rows, size_t n,
		   struct option *longopts, char *shortopts)
{
	char *s = shortopts;

	*s++ = '+';	/* stop at the first operand: scripts can rely on it */
	for (size_t i = 0; i < n; i++) {
		longopts[i].name = rows[i].name;
		longopts[i].has_arg = rows[i].has_arg;
		longopts[i].flag = NULL;
		longopts[i].val = rows[i].key;
		if (rows[i].key > 0 && rows[i].key < 256) {
			*s++ = (char)rows[i].key;
			if (rows[i].has_arg == required_argument)
				*s++ = ':';
		}
	}
	memset(&longopts[n], 0, sizeof(longopts[n]));
	*s = '\0';
}

#define HELP_COLUMN 28
#define LINE_WIDTH 80

/* Prints @text from column HELP_COLUMN, wrapping between words. */
static void print_wrapped(FILE *out, const char *text, int col)
{
	while (*text) {
		int room = LINE_WIDTH - HELP_COLUMN;
		int len = (int)strlen(text);
		int cut = len;

		if (col > HELP_COLUMN) {
			fprintf(out, "\n%*s", HELP_COLUMN, "");
		} else {
			fprintf(out, "%*s", HELP_COLUMN - col, "");
		}
		if (len > room) {
			cut = room;
			while (cut > 0 && text[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = room;
		}
		fprintf(out, "%.*s", cut, text);
		text += cut;
		while (*text == ' ')
			text++;
		col = LINE_WIDTH;	/* the next piece starts a new line */
	}
	fputc('\n', out);
}

void options_print(FILE *out, const struct option_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char head[64];
		int col;

		if (rows[i].key > 0 && rows[i].key < 256)
			col = snprintf(head, sizeof(head), "  -%c, --%s%s%s",
				       rows[i].key, rows[i].name,
				       rows[i].metavar ? " " : "",
				       rows[i].metavar ? rows[i].metavar : "");
		else
			col = snprintf(head, sizeof(head), "      --%s%s%s",
				       rows[i].name,
				       rows[i].metavar ? " " : "",
				       rows[i].metavar ? rows[i].metavar : "");
		fputs(head, out);
		if (col >= HELP_COLUMN) {
			fputc('\n', out);
			col = 0;
		}
		print_wrapped(out, rows[i].help, col);
	}
}
