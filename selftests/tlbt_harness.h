/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kselftest_harness.h plus a main() that skips the whole program, with
 * the usual exit code 4, when the tlbtorture module is not loaded.
 */
#ifndef TLBT_HARNESS_H
#define TLBT_HARNESS_H

/* The 6.1 harness has unused parameters; this suite builds with -Wextra. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop
#include "libtlbt.h"

/* Skip the whole program, TAP-style, when there is nothing to test. */
static inline int tlbt_harness_run(int argc, char **argv)
{
	if (!tlbt_module_loaded()) {
		ksft_print_header();
		ksft_exit_skip("tlbtorture module not loaded\n");
	}
	return test_harness_run(argc, argv);
}

/*
 * TEST_HARNESS_MAIN with the module check in front. Use it last in the
 * file: the constructor tells the harness in which order constructors
 * ran, so that tests run in the order they are written.
 */
#define TLBT_HARNESS_MAIN						\
	static void __attribute__((constructor))			\
	__constructor_order_last(void)					\
	{								\
		if (!__constructor_order)				\
			__constructor_order = _CONSTRUCTOR_ORDER_BACKWARD; \
	}								\
	int main(int argc, char **argv)					\
	{								\
		exit(tlbt_harness_run(argc, argv));			\
	}

#endif /* TLBT_HARNESS_H */
