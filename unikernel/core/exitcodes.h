/* Exit statuses the kernel itself chooses. isa-debug-exit makes QEMU exit
 * with (status << 1) | 1 and a process exit code keeps 8 bits, so only
 * statuses 0..127 reach the harness intact; the app's own status is passed
 * as status & 0x7f and these sit at the top of that range. */
#ifndef UK_EXITCODES_H
#define UK_EXITCODES_H

#define ZW_EXIT_FAULT   125   /* the app took a CPU exception */
#define ZW_EXIT_PANIC   126   /* the kernel faulted or panicked */
#define ZW_EXIT_NOAPP   124   /* no app module, or it could not be loaded */
#define ZW_EXIT_OOM     123   /* no RAM left for a page the app touched */

#endif
