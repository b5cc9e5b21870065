/**
 * A side-effect module: `import '@tsgi/cgi/strip-proxy'` as the first import of a CGI script
 * deletes `HTTP_PROXY` from `process.env` (httpoxy, ENV-27) before the modules imported after
 * it (the application) are evaluated. ES modules run in import order, depth first.
 * @module
 */
delete process.env.HTTP_PROXY;

export {};
