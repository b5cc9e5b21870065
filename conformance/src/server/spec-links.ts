/** Where each requirement is defined in spec/, for "see ..." pointers in reports. */

const _FILES: ReadonlyArray<readonly [prefix: string, file: string]> = [
  ['ADP-NODE', '12-profile-node-http.md'],
  ['ADP-FCGI', '13-profile-fastcgi.md'],
  ['ADP-CGI', '14-profile-cgi.md'],
  ['ADP-SCGI', '18-profile-scgi.md'],
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

/** `spec/05-start-response.md#sr-05` for `SR-05`. */
export function specLink(requirement: string): string {
  const file = _FILES.find(([p]) => requirement.startsWith(`${p}-`))?.[1] ?? 'README.md';
  return `spec/${file}#${requirement.toLowerCase()}`;
}
