/**
 * Re-export for `server/request.ts`, which is being edited elsewhere and still imports
 * `formatCgiHead` from here: delete once it imports it from `@tsgi/core`, where the CGI head is
 * formatted and parsed for both CGI and FastCGI (issue 17). New code imports `@tsgi/core`.
 */
export { formatCgiHead } from '@tsgi/core';
