/* Is KVM usable for timing? A fixed dec/jnz loop runs inside a tiny KVM
 * guest and natively; on nested hosts the guest is thousands of times slower,
 * and timing results from it would measure the nesting, not the platform. */
#ifndef ZW_KVMCHECK_H
#define ZW_KVMCHECK_H
#include <stddef.h>

#define KVM_TIMING_MAX_RATIO 10.0

enum kvm_verdict { KVM_ABSENT, KVM_BROKEN, KVM_SLOW, KVM_OK };

struct kvm_check {
	enum kvm_verdict verdict;
	double native_ns_per_iter;
	double guest_ns_per_iter;
	double ratio;             /* guest / native */
	char why[256];
};

/* Runs once per process and caches the answer. */
const struct kvm_check *kvm_timing_check(void);

#endif
