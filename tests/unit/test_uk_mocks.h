/* Host stand-ins for the unikernel core's hardware-facing services, so the
 * core's portable parts (syscall table, fd table, loader) run under cmocka. */
#ifndef TEST_UK_MOCKS_H
#define TEST_UK_MOCKS_H
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

/* Everything written to the console since the last reset. */
extern char mock_console[65536];
extern size_t mock_console_len;
void mock_console_reset(void);

/* machine_exit longjmps here with status + 1 when mock_exit_armed. */
extern jmp_buf mock_exit_jmp;
extern int mock_exit_armed;

extern uint64_t mock_time_ns, mock_realtime_ns;
/* The deadline the last wait_event was given. */
extern uint64_t mock_last_wait_deadline;
extern uint64_t mock_fs_base;

/* appmem stand-in: records calls. */
extern uint64_t mock_brk;

/* The last call into the demand-paged window (vmem.h). */
struct mock_vmem_call {
	const char *op;
	uint64_t addr;
	size_t len;
	int prot_none, fixed, noreplace;
};
extern struct mock_vmem_call mock_vmem_last;
/* file_notify() calls (readiness changes). */
extern int mock_notifications;

#endif
