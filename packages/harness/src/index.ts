/**
 * Private test harness: temp dirs, free loopback ports, and real web-server daemons started in
 * the foreground with generated configs. Never listens on anything but 127.0.0.1 / ::1.
 *
 * A test that needs a tool calls `requireTool`: under `CI=true` a missing tool fails the test;
 * on a developer machine the test is skipped and the reason is printed.
 *
 * The rest of the test kit has its own entry points: `@tsgi/harness/http` (the raw HTTP/1.1
 * client and parser), `@tsgi/harness/kit` (`deferred`, the default environ), and
 * `@tsgi/harness/reuse`. Modules import from the module that defines what they need, never
 * from this index.
 * @module
 */
export * from './apache.js';
export * from './busybox.js';
export * from './cgi-process.js';
export * from './daemon.js';
export * from './lighttpd.js';
export * from './nginx.js';
export * from './recipes.js';
export * from './tls.js';
export * from './tools.js';
export * from './webserver.js';
