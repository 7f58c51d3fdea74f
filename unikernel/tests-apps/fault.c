/* Boot test: dereferences NULL, which must end in a register dump and the
 * kernel's fault status rather than a hang. */
#include <stdio.h>

int main(void)
{
	printf("about to fault\n");
	fflush(stdout);
	volatile int *p = (volatile int *)0;
	*p = 42;
	printf("still running after a NULL write\n");
	return 0;
}
