import {
  ClientDisconnectError,
  ContractError,
  InputTooLargeError,
  InputTruncatedError,
} from '@tsgi/core';
import { describe, expect, it } from 'vitest';

describe('error classes across copies of @tsgi/core (ERR-05, IN-04, IN-08)', () => {
  it('instanceof matches an error from another copy of the module, by code', async () => {
    // A second module instance, as `tsgi cgi`'s bundled request path has (ADP-CGI-16).
    const second = '../src/errors.ts?second-copy'; // vite loads a query as another module
    const copy = (await import(/* @vite-ignore */ second)) as typeof import('../src/errors.js');
    expect(copy.ClientDisconnectError).not.toBe(ClientDisconnectError);
    expect(new copy.ClientDisconnectError()).toBeInstanceOf(ClientDisconnectError);
    expect(new InputTruncatedError(2, 1)).toBeInstanceOf(copy.InputTruncatedError);
    expect(new copy.InputTooLargeError(1)).toBeInstanceOf(InputTooLargeError);
    expect(new copy.ContractError('SR-02', 'x')).toBeInstanceOf(ContractError);
  });

  it('different classes and plain errors still do not match', () => {
    expect(new ClientDisconnectError()).not.toBeInstanceOf(InputTruncatedError);
    expect(new Error('x')).not.toBeInstanceOf(ContractError);
    const lookalike = { code: 'TSGI_CLIENT_DISCONNECT' };
    expect(lookalike).not.toBeInstanceOf(ClientDisconnectError);
  });

  it('a subclass keeps the ordinary check', () => {
    class Gone extends ClientDisconnectError {}
    expect(new Gone()).toBeInstanceOf(ClientDisconnectError);
    expect(new ClientDisconnectError()).not.toBeInstanceOf(Gone);
  });
});
