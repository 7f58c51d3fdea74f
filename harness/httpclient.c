#include "httpclient.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proc.h"

int http_parse_response_head(const char *buf, size_t len, int *status, long *content_length)
{
	const char *end = NULL;
	for (size_t i = 0; i + 3 < len; i++)
		if (memcmp(buf + i, "\r\n\r\n", 4) == 0) {
			end = buf + i + 4;
			break;
		}
	if (!end)
		return 0;
	if (len < 12 || strncmp(buf, "HTTP/1.", 7) != 0 || buf[8] != ' ')
		return -EPROTO;
	int code = 0;
	for (int i = 9; i < 12; i++) {
		if (buf[i] < '0' || buf[i] > '9')
			return -EPROTO;
		code = code * 10 + (buf[i] - '0');
	}
	*status = code;
	*content_length = -1;
	for (const char *p = buf; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break;
		if ((size_t)(nl - p) > 15 && strncasecmp(p, "Content-Length:", 15) == 0)
			*content_length = strtol(p + 15, NULL, 10);
		p = nl + 1;
	}
	return (int)(end - buf);
}

static int wait_fd(int fd, short events, double deadline)
{
	for (;;) {
		int left = (int)((deadline - now_s()) * 1000);
		if (left <= 0)
			return -ETIMEDOUT;
		struct pollfd p = { fd, events, 0 };
		int n = poll(&p, 1, left > 50 ? 50 : left);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -errno;
		if (zw_interrupted)
			return -EINTR;
	}
}

int http_get(const char *addr, int port, const char *path, double timeout_s, struct http_result *res)
{
	memset(res, 0, sizeof(*res));
	res->content_length = -1;
	double t0 = now_s(), deadline = t0 + timeout_s;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
		return -EINVAL;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	int r = 0;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (errno != EINPROGRESS) {
			r = -errno;
			goto out;
		}
		r = wait_fd(fd, POLLOUT, deadline);
		if (r < 0)
			goto out;
		int err = 0;
		socklen_t len = sizeof(err);
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
		if (err) {
			r = -err;
			goto out;
		}
	}
	res->connect_s = now_s() - t0;
	char req[512];
	int n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n",
			 path, addr);
	if (write(fd, req, (size_t)n) != n) {
		r = -EIO;
		goto out;
	}
	char buf[65536];
	size_t have = 0;
	int head = 0;
	for (;;) {
		r = wait_fd(fd, POLLIN, deadline);
		if (r < 0)
			goto out;
		ssize_t got = read(fd, buf + have, sizeof(buf) - have);
		if (got < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			r = -errno;
			goto out;
		}
		if (got > 0 && !res->first_byte_s)
			res->first_byte_s = now_s() - t0;
		have += (size_t)got;
		if (!head) {
			head = http_parse_response_head(buf, have, &res->status, &res->content_length);
			if (head < 0) {
				r = head;
				goto out;
			}
		}
		if (head > 0) {
			res->body_len = (long)have - head;
			if (res->content_length >= 0 && res->body_len >= res->content_length)
				break;
		}
		if (got == 0 || have == sizeof(buf)) {
			r = head > 0 ? 0 : -EPROTO;
			if (head > 0 && res->content_length >= 0 && res->body_len < res->content_length)
				r = -EPROTO;
			goto out;
		}
	}
	r = 0;
out:
	res->total_s = now_s() - t0;
	close(fd);
	return r;
}

int http_wait_200(const char *addr, int port, double deadline, struct http_result *res)
{
	int r = -ETIMEDOUT;
	while (now_s() < deadline && !zw_interrupted) {
		double left = deadline - now_s();
		/* A short per-attempt timeout: a SYN lost before the guest's stack is
		 * up would otherwise wait for TCP's 1 s retransmission. */
		r = http_get(addr, port, "/", left < 1.0 ? left : 1.0, res);
		if (r == 0 && res->status == 200)
			return 0;
		if (r == 0)
			r = -EPROTO;
		sleep_s(0.001);
	}
	return zw_interrupted ? -EINTR : r;
}
