/* SPDX-License-Identifier: MIT */
/* libFuzzer target: what the web server parses itself (libmicrohttpd parses
 * HTTP and form bodies): Authorization headers (Bearer, Basic with base64),
 * Host, Origin and Sec-Fetch-Site headers, token files, and the --listen and --max-upload values. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web/auth.h"
#include "web/serve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char token[] = "fuzz-token-0123456789";
	const char *s = (const char *)data;
	volatile bool sink = auth_header_ok(s, size, token, sizeof(token) - 1);
	sink = auth_host_loopback(s, size, 8080, "127.0.0.2");
	sink = auth_host_loopback(s, size, 80, NULL);
	/* the input as Origin, then as Sec-Fetch-Site, against a Host */
	sink = auth_same_origin(s, size, NULL, 0, "127.0.0.1:8080", 14);
	sink = auth_same_origin(NULL, 0, s, size, "127.0.0.1:8080", 14);
	sink = auth_same_origin("http://127.0.0.1:8080", 21, NULL, 0, s, size);
	char out[AUTH_TOKEN_MAX + 1];
	if (auth_token_parse(s, size, out) && strlen(out) < AUTH_TOKEN_MIN)
		abort();
	/* the option parsers take NUL-terminated text */
	char *z = malloc(size + 1);
	if (!z)
		return 0;
	memcpy(z, data, size);
	z[size] = '\0';
	struct sockaddr_storage a;
	socklen_t len;
	bool lo;
	sink = serve_parse_listen(z, &a, &len, &lo);
	uint64_t v;
	sink = serve_parse_size(z, &v);
	(void)sink;
	free(z);
	return 0;
}
