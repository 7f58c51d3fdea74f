/* Writes httpd's page to stdout, so another server can serve the same bytes. */
#include <stdio.h>

#include "http_response.h"

int main(void)
{
	return fwrite(http_page(), 1, HTTP_PAGE_BYTES, stdout) == HTTP_PAGE_BYTES ? 0 : 1;
}
