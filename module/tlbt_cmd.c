// SPDX-License-Identifier: GPL-2.0
/*
 * tlbtorture command parser.
 *
 * Two steps: tlbt_cmd_parse() checks syntax and the ranges that do not
 * depend on an arena; tlbt_cmd_bind() fills defaults and checks the page
 * range against one arena. Neither touches anything but *cmd, so a
 * rejected command changes nothing.
 */
#include "tlbt_cmd.h"

#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/string.h>
#else
#include <string.h>
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

static const char * const tlbt_seq_names[TLBT_SEQ_NR] = {
	[TLBT_SEQ_MIGRATE]	= "migrate",
	[TLBT_SEQ_MREMAP]	= "mremap",
	[TLBT_SEQ_RECLAIM]	= "reclaim",
	[TLBT_SEQ_MKCLEAN]	= "mkclean",
	[TLBT_SEQ_SYNC]		= "sync",
};

/* Keys beyond the common ones, per sequence. */
static const unsigned int tlbt_seq_keys[TLBT_SEQ_NR] = {
	[TLBT_SEQ_MREMAP]	= TLBT_KEY_DST | TLBT_KEY_PUNCH,
	[TLBT_SEQ_MKCLEAN]	= TLBT_KEY_ZAP,
};

#define TLBT_COMMON_KEYS (TLBT_KEY_START | TLBT_KEY_PAGES | TLBT_KEY_ROUNDS | \
			  TLBT_KEY_FLUSH | TLBT_KEY_BACKEND | TLBT_KEY_BREAK)

static const char * const tlbt_backend_names[TLBT_BACKEND_NR] = {
	[TLBT_BACKEND_NATIVE]	= "native",
	[TLBT_BACKEND_KERNEL]	= "kernel",
};

static const char * const tlbt_break_names[TLBT_BREAK_NR] = {
	[TLBT_BREAK_NONE]		= "none",
	[TLBT_BREAK_SKIP_REMOTE]	= "skip-remote",
	[TLBT_BREAK_NO_TLBGEN]		= "no-tlbgen",
	[TLBT_BREAK_NO_USER_INVPCID]	= "no-user-invpcid",
};

/*
 * Each policy names the sequences it belongs to. Unsafe policies, and the
 * ones that need the module's own PTE edits, are native only: the kernel's
 * zap_vma_ptes() can only unmap, and only flush in the right place.
 */
struct tlbt_policy_desc {
	const char *name;
	unsigned int seqs;
	bool unsafe;
	bool native_only;
};

#define TLBT_SEQ_BIT(s)	(1U << (s))
#define TLBT_MIGRATE	TLBT_SEQ_BIT(TLBT_SEQ_MIGRATE)
#define TLBT_MREMAP	TLBT_SEQ_BIT(TLBT_SEQ_MREMAP)
#define TLBT_RECLAIM	TLBT_SEQ_BIT(TLBT_SEQ_RECLAIM)
#define TLBT_MKCLEAN	TLBT_SEQ_BIT(TLBT_SEQ_MKCLEAN)
#define TLBT_SYNC	TLBT_SEQ_BIT(TLBT_SEQ_SYNC)

static const struct tlbt_policy_desc tlbt_policies[TLBT_POL_NR] = {
	[TLBT_POL_IMMEDIATE] = {
		.name = "immediate",
		.seqs = TLBT_MIGRATE | TLBT_MREMAP | TLBT_RECLAIM |
			TLBT_MKCLEAN | TLBT_SYNC,
	},
	[TLBT_POL_BATCHED] = {
		.name = "batched",
		.seqs = TLBT_MIGRATE | TLBT_MREMAP | TLBT_RECLAIM,
	},
	[TLBT_POL_DIRTY_AWARE] = {
		.name = "dirty-aware",
		.seqs = TLBT_MREMAP,
		.native_only = true,
	},
	[TLBT_POL_TLBGEN] = {
		.name = "tlbgen",
		.seqs = TLBT_MKCLEAN,
		.native_only = true,
	},
	[TLBT_POL_MM_PENDING] = {
		.name = "mm-pending",
		.seqs = TLBT_MKCLEAN,
		.native_only = true,
	},
	[TLBT_POL_UNSAFE_COPY_BEFORE_FLUSH] = {
		.name = "unsafe-copy-before-flush",
		.seqs = TLBT_MIGRATE,
		.unsafe = true,
		.native_only = true,
	},
	[TLBT_POL_UNSAFE_RELEASE_BEFORE_FLUSH] = {
		.name = "unsafe-release-before-flush",
		.seqs = TLBT_MREMAP,
		.unsafe = true,
		.native_only = true,
	},
	[TLBT_POL_UNSAFE_WRITEBACK_BEFORE_FLUSH] = {
		.name = "unsafe-writeback-before-flush",
		.seqs = TLBT_RECLAIM,
		.unsafe = true,
		.native_only = true,
	},
	[TLBT_POL_UNSAFE_IGNORE_DIRTY] = {
		.name = "unsafe-ignore-dirty",
		.seqs = TLBT_RECLAIM,
		.unsafe = true,
		.native_only = true,
	},
	[TLBT_POL_UNSAFE_NO_FLUSH] = {
		.name = "unsafe-no-flush",
		.seqs = TLBT_MKCLEAN,
		.unsafe = true,
		.native_only = true,
	},
	/* Benchmark baseline: the PTE and copy work, no flush in the rounds. */
	[TLBT_POL_NONE] = {
		.name = "none",
		.seqs = TLBT_MIGRATE | TLBT_RECLAIM,
		.unsafe = true,
		.native_only = true,
	},
};

const char *tlbt_seq_name(enum tlbt_seq seq)
{
	return (unsigned int)seq < TLBT_SEQ_NR ? tlbt_seq_names[seq] : "?";
}

const char *tlbt_policy_name(enum tlbt_policy policy)
{
	return (unsigned int)policy < TLBT_POL_NR ?
		tlbt_policies[policy].name : "?";
}

const char *tlbt_backend_name(enum tlbt_backend backend)
{
	return (unsigned int)backend < TLBT_BACKEND_NR ?
		tlbt_backend_names[backend] : "?";
}

const char *tlbt_break_name(enum tlbt_break brk)
{
	return (unsigned int)brk < TLBT_BREAK_NR ? tlbt_break_names[brk] : "?";
}

bool tlbt_policy_unsafe(enum tlbt_policy policy)
{
	return (unsigned int)policy < TLBT_POL_NR &&
		tlbt_policies[policy].unsafe;
}

/*
 * A command whose corruption is expected: an unsafe ordering, or a safe
 * one run on a deliberately broken engine. Its verdict is caught or
 * missed, never ok or CORRUPT.
 */
bool tlbt_cmd_unsafe(const struct tlbt_cmd *cmd)
{
	return tlbt_policy_unsafe(cmd->policy) || cmd->brk != TLBT_BREAK_NONE;
}

static bool tlbt_is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Does the token [s, s + n) spell exactly @word? */
static bool tlbt_tok_eq(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && !memcmp(s, word, n);
}

static int tlbt_lookup(const char *s, size_t n, const char * const *names,
		       unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (names[i] && tlbt_tok_eq(s, n, names[i]))
			return i;
	return -EINVAL;
}

static int tlbt_lookup_policy(const char *s, size_t n)
{
	unsigned int i;

	for (i = 0; i < TLBT_POL_NR; i++)
		if (tlbt_tok_eq(s, n, tlbt_policies[i].name))
			return i;
	return -EINVAL;
}

static int tlbt_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decimal or 0x-hex, no sign; -ERANGE when it does not fit in 64 bits. */
static int tlbt_parse_u64(const char *s, size_t n, u64 *out)
{
	unsigned int base = 10;
	u64 v = 0;
	size_t i = 0;

	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == n)
		return -EINVAL;
	for (; i < n; i++) {
		int d = tlbt_hexval(s[i]);

		if (d < 0 || (unsigned int)d >= base)
			return -EINVAL;
		if (v > (~0ULL - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	*out = v;
	return 0;
}

/* Index i is the key whose TLBT_KEY_* bit is 1 << i. */
static const char * const tlbt_key_names[] = {
	"start", "pages", "rounds", "flush", "backend", "dst", "punch", "zap",
	"break",
};

static int tlbt_parse_pair(struct tlbt_cmd *cmd, const char *key, size_t klen,
			   const char *val, size_t vlen)
{
	unsigned int bit;
	int ret;

	ret = tlbt_lookup(key, klen, tlbt_key_names,
			  ARRAY_SIZE(tlbt_key_names));
	if (ret < 0)
		return ret;
	bit = 1U << ret;
	ret = 0;
	if (cmd->given & bit)
		return -EINVAL;
	if (!vlen)
		return -EINVAL;

	switch (bit) {
	case TLBT_KEY_START:
		ret = tlbt_parse_u64(val, vlen, &cmd->start);
		break;
	case TLBT_KEY_PAGES:
		ret = tlbt_parse_u64(val, vlen, &cmd->pages);
		if (!ret && !cmd->pages)
			ret = -ERANGE;
		break;
	case TLBT_KEY_ROUNDS:
		ret = tlbt_parse_u64(val, vlen, &cmd->rounds);
		if (!ret && (!cmd->rounds || cmd->rounds > TLBT_MAX_ROUNDS))
			ret = -ERANGE;
		break;
	case TLBT_KEY_FLUSH:
		ret = tlbt_lookup_policy(val, vlen);
		if (ret >= 0) {
			cmd->policy = ret;
			ret = 0;
		}
		break;
	case TLBT_KEY_DST:
		ret = tlbt_parse_u64(val, vlen, &cmd->dst);
		break;
	case TLBT_KEY_PUNCH:
		ret = tlbt_parse_u64(val, vlen, &cmd->punch);
		break;
	case TLBT_KEY_ZAP:
		ret = tlbt_parse_u64(val, vlen, &cmd->zap);
		break;
	case TLBT_KEY_BACKEND:
		ret = tlbt_lookup(val, vlen, tlbt_backend_names,
				  TLBT_BACKEND_NR);
		if (ret >= 0) {
			cmd->backend = ret;
			ret = 0;
		}
		break;
	case TLBT_KEY_BREAK:
		ret = tlbt_lookup(val, vlen, tlbt_break_names, TLBT_BREAK_NR);
		if (ret >= 0) {
			cmd->brk = ret;
			ret = 0;
		}
		break;
	}
	if (!ret)
		cmd->given |= bit;
	return ret;
}

/**
 * tlbt_cmd_parse - parse one command
 * @buf: the text; need not be NUL-terminated
 * @len: its length; one trailing newline is allowed
 * @cmd: filled on success, left in an unspecified state on failure
 *
 * Return: 0, -E2BIG if the text is too long, -ERANGE for a number out of
 * range, -EOPNOTSUPP for an unsafe policy on the kernel backend, or -EINVAL
 * for anything else malformed (a break= on the kernel backend included).
 */
int tlbt_cmd_parse(const char *buf, size_t len, struct tlbt_cmd *cmd)
{
	size_t i = 0, tok, eq;
	int seq, ret;

	if (len > TLBT_CMD_MAX_LEN)
		return -E2BIG;
	if (len && buf[len - 1] == '\n')
		len--;

	memset(cmd, 0, sizeof(*cmd));
	cmd->policy = TLBT_POL_IMMEDIATE;
	cmd->backend = TLBT_BACKEND_NATIVE;
	cmd->rounds = 1;

	while (i < len && tlbt_is_space(buf[i]))
		i++;
	tok = i;
	while (i < len && !tlbt_is_space(buf[i]))
		i++;
	if (i == tok)
		return -EINVAL;
	seq = tlbt_lookup(buf + tok, i - tok, tlbt_seq_names, TLBT_SEQ_NR);
	if (seq < 0)
		return seq;
	cmd->seq = seq;

	for (;;) {
		while (i < len && tlbt_is_space(buf[i]))
			i++;
		if (i == len)
			break;
		tok = i;
		eq = 0;
		while (i < len && !tlbt_is_space(buf[i])) {
			if (buf[i] == '=' && !eq)
				eq = i;
			i++;
		}
		if (!eq)
			return -EINVAL;
		ret = tlbt_parse_pair(cmd, buf + tok, eq - tok, buf + eq + 1,
				      i - eq - 1);
		if (ret)
			return ret;
	}

	if (cmd->given & ~(TLBT_COMMON_KEYS | tlbt_seq_keys[cmd->seq]))
		return -EINVAL;
	if (cmd->seq == TLBT_SEQ_MREMAP && !(cmd->given & TLBT_KEY_DST))
		return -EINVAL;
	if (!(tlbt_policies[cmd->policy].seqs & TLBT_SEQ_BIT(cmd->seq)))
		return -EINVAL;
	/* break= breaks the native engine: nothing to break elsewhere. */
	if (cmd->brk != TLBT_BREAK_NONE &&
	    (cmd->backend != TLBT_BACKEND_NATIVE ||
	     cmd->policy == TLBT_POL_NONE))
		return -EINVAL;
	if (cmd->backend != TLBT_BACKEND_NATIVE &&
	    (tlbt_policies[cmd->policy].native_only ||
	     cmd->seq == TLBT_SEQ_MKCLEAN || cmd->seq == TLBT_SEQ_SYNC))
		return -EOPNOTSUPP;
	return 0;
}

/**
 * tlbt_cmd_bind - fit a parsed command to an arena of @arena_pages pages
 * @cmd: a command accepted by tlbt_cmd_parse()
 * @arena_pages: the arena's size in pages
 *
 * Return: 0, -ERANGE when a range does not lie inside the arena or a count
 * exceeds the pages, or -EINVAL when the mremap ranges overlap.
 */
int tlbt_cmd_bind(struct tlbt_cmd *cmd, u64 arena_pages)
{
	if (cmd->start >= arena_pages)
		return -ERANGE;
	if (!(cmd->given & TLBT_KEY_PAGES)) {
		cmd->pages = arena_pages - cmd->start;
		/* mremap: by default source and destination share the arena. */
		if (cmd->seq == TLBT_SEQ_MREMAP && cmd->dst > cmd->start &&
		    cmd->dst - cmd->start < cmd->pages)
			cmd->pages = cmd->dst - cmd->start;
	}
	if (cmd->pages > arena_pages - cmd->start)
		return -ERANGE;
	if (cmd->zap > cmd->pages)
		return -ERANGE;

	if (cmd->seq != TLBT_SEQ_MREMAP)
		return 0;
	if (cmd->dst >= arena_pages || cmd->pages > arena_pages - cmd->dst)
		return -ERANGE;
	if (cmd->dst < cmd->start + cmd->pages &&
	    cmd->start < cmd->dst + cmd->pages)
		return -EINVAL;
	if (!(cmd->given & TLBT_KEY_PUNCH))
		cmd->punch = (cmd->pages + 1) / 2;
	if (cmd->punch > cmd->pages)
		return -ERANGE;
	return 0;
}
