// SPDX-License-Identifier: GPL-2.0
/*
 * The runner's reports (tlbt_report.h): global options, headers, and a
 * JSON Lines writer that needs no library.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libtlbt.h"
#include "tlbt_report.h"

#define TLBT_MODULE_VERSION_FILE	"/sys/module/tlbtorture/version"

struct tlbt_report tlbt_report;

static bool tlbt_json_first;

/* From the clock when not given, printed, so that a run can be replayed. */
static unsigned long long tlbt_clock_seed(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((unsigned long long)ts.tv_sec * 1000000007ULL + ts.tv_nsec) ^
	       ((unsigned long long)getpid() << 20);
}

/* Small numbers are easier to type back: the clock's seed is 32 bits. */
#define TLBT_CLOCK_SEED_MASK	0xffffffffULL

void tlbt_version_check(void)
{
	char buf[64];
	size_t n;

	if (tlbt_read_file(TLBT_MODULE_VERSION_FILE, buf, sizeof(buf)))
		return;
	n = strcspn(buf, "\n");
	buf[n] = '\0';
	if (strcmp(buf, TLBT_VERSION))
		fprintf(stderr,
			"tlbtorture: warning: the loaded module is version %s, this runner %s\n",
			buf, TLBT_VERSION);
}

/* Drops argv[i], keeping the rest in order. */
static void tlbt_argv_drop(int *argc, char **argv, int i)
{
	memmove(&argv[i], &argv[i + 1], (*argc - i) * sizeof(*argv));
	(*argc)--;
}

int tlbt_report_init(int *argc, char **argv)
{
	bool has_seed = false, version = false;
	int i = 1;

	tlbt_report.format = TLBT_FORMAT_TEXT;
	while (i < *argc && strcmp(argv[i], "--")) {
		const char *a = argv[i];

		if (!strncmp(a, "--format=", 9)) {
			if (!strcmp(a + 9, "json")) {
				tlbt_report.format = TLBT_FORMAT_JSON;
			} else if (!strcmp(a + 9, "text")) {
				tlbt_report.format = TLBT_FORMAT_TEXT;
			} else {
				fprintf(stderr,
					"tlbtorture: --format: text or json, not '%s'\n",
					a + 9);
				return 2;
			}
		} else if (!strncmp(a, "--seed=", 7)) {
			if (tlbt_parse_number(a + 7, &tlbt_report.seed)) {
				fprintf(stderr,
					"tlbtorture: bad number for --seed: '%s'\n",
					a + 7);
				return 2;
			}
			has_seed = true;
		} else if (!strcmp(a, "--version")) {
			version = true;
		} else {
			i++;
			continue;
		}
		tlbt_argv_drop(argc, argv, i);
	}
	if (version) {
		printf("tlbtorture %s\n", TLBT_VERSION);
		tlbt_version_check();
		return 0;
	}
	if (!has_seed)
		tlbt_report.seed = tlbt_clock_seed() & TLBT_CLOCK_SEED_MASK;
	tlbt_rand_seed(tlbt_report.seed);
	tlbt_report.cmd = *argc > 1 ? argv[1] : "";
	return -1;
}

int tlbt_report_text_only(const char *cmd)
{
	if (!tlbt_json())
		return 0;
	fprintf(stderr, "tlbtorture: %s prints text only (--format=json: run, matrix, kernel)\n",
		cmd);
	return 2;
}

FILE *tlbt_note_file(void)
{
	return tlbt_json() ? stderr : stdout;
}

void tlbt_report_header(void)
{
	fprintf(tlbt_note_file(),
		"# tlbtorture %s %s, seed %llu (replay: --seed=%llu)\n",
		TLBT_VERSION, tlbt_report.cmd, tlbt_report.seed,
		tlbt_report.seed);
	fflush(tlbt_note_file());
	tlbt_version_check();
}

void tlbt_json_escape(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	putc('"', f);
	for (; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		default:
			/* The other control characters; bytes >= 0x80 pass (UTF-8). */
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				putc(*p, f);
		}
	}
	putc('"', f);
}

static void tlbt_json_key(const char *key)
{
	if (!tlbt_json_first)
		putchar(',');
	tlbt_json_first = false;
	tlbt_json_escape(stdout, key);
	putchar(':');
}

void tlbt_json_begin(const char *type)
{
	putchar('{');
	tlbt_json_first = true;
	tlbt_json_str("type", type);
	tlbt_json_str("version", TLBT_VERSION);
	tlbt_json_u64("seed", tlbt_report.seed);
}

void tlbt_json_str(const char *key, const char *val)
{
	tlbt_json_key(key);
	tlbt_json_escape(stdout, val);
}

void tlbt_json_u64(const char *key, unsigned long long val)
{
	tlbt_json_key(key);
	printf("%llu", val);
}

void tlbt_json_i64(const char *key, long long val)
{
	tlbt_json_key(key);
	printf("%lld", val);
}

void tlbt_json_double(const char *key, double val)
{
	tlbt_json_key(key);
	/* JSON has no NaN or infinity */
	if (isfinite(val))
		printf("%.6g", val);
	else
		fputs("null", stdout);
}

void tlbt_json_bool(const char *key, bool val)
{
	tlbt_json_key(key);
	fputs(val ? "true" : "false", stdout);
}

void tlbt_json_null(const char *key)
{
	tlbt_json_key(key);
	fputs("null", stdout);
}

/* JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?, no exponent here. */
static bool tlbt_is_json_number(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (*s >= '0' && *s <= '9')
			s++;
	else
		return false;
	if (*s == '.') {
		if (!(*++s >= '0' && *s <= '9'))
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return !*s;
}

void tlbt_json_cell(const char *key, const char *cell)
{
	if (!strcmp(cell, "-")) {
		tlbt_json_null(key);
	} else if (tlbt_is_json_number(cell)) {
		tlbt_json_key(key);
		fputs(cell, stdout);
	} else {
		tlbt_json_str(key, cell);
	}
}

void tlbt_json_end(void)
{
	fputs("}\n", stdout);
	fflush(stdout);
}

int tlbt_parse_duration(const char *s, unsigned long long *secs)
{
	static const struct {
		char suffix;
		unsigned long long mult;
	} units[] = { { 's', 1 }, { 'm', 60 }, { 'h', 3600 } };
	unsigned long long mult = 1, v;
	char num[32];
	size_t n = strlen(s), i;

	if (!n || n >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, n + 1);
	for (i = 0; i < ARRAY_SIZE(units); i++) {
		if (num[n - 1] == units[i].suffix) {
			mult = units[i].mult;
			num[--n] = '\0';
			break;
		}
	}
	if (!n || tlbt_parse_number(num, &v) || !v || v > ~0ULL / mult)
		return -EINVAL;
	*secs = v * mult;
	return 0;
}
