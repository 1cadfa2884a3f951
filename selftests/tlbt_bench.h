/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tlbtorture bench and plot: the entry points the runner dispatches to,
 * and the CSV layout that tlbt_bench_test reads back.
 */
#ifndef TLBT_BENCH_H
#define TLBT_BENCH_H

int tlbt_bench_main(int argc, char **argv);
int tlbt_plot_main(int argc, char **argv);

/*
 * One row per point. Times: ns per page of one repeat is ns_total /
 * (pages * rounds); median, min and max over the repeats. Counts: sums
 * over every repeat, and those sums / (pages * rounds * repeats). Rows of
 * sequence "anon" are the kernel's own path on anonymous memory; they
 * have no counts (empty fields).
 */
#define TLBT_BENCH_CSV_HEADER						\
	"sequence,policy,backend,busy,pages,rounds,repeats,ceiling,"	\
	"ns_per_page_median,ns_per_page_min,ns_per_page_max,"		\
	"shootdowns_per_page,ipis_per_page,invlpg_per_page,full_per_page," \
	"shootdowns,ipis,invlpg_pages,full_flushes,"			\
	"x_madv_dontneed,x_mremap"

#endif /* TLBT_BENCH_H */
