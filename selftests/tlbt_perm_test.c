// SPDX-License-Identifier: GPL-2.0
/*
 * Permissions: every debugfs file is 0600 or 0400, and a process without
 * CAP_SYS_ADMIN gets EPERM or EACCES from each of them even when the files
 * are made world-readable and writable, as a looser debugfs mount could.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tlbt_harness.h"

static const struct {
	const char *name;
	mode_t mode;
} tlbt_files[] = {
	{ "arena", 0600 },
	{ "notifier", 0600 },
	{ "ceiling", 0600 },
	{ "max_pages", 0600 },
	{ "stats", 0400 },
};
#define NR_FILES (sizeof(tlbt_files) / sizeof(tlbt_files[0]))

static void path_of(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", TLBT_DEBUGFS, name);
}

FIXTURE(perm) {
	mode_t saved[NR_FILES];
	mode_t saved_dir, saved_root;
};

FIXTURE_SETUP(perm)
{
	char path[256];
	struct stat st;
	unsigned int i;

	TLBT_REQUIRE_MODULE();
	for (i = 0; i < NR_FILES; i++) {
		path_of(path, sizeof(path), tlbt_files[i].name);
		ASSERT_EQ(0, stat(path, &st)) TH_LOG("%s", path);
		self->saved[i] = st.st_mode & 07777;
	}
	ASSERT_EQ(0, stat(TLBT_DEBUGFS, &st));
	self->saved_dir = st.st_mode & 07777;
	ASSERT_EQ(0, stat("/sys/kernel/debug", &st));
	self->saved_root = st.st_mode & 07777;
}

FIXTURE_TEARDOWN(perm)
{
	char path[256];
	unsigned int i;

	for (i = 0; i < NR_FILES; i++) {
		path_of(path, sizeof(path), tlbt_files[i].name);
		chmod(path, self->saved[i]);
	}
	chmod(TLBT_DEBUGFS, self->saved_dir);
	chmod("/sys/kernel/debug", self->saved_root);
}

TEST_F(perm, debugfs_modes_are_0600_or_0400)
{
	unsigned int i;

	/* Braces: EXPECT's TH_LOG is a statement of its own. */
	for (i = 0; i < NR_FILES; i++) {
		EXPECT_EQ(tlbt_files[i].mode, self->saved[i])
			TH_LOG("%s is %04o", tlbt_files[i].name, self->saved[i]);
	}
}

/*
 * The child gives up root (and with it every capability) after the files
 * were opened up to everyone; the module's own capable() check must
 * still refuse it.
 */
TEST_F(perm, unprivileged_gets_eperm_even_with_loose_modes)
{
	char path[256];
	unsigned int i;
	int status;
	pid_t pid;

	/* The directory too: debugfs mounted with mode=0755 or looser. */
	ASSERT_EQ(0, chmod(TLBT_DEBUGFS, 0777));
	ASSERT_EQ(0, chmod("/sys/kernel/debug", 0777));
	for (i = 0; i < NR_FILES; i++) {
		path_of(path, sizeof(path), tlbt_files[i].name);
		ASSERT_EQ(0, chmod(path, 0666));
	}

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int bad = 0;

		if (setgid(65534) || setuid(65534))
			_exit(100);
		for (i = 0; i < NR_FILES; i++) {
			char buf[64];
			int fd;

			path_of(path, sizeof(path), tlbt_files[i].name);
			fd = open(path, O_RDWR);
			if (fd >= 0) {
				/* Opened: every use must still be refused. */
				if (read(fd, buf, sizeof(buf)) >= 0 ||
				    (errno != EPERM && errno != EACCES))
					bad |= 1 << i;
				if (write(fd, "1", 1) >= 0 ||
				    (errno != EPERM && errno != EACCES &&
				     errno != EBADF))
					bad |= 1 << i;
				close(fd);
			} else if (errno != EPERM && errno != EACCES) {
				bad |= 1 << i;
			}
		}
		_exit(bad);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_NE(100, WEXITSTATUS(status)) TH_LOG("could not drop privileges");
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("files not refused: mask 0x%x",
						 WEXITSTATUS(status));
}

/* Positive control: root with the same loose modes is let in. */
TEST_F(perm, root_is_let_in)
{
	int fd = open(TLBT_DEBUGFS "/arena", O_RDWR);

	ASSERT_LE(0, fd);
	close(fd);
}

TLBT_HARNESS_MAIN
