/**
 * An incremental HTTP/1.x response parser for the suite's raw-socket client: it keeps the bytes
 * exactly as received (no header folding, no decoding), handles content-length, chunked and
 * close-delimited bodies and 1xx interim responses, and says whether the body was complete, which
 * is how the suite sees an aborted response (ERR-03, BODY-09).
 */

/** One parsed response. */
export interface RawResponse {
  version: string;
  status: number;
  reason: string;
  /** Header lines as received: names keep their case, values are byte strings. */
  headers: Array<[string, string]>;
  body: Uint8Array;
  /** How the body was delimited. */
  framing: 'length' | 'chunked' | 'close' | 'none';
  /** The framing was satisfied: all content-length bytes, or the last chunk, arrived. */
  complete: boolean;
  /** Sizes of the chunks of a chunked body, in order (APP-07: never a premature 0). */
  chunkSizes: number[];
  /** Trailer fields after the last chunk (EXT-03). */
  trailers: Array<[string, string]>;
  /** 1xx responses received before this one (IN-07). */
  interim: Array<{ status: number; headers: Array<[string, string]> }>;
  /** The first value of a header (case-insensitive). */
  header(name: string): string | undefined;
  /** Every value of a header, in order. */
  headerAll(name: string): string[];
  /** The body as UTF-8. */
  text(): string;
}

type _State = 'head' | 'length' | 'size' | 'data' | 'data-crlf' | 'trailers' | 'close' | 'done';

const _CRLF = Buffer.from('\r\n');
const _HEAD_END = Buffer.from('\r\n\r\n');

/** Parses one response from bytes fed to it; `push` returns true once it is complete. */
export class ResponseParser {
  #state: _State = 'head';
  #buf: Buffer = Buffer.alloc(0);
  #remaining = 0;
  #body: Buffer[] = [];
  #bodyBytes = 0;
  readonly #noBody: boolean;
  readonly #keepBody: boolean;
  #res: Omit<RawResponse, 'body' | 'header' | 'headerAll' | 'text' | 'complete'> | undefined;
  readonly #interim: RawResponse['interim'] = [];
  readonly #chunkSizes: number[] = [];
  readonly #trailers: Array<[string, string]> = [];

  /** `head`: the request was HEAD, so no body follows whatever the headers say (BODY-12). */
  constructor(options: { head?: boolean; keepBody?: boolean } = {}) {
    this.#noBody = options.head === true;
    this.#keepBody = options.keepBody !== false;
  }

  /** Body bytes received so far. */
  get bodyBytes(): number {
    return this.#bodyBytes;
  }

  /** True once the status line and headers have been parsed. */
  get headed(): boolean {
    return this.#res !== undefined;
  }

  /** Bytes received after the end of this response (a pipelined response, or stray bytes). */
  get rest(): Buffer {
    return this.#state === 'done' ? this.#buf : Buffer.alloc(0);
  }

  /** Feeds bytes; returns true when the response is complete. */
  push(data: Uint8Array): boolean {
    this.#buf = this.#buf.length === 0 ? Buffer.from(data) : Buffer.concat([this.#buf, data]);
    for (;;) {
      const before = this.#state;
      const progressed = this.#step();
      if (this.#state === 'done') return true;
      if (!progressed && before === this.#state) return false;
    }
  }

  /** The connection closed: a close-delimited body is complete now; anything else is not. */
  finish(): RawResponse | undefined {
    if (this.#res === undefined) return undefined;
    const complete = this.#state === 'done' || this.#state === 'close';
    return this.#result(complete);
  }

  /** The response, once `push` returned true. */
  result(): RawResponse {
    return this.#result(true);
  }

  #result(complete: boolean): RawResponse {
    const r = this.#res!;
    const body = new Uint8Array(Buffer.concat(this.#body));
    const { trailers: _, ...rest } = r;
    const find = (n: string) => r.headers.filter(([k]) => k.toLowerCase() === n.toLowerCase());
    return {
      ...rest,
      body,
      complete,
      interim: this.#interim,
      chunkSizes: this.#chunkSizes,
      trailers: this.#trailers,
      header: (n) => find(n)[0]?.[1],
      headerAll: (n) => find(n).map(([, v]) => v),
      text: () => new TextDecoder().decode(body),
    };
  }

  #take(n: number): Buffer {
    const out = this.#buf.subarray(0, n);
    this.#buf = this.#buf.subarray(n);
    return out;
  }

  #line(): string | undefined {
    const i = this.#buf.indexOf(_CRLF);
    if (i < 0) return undefined;
    const line = this.#take(i).toString('latin1');
    this.#take(2);
    return line;
  }

  #addBody(bytes: Buffer): void {
    this.#bodyBytes += bytes.length;
    if (this.#keepBody) this.#body.push(Buffer.from(bytes));
  }

  /** One state transition; false when more bytes are needed. */
  #step(): boolean {
    switch (this.#state) {
      case 'head': {
        const end = this.#buf.indexOf(_HEAD_END);
        if (end < 0) return false;
        const lines = this.#take(end).toString('latin1').split('\r\n');
        this.#take(4);
        const m = /^(HTTP\/\d(?:\.\d)?) (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
        if (m === null) throw new Error(`malformed status line ${JSON.stringify(lines[0])}`);
        const headers = lines.slice(1).map((l): [string, string] => {
          const c = l.indexOf(':');
          return [l.slice(0, c), l.slice(c + 1).trim()];
        });
        const status = Number(m[2]);
        if (status >= 100 && status < 200) {
          this.#interim.push({ status, headers });
          return true;
        }
        this.#res = {
          version: m[1]!,
          status,
          reason: m[3] ?? '',
          headers,
          framing: 'none',
          chunkSizes: [],
          trailers: [],
          interim: [],
        };
        const get = (n: string) => headers.find(([k]) => k.toLowerCase() === n)?.[1];
        if (this.#noBody || status === 204 || status === 304) this.#state = 'done';
        else if (/chunked/i.test(get('transfer-encoding') ?? '')) {
          this.#res.framing = 'chunked';
          this.#state = 'size';
        } else if (get('content-length') !== undefined) {
          this.#res.framing = 'length';
          this.#remaining = Number(get('content-length'));
          this.#state = this.#remaining === 0 ? 'done' : 'length';
        } else {
          this.#res.framing = 'close';
          this.#state = 'close';
        }
        return true;
      }
      case 'length': {
        if (this.#buf.length === 0) return false;
        const part = this.#take(Math.min(this.#remaining, this.#buf.length));
        this.#addBody(part);
        this.#remaining -= part.length;
        if (this.#remaining === 0) this.#state = 'done';
        return true;
      }
      case 'size': {
        const line = this.#line();
        if (line === undefined) return false;
        const size = Number.parseInt(line.split(';')[0]!.trim(), 16);
        if (Number.isNaN(size)) throw new Error(`malformed chunk size ${JSON.stringify(line)}`);
        this.#chunkSizes.push(size);
        this.#remaining = size;
        this.#state = size === 0 ? 'trailers' : 'data';
        return true;
      }
      case 'data': {
        if (this.#buf.length === 0) return false;
        const part = this.#take(Math.min(this.#remaining, this.#buf.length));
        this.#addBody(part);
        this.#remaining -= part.length;
        if (this.#remaining === 0) this.#state = 'data-crlf';
        return true;
      }
      case 'data-crlf': {
        if (this.#buf.length < 2) return false;
        this.#take(2);
        this.#state = 'size';
        return true;
      }
      case 'trailers': {
        const line = this.#line();
        if (line === undefined) return false;
        if (line === '') this.#state = 'done';
        else {
          const c = line.indexOf(':');
          this.#trailers.push([line.slice(0, c), line.slice(c + 1).trim()]);
        }
        return true;
      }
      case 'close': {
        if (this.#buf.length === 0) return false;
        this.#addBody(this.#take(this.#buf.length));
        return true;
      }
      default:
        return false;
    }
  }
}
