/* zwcpio SPEC OUT: writes the newc archive SPEC describes (see newc.h) to OUT,
 * through a temporary file so a failed build leaves no half image. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "newc.h"

int main(int argc, char **argv)
{
	char tmp[4096], line[1024];
	struct newc w;
	FILE *spec, *out;
	int lineno = 0, rc = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: zwcpio SPEC OUT\n");
		return 2;
	}
	spec = fopen(argv[1], "r");
	if (!spec) {
		fprintf(stderr, "zwcpio: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", argv[2]);
	out = fopen(tmp, "wb");
	if (!out) {
		fprintf(stderr, "zwcpio: %s: %s\n", tmp, strerror(errno));
		return 1;
	}
	newc_init(&w, out);
	while (!rc && fgets(line, sizeof(line), spec)) {
		lineno++;
		line[strcspn(line, "\n")] = '\0';
		rc = newc_spec_line(&w, line);
		if (rc)
			fprintf(stderr, "zwcpio: %s:%d: %s: %s\n", argv[1], lineno, line,
				rc == -EINVAL ? "malformed line" : strerror(-rc));
	}
	fclose(spec);
	if (!rc) {
		rc = newc_finish(&w);
		if (rc)
			fprintf(stderr, "zwcpio: %s: %s\n", tmp, strerror(-rc));
	}
	if (fclose(out) && !rc)
		rc = -EIO;
	if (rc || rename(tmp, argv[2])) {
		unlink(tmp);
		return rc == -EINVAL ? 2 : 1;
	}
	return 0;
}
