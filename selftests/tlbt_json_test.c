// SPDX-License-Identifier: GPL-2.0
/*
 * The runner's --format=json: every line it prints on stdout must be one
 * JSON object (JSON Lines) carrying its type, version and seed, and the
 * keys its kind promises. A strict checker of its own (objects, arrays,
 * strings with their escapes, numbers, true, false, null), not the
 * runner's writer, judges it; the checker is tested first on lines that
 * must pass and lines that must not.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tlbt_harness.h"
#include "tlbt_version.h"

#define JSON_OUT	"/tmp/tlbt_json_test.out"
#define JSON_ERR	"/tmp/tlbt_json_test.err"
#define JSON_MAX_DEPTH	32
#define JSON_MAX_FIELDS	64

/* A top-level member: its key and its value's text. */
struct json_field {
	char key[64];
	const char *val;
	int len;
};

struct json_line {
	const char *p;
	const char *err;		/* what was wrong, at @p */
	int depth;
	int nr;
	struct json_field f[JSON_MAX_FIELDS];
};

static bool json_value(struct json_line *j);

static bool json_fail(struct json_line *j, const char *why)
{
	if (!j->err)
		j->err = why;
	return false;
}

/* JSON's whitespace; the line's newline is gone already. */
static void json_ws(struct json_line *j)
{
	while (*j->p == ' ' || *j->p == '\t' || *j->p == '\r' || *j->p == '\n')
		j->p++;
}

static bool json_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

/* A string; its raw text into @out (escapes left as they are) if given. */
static bool json_string(struct json_line *j, char *out, size_t size)
{
	size_t n = 0;
	int i;

	if (*j->p != '"')
		return json_fail(j, "expected a string");
	j->p++;
	for (;;) {
		unsigned char c = *j->p;

		if (!c)
			return json_fail(j, "unterminated string");
		if (c < 0x20)
			return json_fail(j, "control character in a string");
		if (c == '"')
			break;
		if (c == '\\') {
			j->p++;
			switch (*j->p) {
			case '"': case '\\': case '/': case 'b': case 'f':
			case 'n': case 'r': case 't':
				break;
			case 'u':
				for (i = 1; i <= 4; i++)
					if (!json_hex(j->p[i]))
						return json_fail(j, "bad \\u escape");
				j->p += 4;
				break;
			default:
				return json_fail(j, "bad escape");
			}
		}
		if (out && n + 1 < size)
			out[n++] = *j->p;
		j->p++;
	}
	j->p++;
	if (out)
		out[n] = '\0';
	return true;
}

static bool json_digits(struct json_line *j)
{
	if (*j->p < '0' || *j->p > '9')
		return json_fail(j, "expected a digit");
	while (*j->p >= '0' && *j->p <= '9')
		j->p++;
	return true;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool json_number(struct json_line *j)
{
	if (*j->p == '-')
		j->p++;
	if (*j->p == '0')
		j->p++;
	else if (!json_digits(j))
		return false;
	if (*j->p == '.') {
		j->p++;
		if (!json_digits(j))
			return false;
	}
	if (*j->p == 'e' || *j->p == 'E') {
		j->p++;
		if (*j->p == '+' || *j->p == '-')
			j->p++;
		if (!json_digits(j))
			return false;
	}
	return true;
}

static bool json_word(struct json_line *j, const char *w)
{
	size_t n = strlen(w);

	if (strncmp(j->p, w, n))
		return json_fail(j, "bad literal");
	j->p += n;
	return true;
}

static bool json_object(struct json_line *j)
{
	bool top = j->depth == 1;
	char key[64];

	j->p++;			/* '{' */
	json_ws(j);
	if (*j->p == '}') {
		j->p++;
		return true;
	}
	for (;;) {
		const char *val;

		json_ws(j);
		if (!json_string(j, key, sizeof(key)))
			return false;
		json_ws(j);
		if (*j->p != ':')
			return json_fail(j, "expected ':'");
		j->p++;
		json_ws(j);
		val = j->p;
		if (!json_value(j))
			return false;
		if (top) {
			if (j->nr == JSON_MAX_FIELDS)
				return json_fail(j, "too many members");
			snprintf(j->f[j->nr].key, sizeof(j->f[0].key), "%s",
				 key);
			j->f[j->nr].val = val;
			j->f[j->nr].len = j->p - val;
			j->nr++;
		}
		json_ws(j);
		if (*j->p == '}') {
			j->p++;
			return true;
		}
		if (*j->p != ',')
			return json_fail(j, "expected ',' or '}'");
		j->p++;
	}
}

static bool json_array(struct json_line *j)
{
	j->p++;			/* '[' */
	json_ws(j);
	if (*j->p == ']') {
		j->p++;
		return true;
	}
	for (;;) {
		json_ws(j);
		if (!json_value(j))
			return false;
		json_ws(j);
		if (*j->p == ']') {
			j->p++;
			return true;
		}
		if (*j->p != ',')
			return json_fail(j, "expected ',' or ']'");
		j->p++;
	}
}

static bool json_value(struct json_line *j)
{
	bool ok;

	switch (*j->p) {
	case '{':
	case '[':
		if (++j->depth > JSON_MAX_DEPTH)
			return json_fail(j, "nested too deep");
		ok = *j->p == '{' ? json_object(j) : json_array(j);
		j->depth--;
		return ok;
	case '"':
		return json_string(j, NULL, 0);
	case 't':
		return json_word(j, "true");
	case 'f':
		return json_word(j, "false");
	case 'n':
		return json_word(j, "null");
	default:
		if (*j->p == '-' || (*j->p >= '0' && *j->p <= '9'))
			return json_number(j);
		return json_fail(j, "expected a value");
	}
}

/* One line, one object, nothing after it: 0, or -EINVAL with j->err. */
static int json_check_line(const char *line, struct json_line *j)
{
	memset(j, 0, sizeof(*j));
	j->p = line;
	json_ws(j);
	if (*j->p != '{') {
		json_fail(j, "not an object");
		return -EINVAL;
	}
	if (!json_value(j))
		return -EINVAL;
	json_ws(j);
	if (*j->p) {
		json_fail(j, "text after the object");
		return -EINVAL;
	}
	return 0;
}

/* The value text of top-level member @key, or NULL. */
static const struct json_field *json_get(const struct json_line *j,
					 const char *key)
{
	int i;

	for (i = 0; i < j->nr; i++)
		if (!strcmp(j->f[i].key, key))
			return &j->f[i];
	return NULL;
}

static bool json_is(const struct json_line *j, const char *key,
		    const char *val)
{
	const struct json_field *f = json_get(j, key);

	return f && (int)strlen(val) == f->len && !strncmp(f->val, val, f->len);
}

/* The first of @keys (NULL-terminated) that @j lacks, or NULL. */
static const char *json_missing(const struct json_line *j,
				const char *const *keys)
{
	for (; *keys; keys++)
		if (!json_get(j, *keys))
			return *keys;
	return NULL;
}

/* Every runner object has these. */
static const char *const json_common_keys[] = {
	"type", "version", "seed", NULL,
};

/*
 * The runner's stdout, line by line: each a valid object with the common
 * keys, this version and @seed (if not NULL), and the keys of its type
 * (@keys_of returns them). Counts the objects per type in @types/@counts.
 */
struct json_expect {
	const char *type;
	const char *const *keys;
	unsigned int count;
};

static void json_check_file(struct __test_metadata *_metadata,
			    const char *path, const char *seed,
			    struct json_expect *ex, int nr_ex)
{
	char line[8192], version[32];
	struct json_line j;
	unsigned int nr = 0;
	FILE *f = fopen(path, "r");
	int k;

	ASSERT_NE(NULL, f);
	snprintf(version, sizeof(version), "\"%s\"", TLBT_VERSION);
	while (fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);
		const char *miss;
		int i;

		nr++;
		EXPECT_TRUE(n && line[n - 1] == '\n')
			TH_LOG("line %u: too long or no newline", nr);
		if (n && line[n - 1] == '\n')
			line[--n] = '\0';
		EXPECT_EQ(0, json_check_line(line, &j))
			TH_LOG("line %u, column %ld: %s: %s", nr,
			       (long)(j.p - line) + 1, j.err ?: "?", line);
		if (j.err)
			continue;
		miss = json_missing(&j, json_common_keys);
		EXPECT_EQ(NULL, miss) TH_LOG("line %u lacks \"%s\": %s", nr,
					     miss ?: "", line);
		EXPECT_TRUE(json_is(&j, "version", version))
			TH_LOG("line %u: version is not %s: %s", nr, version,
			       line);
		if (seed) {
			EXPECT_TRUE(json_is(&j, "seed", seed))
				TH_LOG("line %u: seed is not %s: %s", nr, seed,
				       line);
		}
		for (i = 0; i < nr_ex; i++) {
			char type[64];

			snprintf(type, sizeof(type), "\"%s\"", ex[i].type);
			if (!json_is(&j, "type", type))
				continue;
			ex[i].count++;
			miss = json_missing(&j, ex[i].keys);
			EXPECT_EQ(NULL, miss)
				TH_LOG("line %u (%s) lacks \"%s\": %s", nr,
				       ex[i].type, miss ?: "", line);
			break;
		}
		EXPECT_LT(i, nr_ex) TH_LOG("line %u: unexpected type: %s", nr,
					   line);
	}
	fclose(f);
	EXPECT_LT(0U, nr) TH_LOG("%s: no output", path);
	for (k = 0; k < nr_ex; k++)
		TH_LOG("%u %s objects", ex[k].count, ex[k].type);
}

/* Lines in @path that start with @prefix. */
static unsigned int count_prefix(const char *path, const char *prefix)
{
	char line[8192];
	unsigned int n = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		n += !strncmp(line, prefix, strlen(prefix));
	fclose(f);
	return n;
}

/* Each of @lines must check as @want (0 or -EINVAL). */
static void check_lines(struct __test_metadata *_metadata,
			const char *const *lines, size_t n, int want)
{
	struct json_line j;
	size_t i;

	/* braces: the harness logs after its check's statement */
	for (i = 0; i < n; i++) {
		EXPECT_EQ(want, json_check_line(lines[i], &j))
			TH_LOG("%s '%s' (%s)", want ? "accepted" : "rejected",
			       lines[i], j.err ? j.err : "no error");
	}
}

FIXTURE(checker) {
	int unused;
};

FIXTURE_SETUP(checker)
{
}

FIXTURE_TEARDOWN(checker)
{
}

/* The checker alone: it must pass what is JSON and fail what is not. */
TEST_F(checker, accepts_json_and_rejects_the_rest)
{
	static const char *const good[] = {
		"{}",
		" { \"a\" : 1 } ",
		"{\"a\":{\"b\":[1,2,{\"c\":null}],\"e\":[]},\"d\":true,\"f\":false}",
		"{\"n\":-1.5e+3,\"z\":0,\"y\":0.25,\"x\":12E-2}",
		"{\"s\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9 caf\xc3\xa9\"}",
		"{\"type\":\"row\",\"version\":\"0.1\",\"seed\":7}",
	};
	static const char *const bad[] = {
		"",
		"[1,2]",
		"{\"a\":1,}",
		"{\"a\" 1}",
		"{a:1}",
		"{\"a\":01}",
		"{\"a\":1.}",
		"{\"a\":1e}",
		"{\"a\":-}",
		"{\"a\":+1}",
		"{\"a\":\"x\\q\"}",
		"{\"a\":\"\\u12\"}",
		"{\"a\":\"tab\there\"}",
		"{\"a\":\"open}",
		"{\"a\":tru}",
		"{\"a\":nul}",
		"{\"a\":[1,2}",
		"{\"a\":1}{\"b\":2}",
		"{\"a\":1} x",
		"{\"a\":1",
		"{\"a\":'x'}",
	};
	struct json_line j;

	check_lines(_metadata, good, ARRAY_SIZE(good), 0);
	check_lines(_metadata, bad, ARRAY_SIZE(bad), -EINVAL);

	/* and the member lookups the runner's lines are judged by */
	ASSERT_EQ(0, json_check_line(good[5], &j));
	EXPECT_TRUE(json_is(&j, "seed", "7"));
	EXPECT_FALSE(json_is(&j, "seed", "70"));
	EXPECT_EQ(NULL, json_missing(&j, json_common_keys));
	ASSERT_EQ(0, json_check_line(good[1], &j));
	EXPECT_STREQ("type", json_missing(&j, json_common_keys));
}

FIXTURE(runner) {
	char runner[4096];
};

FIXTURE_SETUP(runner)
{
	if (tlbt_runner_path(self->runner, sizeof(self->runner))) {
		self->runner[0] = '\0';
		SKIP(return, "%s: no tlbtorture runner next to the test or in PATH",
		     _metadata->name);
	}
}

FIXTURE_TEARDOWN(runner)
{
	unlink(JSON_OUT);
	unlink(JSON_ERR);
}

/* The 6.1 harness runs the test body after a SKIP in the setup. */
#define NEED_RUNNER()			\
	do {				\
		if (!self->runner[0])	\
			return;		\
	} while (0)

/* Exit @want, or log its output. */
#define EXPECT_RUN(want, args)						\
	do {								\
		int __rc = tlbt_runner_exec_split(self->runner, args,	\
						  JSON_OUT, JSON_ERR);	\
		EXPECT_EQ(want, __rc);					\
		if (__rc != (want)) {					\
			tlbt_log_file(_metadata, JSON_OUT);		\
			tlbt_log_file(_metadata, JSON_ERR);		\
		}							\
	} while (0)

/* --version: tlbt_version.h's, and the loaded module's the same. */
TEST_F(runner, version_is_the_modules)
{
	static const char *const args[] = { "--version", NULL };
	char out[128], want[128], mod[64];

	NEED_RUNNER();
	EXPECT_RUN(0, args);
	ASSERT_EQ(0, tlbt_read_file(JSON_OUT, out, sizeof(out)));
	snprintf(want, sizeof(want), "tlbtorture %s\n", TLBT_VERSION);
	EXPECT_STREQ(want, out);
	if (!tlbt_read_file("/sys/module/tlbtorture/version", mod,
			    sizeof(mod))) {
		mod[strcspn(mod, "\n")] = '\0';
		EXPECT_STREQ(TLBT_VERSION, mod);
	}
}

/* Subcommands that print text alone say so; bad values are refused. */
TEST_F(runner, json_only_where_offered)
{
	static const char *const bench[] = { "--format=json", "bench", NULL };
	static const char *const xml[] = { "--format=xml", "matrix", NULL };
	static const char *const seed[] = { "--seed=x1", "matrix", NULL };
	static const char *const dur[] = { "matrix", "--duration=10d", NULL };

	NEED_RUNNER();
	EXPECT_RUN(2, bench);
	EXPECT_RUN(2, xml);
	EXPECT_RUN(2, seed);
	EXPECT_RUN(2, dur);
}

/* run: one "result" object, every results key and the user-space oracle's. */
TEST_F(runner, run_is_one_result_object)
{
	static const char *const args[] = {
		"run", "migrate", "--format=json", "--seed=4242",
		"--flush=batched", "--pages=8", "--rounds=4", NULL };
	static const char *const keys[] = {
		"command", "sequence", "policy", "backend", "pages", "rounds",
		"error", "rounds_done", "shootdowns", "ns_per_page", "unsafe",
		"lost_increments", "stale_reads", "workers", NULL };
	struct json_expect ex[] = { { "result", keys, 0 } };

	TLBT_REQUIRE_MODULE();
	NEED_RUNNER();
	EXPECT_RUN(0, args);
	json_check_file(_metadata, JSON_OUT, "4242", ex, ARRAY_SIZE(ex));
	EXPECT_EQ(1U, ex[0].count);
	/* the text header went to stderr, with the seed */
	EXPECT_EQ(1U, count_prefix(JSON_ERR,
				   "# tlbtorture " TLBT_VERSION " run, seed 4242 "));
}

/*
 * matrix: a header, then one row per combination, each with the table's
 * columns by name; progress on stderr, one line per row.
 */
TEST_F(runner, matrix_rows_and_progress)
{
	static const char *const args[] = {
		"--format=json", "--seed=7", "matrix", "--seq=migrate",
		"--rounds=20", "--pages=8", NULL };
	static const char *const header[] = {
		"command", "cpus", "rows", "rounds", NULL };
	static const char *const row[] = {
		"table", "pass", "sequence", "policy", "backend", "pages",
		"rounds", "shootdowns", "lost_incr", "during", "verdict",
		"why", NULL };
	struct json_expect ex[] = {
		{ "header", header, 0 }, { "row", row, 0 },
	};
	int rc;

	TLBT_REQUIRE_MODULE();
	NEED_RUNNER();
	rc = tlbt_runner_exec_split(self->runner, args, JSON_OUT, JSON_ERR);
	/* 1: a control missed in 20 rounds; the JSON is judged either way */
	EXPECT_TRUE(rc == 0 || rc == 1) TH_LOG("exit %d", rc);
	if (rc)
		tlbt_log_file(_metadata, JSON_OUT);
	json_check_file(_metadata, JSON_OUT, "7", ex, ARRAY_SIZE(ex));
	EXPECT_EQ(1U, ex[0].count);
	/* migrate: immediate and batched on both backends, one control */
	EXPECT_EQ(5U, ex[1].count);
	EXPECT_EQ(5U, count_prefix(JSON_ERR, "# matrix: "));
	EXPECT_EQ(0U, count_prefix(JSON_OUT, "#"));
}

/*
 * --duration: passes until the time is up, a "pass" object each, and one
 * "soak" object at the end that counts them.
 */
TEST_F(runner, soak_passes_and_summary)
{
	static const char *const args[] = {
		"--format=json", "matrix", "--seq=migrate", "--rounds=4",
		"--pages=4", "--duration=3s", NULL };
	static const char *const header[] = { "command", "duration", NULL };
	static const char *const row[] = { "pass", "verdict", NULL };
	static const char *const pass[] = {
		"pass", "rows", "ok", "CORRUPT", "safe_corruption", "cut",
		NULL };
	static const char *const soak[] = {
		"passes", "rows", "elapsed", "stopped", "trace_stopped", "ok",
		NULL };
	struct json_expect ex[] = {
		{ "header", header, 0 }, { "row", row, 0 },
		{ "pass", pass, 0 }, { "soak", soak, 0 },
	};
	static const char soak_start[] = "{\"type\":\"soak\"";
	char line[4096], last[4096] = "", want[64];
	FILE *f;
	int rc;

	TLBT_REQUIRE_MODULE();
	NEED_RUNNER();
	rc = tlbt_runner_exec_split(self->runner, args, JSON_OUT, JSON_ERR);
	EXPECT_TRUE(rc == 0 || rc == 1) TH_LOG("exit %d", rc);
	json_check_file(_metadata, JSON_OUT, NULL, ex, ARRAY_SIZE(ex));
	EXPECT_LE(1U, ex[2].count);
	EXPECT_EQ(1U, ex[3].count);
	/*
	 * The soak object is the last line, and counts the passes. Read line
	 * by line: 3 s on 2 vCPUs gave 61 passes, more than 64 KiB of JSON.
	 */
	f = fopen(JSON_OUT, "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f))
		snprintf(last, sizeof(last), "%s", line);
	fclose(f);
	EXPECT_EQ(0, strncmp(last, soak_start, sizeof(soak_start) - 1))
		TH_LOG("%s", last);
	snprintf(want, sizeof(want), "\"passes\":%u,", ex[2].count);
	EXPECT_NE(NULL, strstr(last, want)) TH_LOG("%s", last);
	EXPECT_STREQ("\n", strchr(last, '\n'));
}

/* kernel: one row per scenario asked for, skipped or not. */
TEST_F(runner, kernel_rows)
{
	static const char *const args[] = {
		"kernel", "--format=json", "--seconds=2", "--rounds=2",
		"--no-trace", "dontneed", "munmap", NULL };
	static const char *const header[] = { "command", "pages", NULL };
	static const char *const row[] = {
		"operation", "pages", "ops", "shootdowns_per_page",
		"lost_increments", "bad_reads", "verdict", "why", NULL };
	struct json_expect ex[] = {
		{ "header", header, 0 }, { "row", row, 0 },
	};

	NEED_RUNNER();
	EXPECT_RUN(0, args);
	json_check_file(_metadata, JSON_OUT, NULL, ex, ARRAY_SIZE(ex));
	EXPECT_EQ(1U, ex[0].count);
	EXPECT_EQ(2U, ex[1].count);
}

TLBT_HARNESS_MAIN
