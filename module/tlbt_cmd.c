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
#endif

const struct tlbt_seq_info tlbt_seq_infos[TLBT_SEQ_NR] = {
#define TLBT_LIST_SEQ(id, nm, k, req, native, mtx)			\
	{ .name = nm, .keys = k, .required = req, .native_only = native, \
	  .matrix = mtx },
#include "tlbt_proto.h"
#undef TLBT_LIST_SEQ
};

const struct tlbt_policy_info tlbt_policy_infos[TLBT_POL_NR] = {
#define TLBT_LIST_POLICY(id, nm, s, k, native)				\
	{ .name = nm, .seqs = s, .kind = TLBT_POLICY_##k,		\
	  .native_only = native },
#include "tlbt_proto.h"
#undef TLBT_LIST_POLICY
};

const char * const tlbt_key_names[TLBT_KEY_NR] = {
#define TLBT_LIST_KEY(id, nm) nm,
#include "tlbt_proto.h"
#undef TLBT_LIST_KEY
};

const char * const tlbt_backend_names[TLBT_BACKEND_NR] = {
#define TLBT_LIST_BACKEND(id, nm) nm,
#include "tlbt_proto.h"
#undef TLBT_LIST_BACKEND
};

const char * const tlbt_break_names[TLBT_BREAK_NR] = {
#define TLBT_LIST_BREAK(id, nm) nm,
#include "tlbt_proto.h"
#undef TLBT_LIST_BREAK
};

const struct tlbt_result_info tlbt_result_infos[TLBT_NR_RESULT_KEYS] = {
#define TLBT_LIST_RESULT(nm, field, t) { .name = nm, .type = TLBT_RT_##t },
#include "tlbt_proto.h"
#undef TLBT_LIST_RESULT
};

const char *tlbt_seq_name(enum tlbt_seq seq)
{
	return (unsigned int)seq < TLBT_SEQ_NR ? tlbt_seq_infos[seq].name : "?";
}

const char *tlbt_policy_name(enum tlbt_policy policy)
{
	return (unsigned int)policy < TLBT_POL_NR ?
		tlbt_policy_infos[policy].name : "?";
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

/* Corruption expected: a stale-TLB control, data loss, or no flush. */
bool tlbt_policy_unsafe(enum tlbt_policy policy)
{
	return (unsigned int)policy < TLBT_POL_NR &&
		tlbt_policy_infos[policy].kind != TLBT_POLICY_SAFE;
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

static int tlbt_lookup_seq(const char *s, size_t n)
{
	unsigned int i;

	for (i = 0; i < TLBT_SEQ_NR; i++)
		if (tlbt_tok_eq(s, n, tlbt_seq_infos[i].name))
			return i;
	return -EINVAL;
}

static int tlbt_lookup_policy(const char *s, size_t n)
{
	unsigned int i;

	for (i = 0; i < TLBT_POL_NR; i++)
		if (tlbt_tok_eq(s, n, tlbt_policy_infos[i].name))
			return i;
	return -EINVAL;
}

/* By a NUL-terminated name: the enum value, or -EINVAL. */
int tlbt_seq_lookup(const char *name)
{
	return tlbt_lookup_seq(name, strlen(name));
}

int tlbt_policy_lookup(const char *name)
{
	return tlbt_lookup_policy(name, strlen(name));
}

int tlbt_backend_lookup(const char *name)
{
	return tlbt_lookup(name, strlen(name), tlbt_backend_names,
			   TLBT_BACKEND_NR);
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

/*
 * Decimal or 0x-hex, no sign, never octal; -ERANGE when it does not fit
 * in 64 bits. Also user space's one number parser (libtlbt).
 */
int tlbt_parse_u64(const char *s, size_t n, u64 *out)
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

static int tlbt_parse_pair(struct tlbt_cmd *cmd, const char *key, size_t klen,
			   const char *val, size_t vlen)
{
	unsigned int bit;
	int k, ret = 0;

	k = tlbt_lookup(key, klen, tlbt_key_names, TLBT_KEY_NR);
	if (k < 0)
		return k;
	bit = 1U << k;
	if (cmd->given & bit)
		return -EINVAL;
	if (!vlen)
		return -EINVAL;

	switch (k) {
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
	const struct tlbt_policy_info *pi;
	const struct tlbt_seq_info *si;
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
	seq = tlbt_lookup_seq(buf + tok, i - tok);
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

	si = &tlbt_seq_infos[cmd->seq];
	pi = &tlbt_policy_infos[cmd->policy];
	if (cmd->given & ~(TLBT_KEY_COMMON | si->keys))
		return -EINVAL;
	if ((cmd->given & si->required) != si->required)
		return -EINVAL;
	if (!(pi->seqs & (1U << cmd->seq)))
		return -EINVAL;
	/* break= breaks the native engine: nothing to break elsewhere. */
	if (cmd->brk != TLBT_BREAK_NONE &&
	    (cmd->backend != TLBT_BACKEND_NATIVE ||
	     pi->kind == TLBT_POLICY_BASELINE))
		return -EINVAL;
	if (cmd->backend != TLBT_BACKEND_NATIVE &&
	    (pi->native_only || si->native_only))
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
	if (!(cmd->given & TLBT_KEY_BIT(PAGES))) {
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
	if (!(cmd->given & TLBT_KEY_BIT(PUNCH)))
		cmd->punch = (cmd->pages + 1) / 2;
	if (cmd->punch > cmd->pages)
		return -ERANGE;
	return 0;
}
