import { decodeUnknownTypeBody, ProtocolStatus, RecordType, Role } from '@tsgi/fastcgi/codec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cgi, cgiParams, environApp, startServer, type TestServer } from './_helpers.js';

const enc = new TextEncoder();

describe('FastCGI responder over the TypeScript client', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startServer(environApp, {
      environ: { 'deploy.name': 'test' },
    });
  });
  afterAll(() => srv.close());

  it('ADP-FCGI-01, ADP-FCGI-15, ADP-FCGI-11: PARAMS become environ, STDIN the body, STDOUT is CGI syntax, END_REQUEST is REQUEST_COMPLETE', async () => {
    const c = await srv.client();
    const res = await c.request({
      params: cgiParams({
        REQUEST_METHOD: 'POST',
        CONTENT_LENGTH: '5',
        REQUEST_URI: '/x?y=1',
        QUERY_STRING: 'y=1',
      }),
      stdin: 'hello',
    });
    expect(res.complete).toBe(true);
    expect(res.stdoutEnded).toBe(true);
    expect(res.appStatus).toBe(0);
    expect(res.protocolStatus).toBe(ProtocolStatus.REQUEST_COMPLETE);
    expect(Buffer.from(res.stdout).toString('latin1')).toMatch(
      /^Status: 200 OK\r\ncontent-type: application\/json\r\n/,
    );
    const { vars, bodyLength } = JSON.parse(cgi(res).text);
    expect(bodyLength).toBe(5);
    expect(vars.REQUEST_METHOD).toBe('POST');
    expect(vars.QUERY_STRING).toBe('y=1');
    expect(vars.CONTENT_LENGTH).toBe('5');
    expect(vars.CONTENT_TYPE).toBeUndefined(); // ENV-09: empty CONTENT_TYPE is dropped
    expect(vars['deploy.name']).toBe('test'); // SRV-03 configuration keys
    await c.close();
  });

  it('ADP-FCGI-12, ENV-13, ENV-27: repeated HTTP_* params are joined (Cookie with "; "), other repeats: the last wins; no HTTP_PROXY', async () => {
    const c = await srv.client();
    const res = await c.request({
      params: [
        ...Object.entries(cgiParams()),
        ['HTTP_X_DUP', '1'],
        ['HTTP_X_DUP', '2'],
        ['HTTP_COOKIE', 'a=1'],
        ['HTTP_COOKIE', 'b=2'],
        ['SERVER_NAME', 'first'],
        ['SERVER_NAME', 'second'],
        ['HTTP_PROXY', 'http://evil.example'],
      ],
    });
    const { vars } = JSON.parse(cgi(res).text);
    expect(vars.HTTP_X_DUP).toBe('1, 2');
    expect(vars.HTTP_COOKIE).toBe('a=1; b=2');
    expect(vars.SERVER_NAME).toBe('second');
    expect(vars.HTTP_PROXY).toBeUndefined();
    await c.close();
  });

  it('ADP-FCGI-10, ENV-06: pairs split across PARAMS records and records split at odd byte boundaries decode the same', async () => {
    const c = await srv.client({ splitWrites: [1, 3, 7, 2, 13] });
    const long = 'v'.repeat(300);
    const res = await c.request({
      params: cgiParams({ HTTP_X_LONG: long, PATH_INFO: '/caf\u00e9', SCRIPT_NAME: '' }),
      paramsRecordSize: 5,
      stdin: 'x'.repeat(100),
      stdinRecordSize: 9,
    });
    const { vars, bodyLength } = JSON.parse(cgi(res).text);
    expect(vars.HTTP_X_LONG).toBe(long);
    expect(vars.PATH_INFO).toBe('/caf\u00e9');
    expect(bodyLength).toBe(100);
    await c.close();
  });

  it('ADP-FCGI-06: GET_VALUES answers FCGI_MAX_CONNS, FCGI_MAX_REQS, FCGI_MPXS_CONNS and only the names it knows', async () => {
    const c = await srv.client();
    const values = await c.getValues([
      'FCGI_MAX_CONNS',
      'FCGI_MAX_REQS',
      'FCGI_MPXS_CONNS',
      'NOT_A_VARIABLE',
    ]);
    expect(Object.fromEntries(values)).toEqual({
      FCGI_MAX_CONNS: '1024',
      FCGI_MAX_REQS: '4096',
      FCGI_MPXS_CONNS: '1',
    });
    // At any time, even in the middle of a request (spec §4.1).
    const req = c.begin({ params: cgiParams({ REQUEST_METHOD: 'POST', CONTENT_LENGTH: '2' }) });
    await req.write('a');
    expect((await c.getValues(['FCGI_MPXS_CONNS'])).get('FCGI_MPXS_CONNS')).toBe('1');
    expect((await c.getValues(['ONLY_UNKNOWN_NAMES'])).size).toBe(0); // an empty result, still sent
    await req.write('b');
    await req.end();
    expect(JSON.parse(cgi(await req.response).text).bodyLength).toBe(2);
    await c.close();
  });

  it('ADP-FCGI-07: an unknown management record type gets UNKNOWN_TYPE, and the connection stays usable', async () => {
    const c = await srv.client();
    const next = c.nextManagementRecord();
    await c.sendRecord(42, 0, new Uint8Array(3));
    const rec = await next;
    expect(rec.type).toBe(RecordType.UNKNOWN_TYPE);
    expect(rec.content.length).toBe(8);
    expect(decodeUnknownTypeBody(rec.content).type).toBe(42);
    const res = await c.request({ params: cgiParams() });
    expect(cgi(res).status).toBe(200);
    await c.close();
  });

  it('ADP-FCGI-05: AUTHORIZER and FILTER roles get END_REQUEST UNKNOWN_ROLE, not a closed connection', async () => {
    const c = await srv.client();
    for (const role of [Role.AUTHORIZER, Role.FILTER, 99]) {
      const res = await c.request({ params: cgiParams(), role });
      expect(res.complete).toBe(true);
      expect(res.protocolStatus).toBe(ProtocolStatus.UNKNOWN_ROLE);
      expect(res.stdout.length).toBe(0);
    }
    expect(cgi(await c.request({ params: cgiParams() })).status).toBe(200);
    await c.close();
  });

  it('ADP-FCGI-02: FCGI_KEEP_CONN set keeps the connection for the next request; unset closes it after END_REQUEST', async () => {
    const c = await srv.client();
    await c.request({ params: cgiParams() });
    await c.request({ params: cgiParams() });
    expect(c.isClosed).toBe(false);
    const res = await c.request({ params: cgiParams(), keepConn: false });
    expect(res.complete).toBe(true);
    await c.closed; // the application closes it (spec §5.1)
    expect(c.isClosed).toBe(true);
  });

  it('ADP-FCGI-19, ADP-FCGI-07: records for inactive request ids and DATA records are ignored (spec §3.3)', async () => {
    const c = await srv.client();
    await c.sendRecord(RecordType.STDIN, 77, enc.encode('stray'));
    await c.sendRecord(RecordType.PARAMS, 78, new Uint8Array([1, 1, 65, 66]));
    await c.sendRecord(RecordType.ABORT_REQUEST, 79);
    const req = c.begin({ params: cgiParams() });
    await c.sendRecord(RecordType.DATA, req.id, enc.encode('filter data'));
    await req.end();
    expect(cgi(await req.response).status).toBe(200);
    await c.close();
  });
});
