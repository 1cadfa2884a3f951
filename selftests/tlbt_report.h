/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The runner's reports: what every one of them carries (version, seed),
 * text or JSON Lines (--format=json: one object per line on stdout, each
 * with "type", "version" and "seed"), and a small JSON writer for them.
 */
#ifndef TLBT_REPORT_H
#define TLBT_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "tlbt_version.h"

enum tlbt_format {
	TLBT_FORMAT_TEXT,
	TLBT_FORMAT_JSON,
};

/* The runner's global options, taken out of argv before the subcommand. */
struct tlbt_report {
	enum tlbt_format format;
	unsigned long long seed;
	const char *cmd;		/* the subcommand, "type" of its header */
};

extern struct tlbt_report tlbt_report;

static inline bool tlbt_json(void)
{
	return tlbt_report.format == TLBT_FORMAT_JSON;
}

/*
 * Strips --format=F, --seed=N and --version from argv (before any "--"),
 * seeds the workers, and handles --version. Returns -1 to go on with the
 * subcommand in argv[1], or an exit status.
 */
int tlbt_report_init(int *argc, char **argv);

/* A subcommand that prints no JSON refuses --format=json: 0 or 2. */
int tlbt_report_text_only(const char *cmd);

/*
 * The text header every report starts with ("# tlbtorture VERSION,
 * seed N, replay with --seed=N"): on stdout in text, on stderr in JSON,
 * whose header is an object of its own (tlbt_json_begin("header")).
 */
void tlbt_report_header(void);

/*
 * Comments: stdout in text, stderr in JSON (stdout holds JSON alone).
 */
FILE *tlbt_note_file(void);

/*
 * The JSON writer: one object per line on stdout. tlbt_json_begin()
 * opens it with "type", "version" and "seed"; each tlbt_json_*() adds a
 * member; tlbt_json_end() closes it and flushes.
 */
void tlbt_json_begin(const char *type);
void tlbt_json_str(const char *key, const char *val);
void tlbt_json_u64(const char *key, unsigned long long val);
void tlbt_json_i64(const char *key, long long val);
void tlbt_json_double(const char *key, double val);
void tlbt_json_bool(const char *key, bool val);
void tlbt_json_null(const char *key);
/* A table cell: "-" is null, an integer a number, anything else a string. */
void tlbt_json_cell(const char *key, const char *cell);
void tlbt_json_end(void);
/* @s as a JSON string, quotes and escapes included. */
void tlbt_json_escape(FILE *f, const char *s);

/* "30m", "90s", "2h", or seconds: 0, or -EINVAL. */
int tlbt_parse_duration(const char *s, unsigned long long *secs);

/* The module's version, if it is loaded and says otherwise: a warning. */
void tlbt_version_check(void);

#endif /* TLBT_REPORT_H */
