// The CGI request both build steps that make a V8 code cache run once (ADP-CGI-16): @tsgi/cgi's
// scripts/bundle-index.mjs and the CLI's scripts/cgi-code-cache.cjs. The cache holds what this
// request compiled, so both train on the same typical GET.
'use strict';
module.exports = {
  GATEWAY_INTERFACE: 'CGI/1.1',
  REQUEST_METHOD: 'GET',
  SCRIPT_NAME: '/cgi-bin/app',
  PATH_INFO: '/',
  QUERY_STRING: 'a=1',
  SERVER_NAME: '127.0.0.1',
  SERVER_PORT: '80',
  SERVER_PROTOCOL: 'HTTP/1.1',
  REMOTE_ADDR: '127.0.0.1',
};
