// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The init of a matrix guest: PID 1 of an initramfs that holds a static
 * fdtest and the suite. It mounts what fdtest needs, runs
 * "fdtest matrix --guest", reports how that ended as a framed "exit"
 * result on the console, and powers the machine off. It never returns:
 * PID 1 exiting would panic the kernel.
 *
 * The kernel command line carries fdtest_nonce=HEX, the host's nonce for
 * this boot; with fdtest_probe the init only says "ready" (the host's
 * test of the accelerator).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "matrix/matrix_console.h"

static void say(const char *text)
{
	ssize_t n = write(STDERR_FILENO, text, strlen(text));

	(void)n;
}

static void power_off(void)
{
	sync();
	reboot(RB_POWER_OFF);
	for (;;)
		pause();	/* the host's timeout ends us */
}

/* The console as fds 0-2, in case the kernel found none to give us. */
static void setup_console(void)
{
	int fd;

	if (fcntl(STDOUT_FILENO, F_GETFD) == 0)
		return;
	fd = open("/dev/console", O_RDWR | O_NOCTTY);
	if (fd < 0)
		return;
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
}

static void setup_mounts(void)
{
	/* 5.10 charges BPF memory to RLIMIT_MEMLOCK, not to a cgroup */
	struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };

	mkdir("/proc", 0755);
	mkdir("/sys", 0755);
	mkdir("/dev", 0755);
	mkdir("/tmp", 01777);
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	setrlimit(RLIMIT_MEMLOCK, &unlimited);
}

/* Copies the value of "@key=" on the kernel command line; 0 or -ENOENT. */
static int cmdline_get(const char *key, char *val, size_t size)
{
	char line[4096], *p;
	size_t klen = strlen(key);
	ssize_t n;
	int fd = open("/proc/cmdline", O_RDONLY);

	if (fd < 0)
		return -ENOENT;
	n = read(fd, line, sizeof(line) - 1);
	close(fd);
	if (n <= 0)
		return -ENOENT;
	line[n] = '\0';
	for (p = strtok(line, " \n"); p; p = strtok(NULL, " \n")) {
		if (strncmp(p, key, klen) == 0 &&
		    (p[klen] == '=' || p[klen] == '\0')) {
			snprintf(val, size, "%s", p[klen] ? p + klen + 1 : "");
			return 0;
		}
	}
	return -ENOENT;
}

static void run_suite(const char *nonce)
{
	char *argv[] = { "fdtest", "-q", "matrix", "--guest", "/suite",
			 "--nonce", (char *)nonce, NULL };
	char result[64];
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		execv("/bin/fdtest", argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		snprintf(result, sizeof(result), "error %d", errno);
	else if (WIFEXITED(status))
		snprintf(result, sizeof(result), "exit %d",
			 WEXITSTATUS(status));
	else
		snprintf(result, sizeof(result), "signal %d",
			 WTERMSIG(status));
	matrix_console_write(STDOUT_FILENO, nonce, "exit", result,
			     strlen(result));
}

int main(void)
{
	char nonce[MATRIX_NONCE_MAX], probe[8];

	setup_console();
	setup_mounts();
	if (cmdline_get("fdtest_nonce", nonce, sizeof(nonce)) || !nonce[0]) {
		say("fdtest init: no fdtest_nonce= on the kernel command line\n");
		power_off();
	}
	if (cmdline_get("fdtest_probe", probe, sizeof(probe)) == 0)
		matrix_console_write(STDOUT_FILENO, nonce, "exit", "ready", 5);
	else
		run_suite(nonce);
	power_off();
	return 0;
}
