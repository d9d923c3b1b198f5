/* SPDX-License-Identifier: MIT */
/* Commands per alert (exec.h): fork and exec of /bin/sh -c CMD in a process
 * group of its own, the alert written to a non-blocking pipe as far as it
 * goes and the rest on later ticks, children reaped by their pid with
 * WNOHANG, a SIGKILL to the group at the deadline. */
#include "watch/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct slot {
	pid_t pid;                /* 0: free */
	int fd;                   /* its standard input, -1 once all is written */
	char *buf;
	size_t len, off;
	int64_t deadline;         /* CLOCK_MONOTONIC */
	bool killed;
};

struct watch_exec {
	char *cmd;
	unsigned max;
	int64_t timeout_ns;
	struct exec_stats st;
	struct slot slots[EXEC_MAX_AT_ONCE];
};

static int64_t mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

struct watch_exec *exec_new(const char *cmd, unsigned max, int64_t timeout_ns)
{
	struct watch_exec *x = calloc(1, sizeof(*x));
	if (!x)
		return NULL;
	x->cmd = strdup(cmd);
	if (!x->cmd) {
		free(x);
		return NULL;
	}
	x->max = max < 1 ? 1 : max > EXEC_MAX_AT_ONCE ? EXEC_MAX_AT_ONCE : max;
	x->timeout_ns = timeout_ns;
	for (unsigned i = 0; i < EXEC_MAX_AT_ONCE; i++)
		x->slots[i].fd = -1;
	/* a command that exits without reading its input must not end watch */
	signal(SIGPIPE, SIG_IGN);
	return x;
}

static void close_input(struct slot *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	free(s->buf);
	s->buf = NULL;
	s->len = s->off = 0;
}

static void feed(struct slot *s)
{
	while (s->fd >= 0 && s->off < s->len) {
		ssize_t k = write(s->fd, s->buf + s->off, s->len - s->off);
		if (k > 0) {
			s->off += (size_t)k;
		} else if (k < 0 && errno == EINTR) {
			continue;
		} else if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			return;
		} else {
			break;   /* EPIPE: the command does not read it */
		}
	}
	close_input(s);
}

void exec_alert(struct watch_exec *x, const char *json, size_t len)
{
	exec_tick(x);
	struct slot *s = NULL;
	for (unsigned i = 0; i < x->max; i++)
		if (!x->slots[i].pid) {
			s = &x->slots[i];
			break;
		}
	if (!s) {
		x->st.dropped++;
		return;
	}
	int p[2];
	s->buf = malloc(len ? len : 1);
	if (!s->buf || pipe(p) != 0) {
		free(s->buf);
		s->buf = NULL;
		x->st.errors++;
		return;
	}
	fcntl(p[0], F_SETFD, FD_CLOEXEC);
	fcntl(p[1], F_SETFD, FD_CLOEXEC);
	memcpy(s->buf, json, len);
	char *argv[] = { "sh", "-c", x->cmd, NULL };
	s->len = len;
	s->off = 0;
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		free(s->buf);
		s->buf = NULL;
		x->st.errors++;
		return;
	}
	if (pid == 0) {
		/* the child: its own process group (the timeout kills all of it),
		 * default signals, the alert on standard input, no other file of watch;
		 * only async-signal-safe calls (the server's thread may hold locks) */
		setpgid(0, 0);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		if (dup2(p[0], 0) < 0)
			_exit(127);
		closefrom(3);
		execv("/bin/sh", argv);
		_exit(127);
	}
	setpgid(pid, pid);   /* also here, so that a kill before the child ran finds the group */
	close(p[0]);
	s->pid = pid;
	s->fd = p[1];
	s->killed = false;
	s->deadline = mono_ns() + x->timeout_ns;
	int fl = fcntl(s->fd, F_GETFL);
	if (fl >= 0)
		fcntl(s->fd, F_SETFL, fl | O_NONBLOCK);
	x->st.started++;
	x->st.running++;
	feed(s);
}

static void reap(struct watch_exec *x, struct slot *s, int status)
{
	if (!s->killed && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
		x->st.failed++;
	close_input(s);
	s->pid = 0;
	x->st.running--;
}

void exec_tick(struct watch_exec *x)
{
	int64_t now = mono_ns();
	for (unsigned i = 0; i < EXEC_MAX_AT_ONCE; i++) {
		struct slot *s = &x->slots[i];
		if (!s->pid)
			continue;
		feed(s);
		int status;
		pid_t r = waitpid(s->pid, &status, WNOHANG);
		if (r == s->pid) {
			reap(x, s, status);
			continue;
		}
		if (r < 0 && errno == ECHILD) {   /* reaped elsewhere: nothing to wait for */
			close_input(s);
			s->pid = 0;
			x->st.running--;
			continue;
		}
		if (!s->killed && now >= s->deadline) {
			kill(-s->pid, SIGKILL);
			kill(s->pid, SIGKILL);
			s->killed = true;
			x->st.timeouts++;
			close_input(s);
		}
	}
}

void exec_get_stats(const struct watch_exec *x, struct exec_stats *st)
{
	*st = x->st;
}

void exec_drain(struct watch_exec *x)
{
	while (x->st.running) {
		exec_tick(x);
		if (!x->st.running)
			break;
		struct timespec ts = { 0, 10000000 };
		nanosleep(&ts, NULL);
	}
}

void exec_free(struct watch_exec *x)
{
	if (!x)
		return;
	exec_drain(x);
	free(x->cmd);
	free(x);
}
