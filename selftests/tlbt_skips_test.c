// SPDX-License-Identifier: GPL-2.0
/*
 * Skips that say why: a test that cannot run here names the first thing
 * the user must fix, in the order not root, debugfs not mounted, kernel
 * lockdown, module not loaded. Checked for the library every test uses
 * (tlbt_module_unusable()) and for the collection's wrapper,
 * tlbtorture.sh, each from a child that changes its own credentials or
 * mount namespace only. Lockdown is one-way: the guest's check job tests
 * it last, just before power-off.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tlbt_harness.h"

#define NOBODY	65534

/* Exit status of a child that runs @fn: 0 when it saw what it expected. */
static int in_child(int (*fn)(const char *), const char *arg)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		int ret = fn(arg);

		fflush(stdout);
		_exit(ret);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static int drop_root(void)
{
	return setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY);
}

static int hide_debugfs(void)
{
	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return -1;
	/* EINVAL: not a mount point, debugfs was not mounted anyway */
	if (umount2("/sys/kernel/debug", MNT_DETACH) && errno != EINVAL)
		return -1;
	return 0;
}

/* Child: does the library name @want first? */
static int library_says(const char *want)
{
	const char *why = tlbt_module_unusable();

	printf("# library: %s\n", why ?: "(usable)");
	return !(why && !strncmp(why, want, strlen(want)));
}

/* The installed wrapper next to this program, or false (a build tree). */
static bool wrapper_path(char *buf, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", buf, size - 32);

	if (n <= 0)
		return false;
	buf[n] = '\0';
	strcpy(strrchr(buf, '/'), "/tlbtorture.sh");
	return access(buf, R_OK) == 0;
}

/* Child: does the wrapper skip (4) and name @want? */
static int wrapper_says(const char *want)
{
	char path[PATH_MAX], cmd[PATH_MAX + 64], line[512];
	bool named = false;
	FILE *p;
	int rc;

	if (!wrapper_path(path, sizeof(path)))
		return 2;
	/* -t of a test that is not there: never the whole collection again */
	snprintf(cmd, sizeof(cmd), "sh %s -t tlbt_none_test 2>&1", path);
	p = popen(cmd, "r");
	if (!p)
		return 2;
	while (fgets(line, sizeof(line), p)) {
		printf("# wrapper: %s", line);
		named |= strstr(line, want) != NULL;
	}
	rc = pclose(p);
	return !(named && WIFEXITED(rc) && WEXITSTATUS(rc) == KSFT_SKIP);
}

static int unprivileged_library(const char *want)
{
	return drop_root() ? 2 : library_says(want);
}

static int unprivileged_wrapper(const char *want)
{
	return drop_root() ? 2 : wrapper_says(want);
}

static int no_debugfs_library(const char *want)
{
	return hide_debugfs() ? 2 : library_says(want);
}

static int no_debugfs_wrapper(const char *want)
{
	return hide_debugfs() ? 2 : wrapper_says(want);
}

FIXTURE(skips) {
	bool wrapper;	/* installed: tlbtorture.sh is next to us */
};

FIXTURE_SETUP(skips)
{
	char path[PATH_MAX];

	if (geteuid() != 0)
		SKIP(return, "%s: needs root to take root away", _metadata->name);
	self->wrapper = wrapper_path(path, sizeof(path));
}

FIXTURE_TEARDOWN(skips)
{
}

/* A child's verdict: 0 named, 1 not named, 2 could not set up (skip). */
#define NAMED	0
#define UNSET	2

TEST_F(skips, not_root_comes_first)
{
	EXPECT_EQ(NAMED, in_child(unprivileged_library, "not root"));
	if (!self->wrapper) {
		TH_LOG("no tlbtorture.sh next to this program (not installed): library only");
		return;
	}
	EXPECT_EQ(NAMED, in_child(unprivileged_wrapper, "not root"));
}

TEST_F(skips, debugfs_not_mounted_is_named)
{
	int rc = in_child(no_debugfs_library, "debugfs is not mounted");

	if (rc == UNSET)
		SKIP(return, "%s: no private mount namespace here (unshare)",
		     _metadata->name);
	EXPECT_EQ(NAMED, rc);
	if (self->wrapper)
		EXPECT_EQ(NAMED, in_child(no_debugfs_wrapper,
					  "debugfs is not mounted"));
}

/* Where the arena can be opened, no reason may be given. */
TEST_F(skips, usable_here_names_nothing)
{
	const char *why = tlbt_module_unusable();
	int fd = open(TLBT_DEBUGFS "/arena", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		SKIP(return, "%s: the arena does not open here: %s",
		     _metadata->name, why ?: strerror(errno));
	close(fd);
	EXPECT_EQ(NULL, why) TH_LOG("%s", why);
}

TLBT_HARNESS_MAIN
