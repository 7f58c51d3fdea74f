/* nginx: Debian's nginx serving httpd's page (the same 612 bytes, from
 * build/workloads/index.html), configured like httpd — one worker (httpd is
 * one event loop), keep-alive without a request cap, no access log, epoll —
 * as a reference server: `zerowatt load native nginx` shows whether our
 * httpd is a fair stand-in for a real one. Not in "all": it is not the
 * shared workload binary. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab.h"
#include "log.h"
#include "oci.h"
#include "proc.h"
#include "results.h"
#include "target.h"

#define NGINX_BIN "/usr/sbin/nginx"

struct nginx_state {
	char dir[256];
	char conf[320];
};

static int nginx_available(char *why, size_t len)
{
	if (access(NGINX_BIN, X_OK) == 0)
		return 0;
	snprintf(why, len, "%s missing: apt-get install nginx-light", NGINX_BIN);
	return -1;
}

static int write_conf(struct nginx_state *ns, int port)
{
	char conf[2048];
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
			   ns->dir, ns->dir, ns->dir, ns->dir, ns->dir, ns->dir, port, ns->dir);
	if (len < 0 || (size_t)len >= sizeof(conf))
		return -E2BIG;
	return write_file_atomic(ns->conf, conf, (size_t)len);
}

static int nginx_prepare(struct target_instance *ti)
{
	if (!ti->wl.is_server) {
		pr_err("nginx: only serves the httpd page; %s runs on the other targets", ti->wl.name);
		return -ENOTSUP;
	}
	struct nginx_state *ns = calloc(1, sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	ti->priv = ns;
	snprintf(ti->addr, sizeof(ti->addr), "127.0.0.1");
	snprintf(ns->dir, sizeof(ns->dir), "%s/nginx-%s", ti->lab->state_dir, ti->id);
	snprintf(ns->conf, sizeof(ns->conf), "%s/nginx.conf", ns->dir);
	char www[300], page[512], copy[320];
	snprintf(www, sizeof(www), "%s/www", ns->dir);
	snprintf(page, sizeof(page), "%s/workloads/index.html", zw_build_dir());
	snprintf(copy, sizeof(copy), "%s/index.html", www);
	if (mkdir(ns->dir, 0755) < 0 || mkdir(www, 0755) < 0)
		return -errno;
	/* The bundle copier copies byte for byte: the same page httpd sends. */
	int r = oci_copy_file(page, copy, 0644);
	if (r < 0) {
		pr_err("nginx: cannot copy %s (run make build): %s", page, strerror(-r));
		return r;
	}
	return write_conf(ns, ti->port);
}

static int nginx_start(struct target_instance *ti)
{
	struct nginx_state *ns = ti->priv;
	char *argv[] = { NGINX_BIN, "-p", ns->dir, "-c", ns->conf, NULL };
	return proc_spawn(argv, PROC_MERGE_STDERR, &ti->pid, &ti->out_fd);
}

static void nginx_cleanup(struct target_instance *ti)
{
	struct nginx_state *ns = ti->priv;
	if (!ns)
		return;
	oci_bundle_remove(ns->dir);
	free(ns);
	ti->priv = NULL;
}

static void nginx_describe(struct target_instance *ti, cJSON *obj)
{
	(void)ti;
	char out[256];
	char *argv[] = { NGINX_BIN, "-v", NULL };
	if (proc_run(argv, out, sizeof(out), 10) == 0) {
		out[strcspn(out, "\n")] = '\0';
		cJSON_AddStringToObject(obj, "version", out);
	}
	cJSON_AddStringToObject(obj, "config", "1 worker, keep-alive (no request cap), access_log off, epoll");
	cJSON_AddStringToObject(obj, "page", "build/workloads/index.html: httpd's own 612 bytes");
	cJSON_AddStringToObject(obj, "accelerator", "none");
}

static const struct target_ops nginx_ops = {
	.name = "nginx",
	.summary = "reference: Debian's nginx serving httpd's page, configured like httpd",
	.shares_network_stack = 1,
	.explicit_only = 1,
	.ready_by_http = 1,
	.available = nginx_available,
	.prepare = nginx_prepare,
	.start = nginx_start,
	.cleanup = nginx_cleanup,
	.describe = nginx_describe,
};
TARGET_REGISTER(nginx_ops);
