/* zerowatt nginx-compare: is our httpd a fair stand-in for a real server?
 * Debian's nginx, configured like httpd (one worker, keep-alive, no access
 * log), serves the very bytes httpd serves (fetched from httpd itself), and
 * both take the same wrk load in alternation, pinned to the same core. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "experiment.h"
#include "httpclient.h"
#include "log.h"
#include "proc.h"
#include "stats.h"
#include "verb.h"
#include "wrk.h"

#define NGINX_BIN "/usr/sbin/nginx"
#define NGINX_PORT 8079
#define TARGET_RATIO 0.8

struct nginx {
	char dir[256];
	pid_t pid;
	int out_fd;
};

static int write_text(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -errno;
	size_t w = fwrite(text, 1, len, f);
	return fclose(f) == 0 && w == len ? 0 : -EIO;
}

static int fetch_body(const char *addr, int port, char *body, size_t cap, size_t *len)
{
	/* http_get counts the body; fetch it raw here to copy the bytes. */
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "exec 3<>/dev/tcp/%s/%d; printf 'GET / HTTP/1.0\\r\\n\\r\\n' >&3; cat <&3", addr, port);
	char *argv[] = { "bash", "-c", cmd, NULL };
	char out[8192];
	int r = proc_run(argv, out, sizeof(out), 10);
	char *sep = strstr(out, "\r\n\r\n");
	if (r != 0 || !sep)
		return -EPROTO;
	sep += 4;
	*len = strlen(sep);
	if (*len >= cap)
		return -ENOSPC;
	memcpy(body, sep, *len + 1);
	return 0;
}

static int nginx_start(struct nginx *n, const char *state_dir, const char *body, size_t body_len, int cpu)
{
	char path[512], conf[2048];
	snprintf(n->dir, sizeof(n->dir), "%s/nginx", state_dir);
	mkdir(n->dir, 0755);
	snprintf(path, sizeof(path), "%s/www", n->dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/www/index.html", n->dir);
	int r = write_text(path, body, body_len);
	if (r < 0)
		return r;
	/* Comparable to httpd: one worker (httpd is one event loop), keep-alive
	 * without a request cap, no access log, epoll. */
	int len = snprintf(conf, sizeof(conf),
			   "worker_processes 1;\n"
			   "daemon off;\n"
			   "error_log stderr warn;\n"
			   "pid %s/nginx.pid;\n"
			   "events { worker_connections 4096; use epoll; }\n"
			   "http {\n"
			   "  access_log off;\n"
			   "  default_type text/html;\n"
			   "  keepalive_timeout 65;\n"
			   "  keepalive_requests 100000000;\n"
			   "  client_body_temp_path %s/body;\n"
			   "  proxy_temp_path %s/proxy;\n"
			   "  fastcgi_temp_path %s/fastcgi;\n"
			   "  uwsgi_temp_path %s/uwsgi;\n"
			   "  scgi_temp_path %s/scgi;\n"
			   "  server { listen 127.0.0.1:%d; root %s/www; index index.html; }\n"
			   "}\n",
			   n->dir, n->dir, n->dir, n->dir, n->dir, n->dir, NGINX_PORT, n->dir);
	snprintf(path, sizeof(path), "%s/nginx.conf", n->dir);
	if ((r = write_text(path, conf, (size_t)len)) < 0)
		return r;
	char cpus[16];
	snprintf(cpus, sizeof(cpus), "%d", cpu);
	char *argv[] = { "taskset", "-c", cpus, NGINX_BIN, "-p", n->dir, "-c", path, NULL };
	if ((r = proc_spawn(argv, PROC_MERGE_STDERR, &n->pid, &n->out_fd)) < 0)
		return r;
	struct http_result res;
	r = http_wait_200("127.0.0.1", NGINX_PORT, now_s() + 10, &res);
	if (r == 0 && res.body_len != (long)body_len)
		r = -EPROTO;
	return r;
}

static void nginx_stop(struct nginx *n)
{
	int st;
	if (n->pid > 0)
		proc_stop_group(n->pid, 3.0, &st);
	if (n->out_fd >= 0)
		close(n->out_fd);
	n->pid = 0;
	n->out_fd = -1;
}

static int record(struct run *run, const char *target, const struct wrk_result *w, int rep)
{
	const char *src = "wrk";
	run_addv(run, "nginx-compare", target, "requests_per_s", w->rps, "req/s", rep, NULL, src);
	run_addv(run, "nginx-compare", target, "p50_us", w->p50_us, "us", rep, NULL, src);
	run_addv(run, "nginx-compare", target, "p99_us", w->p99_us, "us", rep, NULL, src);
	run_addv(run, "nginx-compare", target, "errors", wrk_errors(w), "count", rep, NULL, src);
	return 0;
}

static int nginx_compare_run(int argc, char **argv)
{
	unsigned reps = 5, conns = 100;
	double duration = 5;
	const char *results = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
			reps = cli_uint("-n", argv[++i], 1, 1000);
		else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			conns = cli_uint("-c", argv[++i], 1, 100000);
		else if (strcmp(argv[i], "--duration") == 0 && i + 1 < argc)
			duration = cli_double("--duration", argv[++i], 1, 3600);
		else if (strcmp(argv[i], "--results") == 0 && i + 1 < argc)
			results = argv[++i];
		else
			die_usage("nginx-compare: unknown option '%s' (zerowatt nginx-compare --help)", argv[i]);
	}
	if (access(NGINX_BIN, X_OK) != 0) {
		pr_err("nginx is not installed (apt-get install nginx-light)");
		return 1;
	}
	struct exp_ctx ctx;
	static const struct experiment pseudo = { .name = "nginx-compare" };
	memset(&ctx, 0, sizeof(ctx));
	ctx.exp = &pseudo;
	char *fake_argv[] = { "nginx-compare", "--results", (char *)results, NULL };
	int r = experiment_begin(&ctx, results ? 3 : 1, fake_argv);
	struct target_instance ti;
	struct nginx ng = { .out_fd = -1 };
	int rc = 1;
	int ncpu = proc_cpu_count();
	int server_cpu = 0, client_cpu = ncpu > 1 ? ncpu - 1 : -1;
	if (r < 0)
		goto out;
	if ((r = exp_launch(&ctx, target_find("native"), &ti, "httpd", NULL)) < 0)
		goto out;
	pid_t pids[8];
	int np = target_pids(&ti, pids, 8);
	proc_pin(pids, np, server_cpu);
	char body[8192];
	size_t body_len;
	if ((r = fetch_body(ti.addr, ti.port, body, sizeof(body), &body_len)) < 0) {
		pr_err("cannot fetch httpd's page");
		goto stop_httpd;
	}
	if ((r = nginx_start(&ng, ctx.lab.state_dir, body, body_len, server_cpu)) < 0) {
		pr_err("nginx did not serve the page: %s", strerror(-r));
		goto stop_nginx;
	}
	cJSON_AddNumberToObject(ctx.run.meta, "page_bytes", (double)body_len);
	cJSON_AddStringToObject(ctx.run.meta, "nginx_config", "1 worker, keepalive, access_log off, epoll");
	for (unsigned k = 0; k < reps && !zw_interrupted; k++) {
		struct wrk_options wo = { .port = 0, .connections = conns, .duration_s = duration, .cpu = client_cpu };
		struct wrk_result w;
		wo.addr = ti.addr;
		wo.port = ti.port;
		if ((r = wrk_run(&wo, &w)) < 0)
			goto stop_nginx;
		record(&ctx.run, "httpd", &w, (int)k);
		wo.addr = "127.0.0.1";
		wo.port = NGINX_PORT;
		if ((r = wrk_run(&wo, &w)) < 0)
			goto stop_nginx;
		record(&ctx.run, "nginx", &w, (int)k);
		run_flush(&ctx.run);
	}
	rc = 0;
stop_nginx:
	nginx_stop(&ng);
stop_httpd:
	target_cleanup(&ti);
out:
	if (ctx.lab_opened)
		lab_close(&ctx.lab);
	ctx.lab_opened = 0;
	if (ctx.run_opened) {
		static const char *const metrics[] = { "requests_per_s", "p50_us", "p99_us", "errors", NULL };
		summary_print(&ctx.run, "nginx-compare", metrics, "nginx");
		double h[1000], g[1000];
		size_t nh = 0, nn = 0;
		for (size_t i = 0; i < ctx.run.n; i++) {
			struct sample *s = &ctx.run.samples[i];
			if (strcmp(s->metric, "requests_per_s"))
				continue;
			if (!strcmp(s->target, "httpd") && nh < 1000)
				h[nh++] = s->value;
			else if (!strcmp(s->target, "nginx") && nn < 1000)
				g[nn++] = s->value;
		}
		if (nh && nn) {
			double ratio = stats_median(h, nh) / stats_median(g, nn);
			printf("httpd / nginx requests/s: %.2f (target >= %.1f): %s\n", ratio, TARGET_RATIO,
			       ratio >= TARGET_RATIO ? "met" : "NOT met");
			cJSON_AddNumberToObject(ctx.run.meta, "httpd_over_nginx_rps", ratio);
		}
	}
	experiment_end(&ctx);
	if (ctx.run.dir[0])
		printf("run directory: %s\n", ctx.run.dir);
	return zw_interrupted ? 130 : rc;
}

static const struct verb nginx_compare_verb = {
	.name = "nginx-compare",
	.summary = "benchmark httpd against Debian's nginx serving the same page (same wrk load)",
	.usage = "nginx-compare [-n REPS] [-c CONNECTIONS] [--duration S] [--results DIR]\n"
		 "  alternates wrk runs against native httpd and nginx (1 worker, keep-alive, no access log)",
	.run = nginx_compare_run,
};
VERB_REGISTER(nginx_compare_verb);
