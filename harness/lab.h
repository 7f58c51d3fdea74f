/* The lab network: a network namespace the harness creates, enters and
 * deletes. Loads and targets meet only inside it (loopback, veth, tap), so no
 * lab traffic can leave the machine. Every object is named after the owning
 * harness pid, so the next run can find and remove what a SIGKILLed run left. */
#ifndef ZW_LAB_H
#define ZW_LAB_H
#include <sys/types.h>

#define LAB_MAX_SLOTS 250
#define LAB_STATE_ROOT "/run/zerowatt"

struct target_instance;

struct lab {
	char netns[32];          /* "zw-<pid>" */
	char state_dir[128];     /* LAB_STATE_ROOT "/<pid>" : bundles, runc root */
	pid_t owner;
	int root_netns_fd;       /* to leave the lab again */
	int entered;
	unsigned char slot_used[LAB_MAX_SLOTS];
	struct target_instance *live[LAB_MAX_SLOTS]; /* stopped on interruption */
	unsigned seq;
};

/* Removes stale state, creates the namespace, moves this process into it and
 * brings loopback up. Returns 0 or -errno with the reason logged. */
int lab_open(struct lab *lab);
/* Stops live instances, deletes the namespace and the state directory. */
void lab_close(struct lab *lab);

/* Removes what dead harness processes left: namespaces, their processes,
 * runc containers, state directories. Returns the number of stale runs. */
int lab_cleanup_stale(void);

/* Address slots: slot s uses 10.201.s.0/24, host side .1, instance side .2. */
int lab_slot_alloc(struct lab *lab);
void lab_slot_free(struct lab *lab, int slot);
void lab_slot_host_addr(int slot, char out[16]);
void lab_slot_guest_addr(int slot, char out[16]);

/* A tap device for slot s inside the lab netns, named zwt<s>, with the host
 * address; QEMU opens it by name. */
int lab_tap_create(struct lab *lab, int slot, char name[16]);
int lab_link_delete(const char *name);

void lab_register_live(struct lab *lab, struct target_instance *ti);
void lab_unregister_live(struct lab *lab, struct target_instance *ti);

/* The lab's runc state root, so stale containers are ours to find. */
const char *lab_runc_root(void);

#endif
