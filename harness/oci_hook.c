/* `zerowatt oci-hook SLOT`: the container's createRuntime hook. The runtime
 * calls it in the lab namespace with the container state on stdin; it joins
 * the container's new network namespace to the lab's with a veth pair:
 * zwv<slot> (10.201.<slot>.1) in the lab, eth0 (10.201.<slot>.2) inside. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "lab.h"
#include "log.h"
#include "proc.h"
#include "verb.h"

static int read_state_pid(void)
{
	char buf[65536];
	size_t len = 0;
	ssize_t n;
	while (len < sizeof(buf) - 1 && (n = read(0, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	cJSON *state = cJSON_Parse(buf);
	cJSON *pid = cJSON_GetObjectItemCaseSensitive(state, "pid");
	int v = cJSON_IsNumber(pid) ? pid->valueint : -1;
	cJSON_Delete(state);
	return v;
}

static int ip(char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int ip(char *out, size_t cap, const char *fmt, ...)
{
	char args[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	int r = proc_runf(out, cap, "ip %s", args);
	if (r != 0)
		pr_err("oci-hook: ip %s: %s", args, out);
	return r;
}

static int oci_hook_run(int argc, char **argv)
{
	if (argc != 2)
		die_usage("oci-hook: expected SLOT");
	int slot = (int)cli_uint("SLOT", argv[1], 1, LAB_MAX_SLOTS - 1);
	int pid = read_state_pid();
	if (pid <= 0) {
		pr_err("oci-hook: no container pid in the state on stdin");
		return 1;
	}
	char veth[16], host[16], guest[16], out[1024];
	snprintf(veth, sizeof(veth), "zwv%d", slot);
	lab_slot_host_addr(slot, host);
	lab_slot_guest_addr(slot, guest);
	/* The previous container in this slot may still be tearing down (its
	 * namespace dies asynchronously, veth included): take the name back. */
	proc_runf(out, sizeof(out), "ip link del %s", veth);
	if (ip(out, sizeof(out), "link add %s type veth peer name eth0 netns %d", veth, pid) ||
	    ip(out, sizeof(out), "addr add %s/24 dev %s", host, veth) ||
	    ip(out, sizeof(out), "link set %s up", veth))
		return 1;
	char nspath[64];
	snprintf(nspath, sizeof(nspath), "/proc/%d/ns/net", pid);
	int fd = open(nspath, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
		pr_err("oci-hook: cannot enter %s: %s", nspath, strerror(errno));
		return 1;
	}
	close(fd);
	if (ip(out, sizeof(out), "addr add %s/24 dev eth0", guest) ||
	    ip(out, sizeof(out), "link set eth0 up") ||
	    ip(out, sizeof(out), "link set lo up") ||
	    ip(out, sizeof(out), "route add default via %s", host))
		return 1;
	return 0;
}

static const struct verb oci_hook_verb = {
	.name = "oci-hook",
	.summary = "internal: OCI createRuntime hook that wires a container into the lab",
	.usage = "oci-hook SLOT   (called by the OCI runtime, state JSON on stdin)",
	.run = oci_hook_run,
	.hidden = 1,
};
VERB_REGISTER(oci_hook_verb);
