/** `mount(prefix, app)`: the spec's mount middleware (MW-08, ENV-04). */
import { ContractError } from './errors.js';
import type { Application, Environ } from './types.js';

const _NOT_FOUND = new TextEncoder().encode('Not Found\n');

/**
 * Runs `app` for requests under `prefix`, moving the prefix from PATH_INFO to SCRIPT_NAME
 * (ENV-04: SCRIPT_NAME comes from deployment configuration, never from a request header).
 * Other paths get 404. `prefix` is a byte string such as `/api`; a trailing `/` is ignored.
 */
export function mount(prefix: string, app: Application): Application {
  const p = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  if (p !== '' && p.charCodeAt(0) !== 0x2f)
    throw new ContractError('ENV-04', `mount prefix ${JSON.stringify(prefix)} must start with "/"`);
  return (environ, startResponse) => {
    const path = environ.PATH_INFO;
    if (p !== '' && !(path === p || (path.startsWith(p) && path.charCodeAt(p.length) === 0x2f))) {
      startResponse('404 Not Found', [
        ['content-type', 'text/plain; charset=utf-8'],
        ['content-length', String(_NOT_FOUND.length)],
      ]);
      return [_NOT_FOUND];
    }
    // MW-08: a shallow copy, so the outer layers keep seeing the unmounted paths.
    const inner: Environ = {
      ...environ,
      SCRIPT_NAME: environ.SCRIPT_NAME + p,
      PATH_INFO: path.slice(p.length),
    };
    return app(inner, startResponse);
  };
}
