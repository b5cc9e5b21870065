#!/bin/sh
# cgi-bin/app (chmod 755): the web server runs this once per request. Absolute paths only:
# servers give CGI programs a minimal environment (lighttpd no PATH at all). No "$@": Apache
# turns a query string without "=" into arguments.
exec /usr/local/bin/tsgi cgi /srv/tsgi/app.mjs
