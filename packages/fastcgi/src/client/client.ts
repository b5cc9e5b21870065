/**
 * A FastCGI client for tests and tools: plays the web server's side over TCP or a Unix socket.
 * Sends requests (multiplexed ids, keep-conn on or off, params and stdin split at arbitrary
 * record boundaries, streamed stdin), ABORT_REQUEST, GET_VALUES, and raw bytes for malformed
 * input; collects STDOUT, STDERR and END_REQUEST.
 * @module
 */
import { connect, type Socket } from 'node:net';
import {
  concatBytes,
  decodeEndRequestBody,
  decodeGetValuesResult,
  encodeBeginRequest,
  encodeGetValues,
  encodeNameValuePairs,
  encodeRecord,
  encodeStream,
  type FastCGIRecord,
  FCGI_KEEP_CONN,
  type PairPart,
  RecordDecoder,
  RecordType,
  Role,
} from '../codec/index.js';
import {
  type ClientRequest,
  type ClientRequestOptions,
  type FastCGIResponse,
  PendingRequest,
  toBytes,
} from './client-request.js';

export type { ClientRequest, ClientRequestOptions, FastCGIResponse } from './client-request.js';

/** Where to connect. */
export type FastCGIClientAddress = { host?: string; port: number } | { path: string };

/** Options for `FastCGIClient.connect`. */
export type FastCGIClientOptions = FastCGIClientAddress & {
  /**
   * Splits every outgoing write into pieces of these sizes (cycled), written one event-loop
   * turn apart, to exercise a server's handling of records split at arbitrary byte boundaries.
   */
  splitWrites?: readonly number[];
};

/** A connection to a FastCGI application, speaking as a web server would. */
export class FastCGIClient {
  readonly socket: Socket;
  /** Management records received (request id 0): GET_VALUES_RESULT, UNKNOWN_TYPE. */
  readonly managementRecords: FastCGIRecord[] = [];
  /** Records for request ids with no request in flight (after END_REQUEST, or unknown ids). */
  readonly strayRecords: FastCGIRecord[] = [];
  /** Settles when the server closes the connection (or it fails). */
  readonly closed: Promise<void>;
  readonly #pending = new Map<number, PendingRequest>();
  readonly #decoder: RecordDecoder;
  readonly #split: readonly number[] | undefined;
  #splitAt = 0;
  #writeChain: Promise<void> = Promise.resolve();
  #mgmtWaiters: Array<(r: FastCGIRecord) => void> = [];
  #isClosed = false;
  /** Protocol error in what the server sent, if any. */
  error: Error | undefined = undefined;

  private constructor(socket: Socket, split: readonly number[] | undefined) {
    this.socket = socket;
    this.#split = split !== undefined && split.length > 0 ? split : undefined;
    this.#decoder = new RecordDecoder((type, requestId, content) =>
      this.#onRecord(type, requestId, content),
    );
    socket.on('data', (chunk: Buffer) => {
      const err = this.#decoder.push(chunk);
      if (err !== undefined) {
        this.error = err;
        socket.destroy();
      }
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.#isClosed = true;
        for (const p of this.#pending.values()) p.finish(-1, -1, false);
        this.#pending.clear();
        resolve();
      });
    });
    socket.on('error', (err) => {
      this.error ??= err;
    });
  }

  /** Connects to a FastCGI application over TCP (`{ host, port }`) or a Unix socket (`{ path }`). */
  static connect(options: FastCGIClientOptions): Promise<FastCGIClient> {
    return new Promise((resolve, reject) => {
      const socket =
        'path' in options
          ? connect({ path: options.path })
          : connect({ port: options.port, host: options.host ?? '127.0.0.1' });
      socket.setNoDelay?.(true);
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new FastCGIClient(socket, options.splitWrites));
      });
    });
  }

  /** True once the connection has closed. */
  get isClosed(): boolean {
    return this.#isClosed;
  }

  #onRecord(type: number, requestId: number, content: Uint8Array): void {
    const rec = { type, requestId, content: content.slice() };
    if (requestId === 0) {
      this.managementRecords.push(rec);
      const w = this.#mgmtWaiters.shift();
      w?.(rec);
      return;
    }
    const p = this.#pending.get(requestId);
    if (p === undefined) {
      this.strayRecords.push(rec);
      return;
    }
    if (type === RecordType.STDOUT) {
      if (rec.content.length === 0) p.stdoutEnded = true;
      else {
        p.stdout.push(rec.content);
        p.stdoutLength += rec.content.length;
        p.onStdout?.(rec.content);
      }
    } else if (type === RecordType.STDERR) {
      p.stderr.push(rec.content);
    } else if (type === RecordType.ABORT_REQUEST) {
      p.aborted = true;
    } else if (type === RecordType.END_REQUEST) {
      const { appStatus, protocolStatus } = decodeEndRequestBody(rec.content);
      this.#pending.delete(requestId);
      p.finish(appStatus, protocolStatus, true);
    } else {
      this.strayRecords.push(rec);
    }
  }

  /** Writes raw bytes (possibly malformed); resolves once the socket accepted them. */
  sendRaw(bytes: Uint8Array): Promise<void> {
    const run = async (): Promise<void> => {
      if (this.socket.destroyed || this.socket.writableEnded) return;
      if (this.#split === undefined) {
        await this.#write(bytes);
        return;
      }
      for (let i = 0; i < bytes.length; ) {
        const n = Math.max(1, this.#split[this.#splitAt++ % this.#split.length]!);
        await this.#write(bytes.subarray(i, i + n));
        i += n;
        await new Promise((r) => setImmediate(r));
      }
    };
    this.#writeChain = this.#writeChain.then(run, run);
    return this.#writeChain;
  }

  #write(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) {
        resolve();
        return;
      }
      this.socket.write(bytes, () => resolve());
    });
  }

  /** Sends one record. */
  sendRecord(
    type: number,
    requestId: number,
    content?: Uint8Array,
    options?: { pad?: boolean },
  ): Promise<void> {
    return this.sendRaw(encodeRecord(type, requestId, content, options));
  }

  /** The lowest request id not in flight. */
  nextRequestId(): number {
    let id = 1;
    while (this.#pending.has(id)) id++;
    return id;
  }

  /**
   * Starts a request: BEGIN_REQUEST and the PARAMS stream are sent; the body is then written
   * with `write`/`end` on the returned handle.
   */
  begin(options: ClientRequestOptions): ClientRequest {
    const id = options.requestId ?? this.nextRequestId();
    if (this.#pending.has(id)) throw new Error(`request id ${id} is already in flight`);
    const p = new PendingRequest(this, id, options.stdinRecordSize ?? 0xfff8);
    this.#pending.set(id, p);
    if (this.#isClosed) p.finish(-1, -1, false);
    const pairs = Array.isArray(options.params)
      ? (options.params as ReadonlyArray<readonly [PairPart, PairPart]>)
      : Object.entries(options.params as Record<string, string>);
    const flags = options.keepConn === false ? 0 : FCGI_KEEP_CONN;
    const begin = encodeBeginRequest(id, options.role ?? Role.RESPONDER, flags);
    const params = encodeStream(RecordType.PARAMS, id, encodeNameValuePairs(pairs), {
      maxContentLength: options.paramsRecordSize ?? 0xfff8,
      terminate: true,
    });
    void this.sendRaw(concatBytes([begin, params]));
    return p;
  }

  /** Sends a whole request (params, then stdin and its end) and resolves with the response. */
  async request(
    options: ClientRequestOptions & { stdin?: Uint8Array | string },
  ): Promise<FastCGIResponse> {
    const req = this.begin(options);
    const body = options.stdin === undefined ? undefined : toBytes(options.stdin);
    if (body !== undefined && body.length > 0) void req.write(body);
    void req.end();
    return req.response;
  }

  /** Sends GET_VALUES for `names` and resolves with the GET_VALUES_RESULT pairs. */
  async getValues(names: readonly string[]): Promise<Map<string, string>> {
    const rec = this.nextManagementRecord();
    await this.sendRaw(encodeGetValues(names));
    const r = await rec;
    if (r.type !== RecordType.GET_VALUES_RESULT)
      throw new Error(`expected GET_VALUES_RESULT, got record type ${r.type}`);
    return decodeGetValuesResult(r.content);
  }

  /** Resolves with the next management record; rejects if the connection closes first. */
  nextManagementRecord(): Promise<FastCGIRecord> {
    return new Promise((resolve, reject) => {
      this.#mgmtWaiters.push(resolve);
      void this.closed.then(() =>
        reject(new Error('connection closed before a management record arrived')),
      );
    });
  }

  /** Half-closes (sends FIN) and resolves when the server has closed too. */
  async close(): Promise<void> {
    await this.#writeChain;
    this.socket.end();
    await this.closed;
  }

  /** Closes the connection at once (as a web server does when its client goes away). */
  destroy(): void {
    this.socket.destroy();
  }
}
