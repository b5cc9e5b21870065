/** Error classes named by the spec, so applications can tell them apart (ERR-05, IN-04). */

/**
 * The client went away: `tsgi.input` reads and `write()` reject with this after a disconnect
 * (ERR-05). Expected, so servers log it at most at debug level (ERR-04).
 */
export class ClientDisconnectError extends Error {
  readonly code = 'TSGI_CLIENT_DISCONNECT';
  constructor(message = 'client disconnected') {
    super(message);
    this.name = 'ClientDisconnectError';
  }
}

/** The request body ended before its declared length: never a normal EOF (IN-04). */
export class InputTruncatedError extends Error {
  readonly code = 'TSGI_INPUT_TRUNCATED';
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
  constructor(
    readonly requirement: string,
    message: string,
  ) {
    super(`${requirement}: ${message}`);
    this.name = 'ContractError';
  }
}
