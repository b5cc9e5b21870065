/** Error classes named by the spec, so applications can tell them apart (ERR-05, IN-04). */

/**
 * `instanceof` by `code`, so an error from another copy of this module still matches: `tsgi
 * cgi` runs a bundled copy of @tsgi/core (ADP-CGI-16) while the app imports the package, and
 * an app can end up with two installed versions. A subclass keeps the ordinary check.
 */
function _byCode(code: string): (value: unknown) => boolean {
  return function hasInstance(this: object, value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    // Only the class that defines the check matches by code; its subclasses stay ordinary.
    if (!Object.hasOwn(this, Symbol.hasInstance)) return false;
    return value instanceof Error && (value as { code?: unknown }).code === code;
  };
}

export class ClientDisconnectError extends Error {
  readonly code = 'TSGI_CLIENT_DISCONNECT';
  static override readonly [Symbol.hasInstance] = _byCode('TSGI_CLIENT_DISCONNECT');
  constructor(message = 'client disconnected') {
    super(message);
    this.name = 'ClientDisconnectError';
  }
}

/** The request body ended before its declared length: never a normal EOF (IN-04). */
export class InputTruncatedError extends Error {
  readonly code = 'TSGI_INPUT_TRUNCATED';
  static override readonly [Symbol.hasInstance] = _byCode('TSGI_INPUT_TRUNCATED');
  constructor(
    readonly expected: number,
    readonly received: number,
  ) {
    super(`request body truncated: got ${received} of ${expected} bytes (IN-04)`);
    this.name = 'InputTruncatedError';
  }
}

/** The request body is larger than the server accepts (IN-08); adapters answer 413. */
export class InputTooLargeError extends Error {
  readonly code = 'TSGI_INPUT_TOO_LARGE';
  static override readonly [Symbol.hasInstance] = _byCode('TSGI_INPUT_TOO_LARGE');
  constructor(readonly limit: number) {
    super(`request body exceeds ${limit} bytes (IN-08)`);
    this.name = 'InputTooLargeError';
  }
}

/**
 * An application or middleware broke the contract. `requirement` is the spec ID of the rule,
 * and the message starts with it, as Rack::Lint and wsgiref.validate messages name their rule.
 */
export class ContractError extends Error {
  readonly code = 'TSGI_CONTRACT';
  static override readonly [Symbol.hasInstance] = _byCode('TSGI_CONTRACT');
  constructor(
    readonly requirement: string,
    message: string,
  ) {
    super(`${requirement}: ${message}`);
    this.name = 'ContractError';
  }
}
