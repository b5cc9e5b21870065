/**
 * Where each requirement is defined, for "see ..." pointers in reports: its anchor on the docs
 * site (`pnpm docs:build` builds `spec/NN-name.html#id` from `spec/NN-name.md`), not a path in
 * the repository, which an npm install does not have (issue 24).
 */

/**
 * The one place the docs site's address is set: every link the suite prints starts with it.
 * Empty until the site is published, so links are site-relative (`spec/07-response-body.html#body-09`
 * on the built site); `TSGI_DOCS_URL` overrides it (e.g. `http://127.0.0.1:8080/` for `pnpm
 * docs:serve`).
 */
export const DOCS_BASE_URL = '';

/** {@link DOCS_BASE_URL}, or `TSGI_DOCS_URL` when set, ending in `/` when not empty. */
export function docsBaseUrl(): string {
  const base = process.env.TSGI_DOCS_URL ?? DOCS_BASE_URL;
  return base === '' || base.endsWith('/') ? base : `${base}/`;
}

const _FILES: ReadonlyArray<readonly [prefix: string, file: string]> = [
  ['ADP-NODE', '12-profile-node-http.md'],
  ['ADP-FCGI', '13-profile-fastcgi.md'],
  ['ADP-CGI', '14-profile-cgi.md'],
  ['ADP-SCGI', '18-profile-scgi.md'],
  ['ADP-FETCH', '19-profile-fetch.md'],
  ['APP', '01-application.md'],
  ['ENV', '02-environ.md'],
  ['IN', '03-input.md'],
  ['ERRS', '04-errors-stream.md'],
  ['SR', '05-start-response.md'],
  ['WR', '06-write.md'],
  ['BODY', '07-response-body.md'],
  ['MW', '08-middleware.md'],
  ['ERR', '09-errors.md'],
  ['EXT', '10-extensions.md'],
  ['SRV', '11-server-duties.md'],
];

/** `<docs>/spec/05-start-response.html#sr-05` for `SR-05`. */
export function specLink(requirement: string): string {
  const file = _FILES.find(([p]) => requirement.startsWith(`${p}-`))?.[1];
  const page = file === undefined ? 'spec/index.html' : `spec/${file.replace(/\.md$/, '.html')}`;
  return `${docsBaseUrl()}${page}${file === undefined ? '' : `#${requirement.toLowerCase()}`}`;
}
