// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Runs a command and writes what it cost: wall time, CPU time (user and
 * system, all its threads) and peak resident memory, from wait4()'s
 * rusage, which needs no package beyond libc.
 *
 * Usage: measure RESULT_FILE COMMAND [ARG]...
 * RESULT_FILE gets one line: "exit=0 wall=1.234 user=0.5 sys=0.7
 * maxrss_kib=7000". The command's output goes where measure's does. Exit
 * status: the command's, or 2 when it cannot be run.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double tv(struct timeval t)
{
	return (double)t.tv_sec + (double)t.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	struct rusage ru;
	double start, end;
	int status, code;
	pid_t pid;
	FILE *out;

	if (argc < 3) {
		fprintf(stderr, "Usage: measure RESULT_FILE COMMAND [ARG]...\n");
		return 2;
	}
	start = now();
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "measure: fork: %s\n", strerror(errno));
		return 2;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		fprintf(stderr, "measure: %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0) {
		fprintf(stderr, "measure: wait4: %s\n", strerror(errno));
		return 2;
	}
	end = now();
	code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	out = fopen(argv[1], "w");
	if (!out) {
		fprintf(stderr, "measure: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	fprintf(out, "exit=%d wall=%.3f user=%.3f sys=%.3f maxrss_kib=%ld\n",
		code, end - start, tv(ru.ru_utime), tv(ru.ru_stime),
		ru.ru_maxrss);
	if (fclose(out)) {
		fprintf(stderr, "measure: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	return code;
}
