/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tlbtorture detect: the entry point the runner dispatches to, and the
 * line format that tlbt_detect_test reads back.
 */
#ifndef TLBT_DETECT_H
#define TLBT_DETECT_H

int tlbt_detect_main(int argc, char **argv);
/*
 * The runner's option numbers (tlbtorture.c): libtlbt's tlbt_parse_number(),
 * with the message. Also bench's.
 */
int tlbt_parse_num(const char *opt, const char *s, unsigned long long *v);

#define TLBT_DETECT_RUNS	20
#define TLBT_DETECT_ROUNDS	10
#define TLBT_DETECT_PAGES	64

/*
 * One line per stale-TLB control, every value a single word:
 *
 *   detect: seq=S flush=P runs=N detected=D median_rounds=M module=A
 *           user=B status=X secs=T first=R1,R2,...
 *
 * detected: runs with corruption within their rounds; module and user:
 * of those, the runs in which the in-module oracle and the user-space
 * oracle saw it (both may). median_rounds: median over the detecting runs
 * of the rounds to the first corrupt one ("-" when none detected, or with
 * --whole, which cannot tell). first: that round per run, "-" for a run
 * that saw nothing. status: caught (every run), weak (some), missed
 * (none), masked (the hardware hides this control and no run saw it: a
 * miss is no miss; a "#" line before says why) or error (a command
 * failed).
 */
#define TLBT_DETECT_TAG		"detect:"

#endif /* TLBT_DETECT_H */
