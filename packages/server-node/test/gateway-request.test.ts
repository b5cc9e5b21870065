/**
 * The start of a FastCGI or SCGI request, shared by both servers: environ from CGI variables with
 * the configuration keys (SRV-03), core's 413 in place of the application (SRV-05), the run
 * tracked until it settles (BODY-24), and the request's name in the shutdown log.
 */
import {
  checkConfigKeys,
  createErrorStream,
  type InputSource,
  RequestAbort,
  type ResponseSink,
  requestFraming,
  type Status,
} from '@tsgi/core';
import {
  type GatewayAppHost,
  gatewayEnviron,
  gatewayInput,
  inFlightTarget,
  PendingRuns,
  runGatewayRequest,
} from '@tsgi/server-node';
import { describe, expect, it } from 'vitest';

const params = { REQUEST_METHOD: 'POST', REQUEST_URI: '/up', CONTENT_LENGTH: '10' };
const errors = createErrorStream(() => {});
// The request body's source: these tests never read it.
const source: InputSource = { firstRead() {}, pause() {}, resume() {}, cancel() {} };

function host(seen: string[]): GatewayAppHost<object> {
  return {
    app: (environ, startResponse) => {
      seen.push(`app ${String(environ['my.config'])}`);
      startResponse('204 No Content', []);
      return [];
    },
    runOptions: {},
    environ: checkConfigKeys({ 'my.config': 'x' }),
    multiprocess: true,
    runs: new PendingRuns(() => 'request'),
  };
}

function sink(seen: string[]): ResponseSink {
  return {
    head: (status: Status) => void seen.push(`head ${status}`),
    write() {},
    end() {},
    abort() {},
  };
}

describe('gateway requests', () => {
  it('builds environ from the variables with the configuration keys, and runs the app', () => {
    const seen: string[] = [];
    const h = host(seen);
    const framing = requestFraming({ contentLength: '10', streamed: false, limit: 100 });
    const input = gatewayInput(framing, source, errors);
    const environ = gatewayEnviron(params, input, errors, new RequestAbort(), h, {});
    expect([environ.CONTENT_LENGTH, environ['tsgi.multiprocess'], environ['my.config']]).toEqual([
      '10',
      true,
      'x',
    ]);
    runGatewayRequest(h, {}, framing, environ, sink(seen));
    expect(seen).toEqual(['app x', 'head 204 No Content']);
    expect(inFlightTarget(environ)).toBe('POST /up');
    expect(inFlightTarget(null)).toBe('(no request yet)');
  });

  it('answers 413 without the application when the declared body is over the limit', () => {
    const seen: string[] = [];
    const h = host(seen);
    const framing = requestFraming({ contentLength: '10', streamed: false, limit: 5 });
    const input = gatewayInput(framing, source, errors);
    expect(input.ended).toBe(true); // the refused body is never the application's to read
    const environ = gatewayEnviron(params, input, errors, new RequestAbort(), h, {});
    runGatewayRequest(h, {}, framing, environ, sink(seen));
    expect(seen).toEqual(['head 413 Content Too Large']);
  });

  it('throws for variables that make no request (the server answers 400, SRV-02)', () => {
    const framing = requestFraming({ contentLength: undefined, streamed: false, limit: undefined });
    const input = gatewayInput(framing, source, errors);
    expect(() =>
      gatewayEnviron({ REQUEST_URI: '/' }, input, errors, new RequestAbort(), host([]), {}),
    ).toThrow(/REQUEST_METHOD/);
  });
});
