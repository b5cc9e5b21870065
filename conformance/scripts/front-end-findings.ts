/**
 * What each web server in front of an adapter does that the adapter cannot undo, as observed by
 * `pnpm conformance:matrix` on Debian 12 (nginx 1.22, Apache 2.4, lighttpd 1.4, busybox 1.35),
 * for FastCGI, SCGI and CGI.
 * In the manner of WPT expectation files: a listed case that fails is reported as the front
 * end's finding, with the reason; a failure not listed here fails the matrix. A listed case
 * that the profile now relaxes (ADP-FCGI-22, ADP-CGI-17: ENV-07, ENV-14, SRV-02, SR-12, ...) is
 * reported relaxed, and its entry says which front end and why. The deployers' guide publishes
 * the same list.
 */

const APACHE_MERGE =
  'Apache merges repeated response header lines (other than Set-Cookie) into one, comma-joined';
const APACHE_HEAD = 'Apache drops content-length from responses to HEAD';
const APACHE_CLTE = 'Apache accepts a request with both Content-Length and Transfer-Encoding';
const LIMITS_400 =
  'the web server answers an over-large header section itself, with its own status';
const FCGI_APACHE_ABORT =
  'mod_proxy_fcgi keeps the client connection open after the backend aborts a response';
const FCGI_APACHE_GONE = 'mod_proxy_fcgi tells the backend nothing when the client disconnects';
const LIGHTTPD_PATH = 'lighttpd answers 400 to a path containing %FF before running the program';
const LIGHTTPD_QUERY = 'lighttpd decodes %41 in the query string';
const LIGHTTPD_CL0 = 'lighttpd sends CONTENT_LENGTH=0 on a GET without a body';
const LIGHTTPD_EMPTY = 'lighttpd drops request headers with empty values';
const UNDERSCORE =
  'the web server passes header names containing "_", so X_Auth_User and X-Auth-User collide (ENV-14 spoofing)';
const LIGHTTPD_ABORT =
  'lighttpd may end a response aborted after its headers cleanly, depending on timing';
const LIGHTTPD_GONE = 'lighttpd does not close the FastCGI connection when the client disconnects';
const LIGHTTPD_REASON =
  'lighttpd writes its own reason phrase for the status code ("201 Created"), not the application\'s';
const DROPS_304_LENGTH =
  'the web server drops the content-length an application sets on a 304 (BODY-21 allows it)';
const APACHE_205 =
  'Apache drops the content-length: 0 the adapter adds to a 205, and frames it itself';
const LIGHTTPD_UPGRADE = 'lighttpd drops the Upgrade header of a 426 response';
const CGI_NORMALISED =
  'the web server removes dot-segments and merges repeated slashes before it runs the program (PATH_INFO /__tsgi/env/a/b/d)';

// Node compatibility layers (issue 18): @tsgi/node on the runtime's own node:http.
const COMPAT_VERSION =
  "the runtime's node:http answers an unsupported HTTP version with 400 before the adapter sees it";

const SCGI_NGINX_BUFFERED =
  'nginx buffers the request body before it connects (scgi_request_buffering off is not usable: nginx 1.22 then declares a short CONTENT_LENGTH, ADP-SCGI-10), so a request whose client leaves mid-body never reaches the adapter';
const SCGI_APACHE_ABORT =
  'mod_proxy_scgi keeps the client connection open after the backend resets an aborted response';
const SCGI_APACHE_GONE = 'mod_proxy_scgi tells the backend nothing when the client disconnects';
const SCGI_APACHE_411 =
  'mod_proxy_scgi answers a chunked request body 411 Length Required itself (SCGI needs CONTENT_LENGTH first)';
const SCGI_LIGHTTPD_GONE =
  'lighttpd does not close the SCGI connection when the client disconnects';

// HTTP/2 (issue 20): each case crosses the HTTP/1.1-to-HTTP/2 gateway (tls-gateways.ts) to
// @tsgi/node; what HTTP/2 itself cannot carry is the node profile's rule (ADP-NODE-16, -17, -19).
const H2_LOWER =
  'HTTP/2 field names are lower case (RFC 9113 §8.2.1), and the gateway (node:http2 client, node 20) sends the fields grouped by name: tsgi.raw_headers keeps the lines as HTTP/2 delivered them (ADP-NODE-16)';
const H2_REASON = 'HTTP/2 has no reason phrase (RFC 9113 §8.3.2; ADP-NODE-17, SR-16 allows it)';
const H2_GATEWAY_PARSER =
  "the gateway's node:http parser accepts this request line, and the request reaches HTTP/2, where the version is the connection's and SRV-16 does not arise (ADP-NODE-19)";
const H2_NO_UPGRADE =
  'the gateway carries the opening handshake as an HTTP/2 request, and HTTP/2 has no Upgrade (RFC 9113 §8.2.2; RFC 8441 extended CONNECT is not offered), so the application sees requested false (WS-01, ADP-NODE-20)';
const H2_MALFORMED =
  'not expressible in HTTP/2: the node:http2 client (nghttp2) refuses to send it as a malformed request (RFC 9113 §8.3.1), so the stream is reset rather than answered 400 (ADP-NODE-19)';

/** Config name → case ID → why the front end makes it fail. */
export const FRONT_END_FINDINGS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'node:http2 (TLS)': {
    'environ/server-protocol':
      'the request crossed HTTP/2: SERVER_PROTOCOL is HTTP/2 (ADP-NODE-16)',
    'environ/raw-headers-lossless': H2_LOWER,
    'node/environ': H2_LOWER,
    'response/reason-phrase': H2_REASON,
    'response/reason-phrase-bytes': H2_REASON,
    'response/upgrade-426':
      'upgrade is a connection-specific field, never sent on HTTP/2 (RFC 9113 §8.2.2; ADP-NODE-17)',
    'request/absolute-form':
      'HTTP/2 has no absolute-form: the gateway sends the target as :scheme, :authority and :path (RFC 9113 §8.3.1), so REQUEST_URI is the path (ADP-NODE-16)',
    'request/host-invalid': H2_MALFORMED,
    'request/target-form': H2_MALFORMED,
    'request/version': H2_GATEWAY_PARSER,
    'request/http09': H2_GATEWAY_PARSER,
    'websocket/refused-handshake': H2_NO_UPGRADE,
    'websocket/echo': H2_NO_UPGRADE,
    'websocket/errors': H2_NO_UPGRADE,
    'websocket/signal': H2_NO_UPGRADE,
  },
  'node:https (HTTP/1.1 by ALPN)': {
    'server/header-limits':
      "the TLS pipe forwards the suite's 128 KiB header in pieces; the server answers 431 and closes, its reset reaches the pipe while it still writes, and node destroys the pipe's TLS socket on that write error before reading the 431 that arrived (a TLS client that has sent its request gets the 431: packages/node/test/http2.test.ts, SRV-07)",
  },
  'Bun (node-compat)': {
    'request/version': COMPAT_VERSION,
    'request/content-length-repeated':
      "Bun's node:http joins two equal Content-Length lines and passes the request on",
    'response/reason-phrase-bytes':
      "Bun's node:http writes the reason phrase as UTF-8, not one octet per code unit",
  },
  'Deno (node-compat)': {
    'request/version': COMPAT_VERSION,
  },
  'FastCGI + nginx': {
    'environ/header-mapping': 'nginx passes HTTP_HOST without the port the client sent',
    'server/header-limits': LIMITS_400,
  },
  'FastCGI + Apache': {
    'response/repeated-headers': APACHE_MERGE,
    'response/headers-copied': APACHE_MERGE,
    'body/head': APACHE_HEAD,
    'server/malformed-requests': APACHE_CLTE,
    'server/header-limits': LIMITS_400,
    'excinfo/after-headers': FCGI_APACHE_ABORT,
    'errors/after-headers': FCGI_APACHE_ABORT,
    'body/content-length-underrun': FCGI_APACHE_ABORT,
    'errors/disconnect-idle': FCGI_APACHE_GONE,
    'errors/disconnect-signal': FCGI_APACHE_GONE,
    'errors/signal-reason': FCGI_APACHE_GONE,
    'body/no-added-length': DROPS_304_LENGTH,
  },
  'FastCGI + lighttpd': {
    'response/reason-phrase': LIGHTTPD_REASON,
    'environ/path-bytes': LIGHTTPD_PATH,
    'environ/query-string': LIGHTTPD_QUERY,
    'environ/content-headers': LIGHTTPD_CL0,
    'environ/header-mapping': LIGHTTPD_EMPTY,
    'environ/underscore-headers': UNDERSCORE,
    'excinfo/after-headers': LIGHTTPD_ABORT,
    'errors/after-headers': LIGHTTPD_ABORT,
    'errors/disconnect-idle': LIGHTTPD_GONE,
    'errors/disconnect-signal': LIGHTTPD_GONE,
    'errors/signal-reason': LIGHTTPD_GONE,
    'body/no-added-length': DROPS_304_LENGTH,
    'response/upgrade-426': LIGHTTPD_UPGRADE,
  },
  'SCGI + nginx': {
    'environ/header-mapping': 'nginx passes HTTP_HOST without the port the client sent',
    'server/header-limits': LIMITS_400,
    'errors/read-after-disconnect': SCGI_NGINX_BUFFERED,
    'input/complete-then-disconnect': SCGI_NGINX_BUFFERED,
  },
  'SCGI + Apache': {
    'response/repeated-headers': APACHE_MERGE,
    'response/headers-copied': APACHE_MERGE,
    'body/head': APACHE_HEAD,
    'input/chunked': SCGI_APACHE_411,
    'server/header-limits': LIMITS_400,
    'excinfo/after-headers': SCGI_APACHE_ABORT,
    'errors/after-headers': SCGI_APACHE_ABORT,
    'body/content-length-underrun': SCGI_APACHE_ABORT,
    'errors/disconnect-idle': SCGI_APACHE_GONE,
    'errors/disconnect-signal': SCGI_APACHE_GONE,
    'errors/signal-reason': SCGI_APACHE_GONE,
    'errors/read-after-disconnect': SCGI_APACHE_GONE,
    'body/no-added-length': DROPS_304_LENGTH,
    'body/reset-content': APACHE_205,
  },
  'SCGI + lighttpd': {
    'environ/path-bytes': LIGHTTPD_PATH,
    'environ/query-string': LIGHTTPD_QUERY,
    'environ/header-mapping': LIGHTTPD_EMPTY,
    'errors/disconnect-idle': SCGI_LIGHTTPD_GONE,
    'errors/disconnect-signal': SCGI_LIGHTTPD_GONE,
    'errors/signal-reason': SCGI_LIGHTTPD_GONE,
    'errors/read-after-disconnect': SCGI_LIGHTTPD_GONE,
    'body/no-added-length': DROPS_304_LENGTH,
    'response/upgrade-426': LIGHTTPD_UPGRADE,
  },
  'CGI + Apache': {
    'environ/no-normalisation': CGI_NORMALISED,
    'response/repeated-headers': APACHE_MERGE,
    'response/headers-copied': APACHE_MERGE,
    'body/head': APACHE_HEAD,
    'server/malformed-requests': APACHE_CLTE,
    'server/header-limits': LIMITS_400,
    'body/no-added-length': DROPS_304_LENGTH,
    'body/reset-content': APACHE_205,
  },
  'CGI + lighttpd': {
    'environ/no-normalisation': CGI_NORMALISED,
    'response/reason-phrase': LIGHTTPD_REASON,
    'environ/path-bytes': LIGHTTPD_PATH,
    'environ/query-string': LIGHTTPD_QUERY,
    'environ/content-headers': LIGHTTPD_CL0,
    'environ/header-mapping': LIGHTTPD_EMPTY,
    'environ/underscore-headers': UNDERSCORE,
    'body/no-added-length': DROPS_304_LENGTH,
  },
  'CGI + busybox httpd': {
    'environ/no-normalisation': CGI_NORMALISED,
    'environ/request-uri':
      'busybox httpd passes REQUEST_URI percent-decoded; the adapter rebuilds it (ADP-CGI-15) but cannot recover which octets were encoded',
    'environ/server-protocol': 'busybox httpd reports every request as HTTP/1.1',
    'environ/repeated-headers': 'busybox httpd keeps only the last of repeated request headers',
    'environ/cookie-join': 'busybox httpd keeps only the last Cookie header',
    'environ/underscore-headers': UNDERSCORE,
    'input/chunked':
      'busybox httpd passes a chunked body raw without CONTENT_LENGTH; the adapter answers 411 (ADP-CGI-14)',
    'response/date': 'busybox httpd adds no Date header to CGI responses',
    'server/malformed-requests':
      'busybox httpd accepts a request with both Content-Length and Transfer-Encoding',
    'server/header-limits': 'busybox httpd accepts header sections of 128 KiB',
  },
};
