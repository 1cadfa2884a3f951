// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the command parser. module/tlbt_cmd.c is compiled
 * as is, the same source the module builds, and every input is checked
 * against the parser's invariants: an accepted command has every field in
 * range for the arena it is bound to, a rejected one has a documented
 * errno, and parsing is deterministic.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../module/tlbt_cmd.h"

static void tlbt_fail(const char *why, const unsigned char *data, size_t size)
{
	fprintf(stderr, "invariant broken: %s\ninput: '%.*s'\n", why,
		(int)size, (const char *)data);
	abort();
}

#define CHECK(cond)						\
	do {							\
		if (!(cond))					\
			tlbt_fail(#cond, data, size);		\
	} while (0)

static void tlbt_check_bound(const struct tlbt_cmd *cmd, u64 arena,
			     const unsigned char *data, size_t size)
{
	CHECK(cmd->start < arena);
	CHECK(cmd->pages >= 1);
	CHECK(cmd->pages <= arena - cmd->start);
	CHECK(cmd->zap <= cmd->pages);
	if (cmd->seq != TLBT_SEQ_MREMAP)
		return;
	CHECK(cmd->dst < arena);
	CHECK(cmd->pages <= arena - cmd->dst);
	CHECK(cmd->dst >= cmd->start + cmd->pages ||
	      cmd->start >= cmd->dst + cmd->pages);
	CHECK(cmd->punch <= cmd->pages);
}

/*
 * The protocol lists' own rules (tlbt_proto.h), once: a sequence's extra
 * keys are no common key and hold its required ones; a policy belongs to
 * some sequence, and every kind but safe is native only.
 */
static void tlbt_check_lists(const unsigned char *data, size_t size)
{
	unsigned int i;

	for (i = 0; i < TLBT_SEQ_NR; i++) {
		CHECK(!(tlbt_seq_infos[i].keys & TLBT_KEY_COMMON));
		CHECK(!(tlbt_seq_infos[i].required & ~tlbt_seq_infos[i].keys));
	}
	for (i = 0; i < TLBT_POL_NR; i++) {
		const struct tlbt_policy_info *pi = &tlbt_policy_infos[i];

		CHECK(pi->seqs && !(pi->seqs & ~((1U << TLBT_SEQ_NR) - 1)));
		CHECK(pi->kind == TLBT_POLICY_SAFE || pi->native_only);
		CHECK(tlbt_policy_unsafe(i) == (pi->kind != TLBT_POLICY_SAFE));
	}
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static bool lists_checked;

	static const u64 arenas[] = { 1, 2, 7, 512, 4096, 262144, ~0ULL };
	struct tlbt_cmd cmd, again;
	unsigned int i;
	int ret, ret2;

	if (!lists_checked) {
		tlbt_check_lists(data, size);
		lists_checked = true;
	}
	ret = tlbt_cmd_parse((const char *)data, size, &cmd);
	ret2 = tlbt_cmd_parse((const char *)data, size, &again);
	CHECK(ret == ret2);
	CHECK((size > TLBT_CMD_MAX_LEN) == (ret == -E2BIG));
	if (ret) {
		CHECK(ret == -EINVAL || ret == -ERANGE || ret == -EOPNOTSUPP ||
		      ret == -E2BIG);
		return 0;
	}
	CHECK(!memcmp(&cmd, &again, sizeof(cmd)));

	CHECK((unsigned int)cmd.seq < TLBT_SEQ_NR);
	CHECK((unsigned int)cmd.policy < TLBT_POL_NR);
	CHECK((unsigned int)cmd.backend < TLBT_BACKEND_NR);
	CHECK((unsigned int)cmd.brk < TLBT_BREAK_NR);
	CHECK(strcmp(tlbt_seq_name(cmd.seq), "?"));
	CHECK(strcmp(tlbt_policy_name(cmd.policy), "?"));
	CHECK(strcmp(tlbt_backend_name(cmd.backend), "?"));
	CHECK(strcmp(tlbt_break_name(cmd.brk), "?"));
	CHECK(cmd.rounds >= 1 && cmd.rounds <= TLBT_MAX_ROUNDS);
	CHECK(!(cmd.given & TLBT_KEY_BIT(PAGES)) || cmd.pages >= 1);
	CHECK(!(cmd.given & ~TLBT_KEY_ALL));
	CHECK(!tlbt_policy_unsafe(cmd.policy) ||
	      cmd.backend == TLBT_BACKEND_NATIVE);
	/* break= only on the native engine, and never on flush=none */
	CHECK(cmd.brk == TLBT_BREAK_NONE ||
	      (cmd.backend == TLBT_BACKEND_NATIVE &&
	       cmd.policy != TLBT_POL_NONE));
	CHECK(tlbt_cmd_unsafe(&cmd) == (tlbt_policy_unsafe(cmd.policy) ||
					cmd.brk != TLBT_BREAK_NONE));
	CHECK(cmd.seq == TLBT_SEQ_MREMAP || !(cmd.given & TLBT_KEY_BIT(DST)));
	CHECK(cmd.seq != TLBT_SEQ_MREMAP || (cmd.given & TLBT_KEY_BIT(DST)));

	for (i = 0; i < sizeof(arenas) / sizeof(arenas[0]); i++) {
		struct tlbt_cmd bound = cmd;

		ret = tlbt_cmd_bind(&bound, arenas[i]);
		CHECK(!ret || ret == -ERANGE || ret == -EINVAL);
		CHECK(ret != -EINVAL || bound.seq == TLBT_SEQ_MREMAP);
		if (!ret)
			tlbt_check_bound(&bound, arenas[i], data, size);
	}
	return 0;
}
