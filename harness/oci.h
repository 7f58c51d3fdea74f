/* OCI runtime bundles: config.json generation (pure, unit-tested) and the
 * choice of runtime (crun where it really starts a container, else runc). */
#ifndef ZW_OCI_H
#define ZW_OCI_H
#include <stddef.h>
#include <sys/types.h>

struct cJSON;

struct oci_spec {
	const char *const *args;    /* process args, NULL-terminated */
	const char *hostname;
	const char *cgroups_path;   /* e.g. "/zerowatt/<id>" */
	const char *hook_path;      /* createRuntime hook binary (absolute), NULL for none */
	const char *const *hook_args; /* its argv, NULL-terminated */
	int own_netns;              /* new network namespace (joined to the lab by a veth) */
	unsigned nofile;            /* RLIMIT_NOFILE for the workload; 0 = inherit the runtime's */
};

/* Builds config.json for a read-only rootfs at "rootfs". Caller frees. */
struct cJSON *oci_config(const struct oci_spec *spec);

/* Writes <bundle>/config.json and <bundle>/rootfs with the binary copied in
 * byte for byte as /<name>. */
int oci_bundle_create(const char *bundle, const char *binary, const char *name,
		      const struct oci_spec *spec);
void oci_bundle_remove(const char *bundle);
/* Byte-for-byte copy (the workload into a bundle, a page into a docroot). */
int oci_copy_file(const char *src, const char *dst, mode_t mode);

/* The runtime to use ("crun" or "runc"), decided once per process by
 * starting a trivial container with each; NULL if neither works. why gets
 * one line per runtime tried. */
const char *oci_runtime(char *why, size_t len);
/* Runtime version string for meta.json. */
int oci_runtime_version(const char *runtime, char *out, size_t len);

#endif
