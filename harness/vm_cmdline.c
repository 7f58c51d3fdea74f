#include "vm_cmdline.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Tuned as fast-booting VMMs recommend (Firecracker's default boot args),
 * adapted to QEMU microvm under TCG and measured there (baselines/README.md).
 * Deliberately absent:
 *  - mitigations=off: the kernel's default mitigations stay, as a production
 *    guest would run; the guest's /sys/devices/system/cpu/vulnerabilities is
 *    what the CPU model QEMU presents makes of them.
 *  - i8042.nopnp / i8042.dumbkbd (Firecracker emulates a partial i8042):
 *    microvm has none, ACPI says so, and the driver gives up at once.
 *  - nomodules: zwinit loads virtio-mmio and virtio-net from the package.
 *  - acpi=off: this kernel finds virtio-mmio transports only through ACPI
 *    (CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES is not set). */
const struct vm_cmdline_tuning vm_cmdline_tuning[] = {
	{ "console=ttyS0", "the serial port is the harness's console: READY and the workload's output" },
	{ "quiet", "loglevel 4: each byte on the emulated UART costs an exit" },
	{ "reboot=k", "Firecracker's choice: a reboot resets the machine, which QEMU's -no-reboot turns into an exit" },
	{ "panic=-1", "reboot at once on a panic so QEMU exits and the harness reports the console, not a timeout" },
	{ "pci=off", "microvm has no PCI bus; do not probe for one" },
	{ "i8042.noaux", "Firecracker's choice: no PS/2 mouse probing" },
	{ "i8042.nomux", "Firecracker's choice: no PS/2 multiplexer probing" },
	{ "8250.nr_uarts=1", "register only COM1, the one UART the machine has" },
	{ "tsc=reliable", "no clocksource watchdog: there is no second clock to check the TSC against" },
	{ "no_timer_check", "skip the IO-APIC timer check, which expects the timer to tick in real time" },
	{ "cryptomgr.notests", "skip the crypto self-tests at boot (about 0.3 s under TCG)" },
	{ "rcupdate.rcu_expedited=1", "expedited RCU grace periods during boot" },
	{ NULL, NULL },
};

struct out {
	char *buf;
	size_t len, cap;
	int err;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->err)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->cap - o->len) {
		o->err = -E2BIG;
		return;
	}
	o->len += (size_t)n;
}

/* Linux splits its command line on blanks and honours double quotes, but has
 * no escape for a quote itself; zwinit parses it the same way. */
static void put_word(struct out *o, const char *w)
{
	if (strpbrk(w, "\"\n")) {
		o->err = o->err ? o->err : -EINVAL;
		return;
	}
	if (*w == '\0' || strpbrk(w, " \t"))
		put(o, " \"%s\"", w);
	else
		put(o, " %s", w);
}

static int has_word(const char *s, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = s; (p = strstr(p, word)) != NULL; p += n)
		if ((p == s || p[-1] == ' ' || p[-1] == '\t') &&
		    (p[n] == '\0' || p[n] == ' ' || p[n] == '\t'))
			return 1;
	return 0;
}

int vm_cmdline_build(const struct vm_cmdline_params *p, char *out, size_t cap)
{
	struct out o = { out, 0, cap < VM_CMDLINE_MAX ? cap : VM_CMDLINE_MAX, 0 };
	int argc = 0;

	if (cap == 0)
		return -E2BIG;
	out[0] = '\0';
	if (!p->argv || !p->argv[0] || !p->argv[0][0])
		return -EINVAL;
	while (p->argv[argc])
		argc++;
	if (argc > VM_CMDLINE_MAX_ARGS)
		return -E2BIG;

	for (const struct vm_cmdline_tuning *t = vm_cmdline_tuning; t->option; t++)
		put(&o, "%s%s", o.len ? " " : "", t->option);
	if (p->tsc_khz)
		/* Skips calibrating against the PIT, which fails when the host is
		 * busy and TCG runs the guest slowly, leaving the TSC "unstable" and
		 * the boot stuck. */
		put(&o, " tsc_early_khz=%lu", p->tsc_khz);
	if (p->extra && *p->extra) {
		/* Kept before "--": after it, words are the workload's argv. */
		if (strpbrk(p->extra, "\n\"") || has_word(p->extra, "--"))
			return -EINVAL;
		put(&o, " %s", p->extra);
	}
	if (p->guest_ip) {
		if (p->prefix_len < 1 || p->prefix_len > 32 || strpbrk(p->guest_ip, " \t\"/"))
			return -EINVAL;
		put(&o, " zw.ip=%s/%d", p->guest_ip, p->prefix_len);
	}
	if (p->gateway) {
		if (strpbrk(p->gateway, " \t\"/"))
			return -EINVAL;
		put(&o, " zw.gw=%s", p->gateway);
	}
	if (p->trace)
		put(&o, " zw.trace=1");
	put(&o, " --");
	for (int i = 0; i < argc; i++)
		put_word(&o, p->argv[i]);
	if (o.err) {
		out[0] = '\0';
		return o.err;
	}
	return (int)o.len;
}
