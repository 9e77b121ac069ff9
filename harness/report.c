// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* What every reporter shares (see report.h). */
#include <string.h>

#include "report.h"

static const struct reporter_ops *const reporters[] = {
	&report_text_ops,
	&report_json_ops,
};

const struct reporter_ops *report_find(const char *name)
{
	for (size_t i = 0; i < sizeof(reporters) / sizeof(reporters[0]); i++)
		if (strcmp(reporters[i]->name, name) == 0)
			return reporters[i];
	return NULL;
}

int report_case_name(char *buf, size_t size, const char *capture,
		     const struct case_id *id)
{
	const char *base = strrchr(capture, '/');

	return snprintf(buf, size, "%s#%u/%s/flags=0x%x",
			base ? base + 1 : capture, id->frame,
			fdtest_state_name(id->state), id->in_flags);
}

void report_counts_add(struct report_counts *to,
		       const struct report_counts *from)
{
	to->frames += from->frames;
	to->skipped += from->skipped;
	to->cut += from->cut;
	to->cases += from->cases;
	to->passed += from->passed;
	to->failed += from->failed;
	to->unchecked += from->unchecked;
	to->inconsistent += from->inconsistent;
	to->broken += from->broken;
	to->stale += from->stale;
}
