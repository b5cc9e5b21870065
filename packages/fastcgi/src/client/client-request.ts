/** One request as the FastCGI client sees it: options, the collected response, the in-flight handle. */
import {
  concatBytes,
  encodeRecord,
  encodeStream,
  type PairPart,
  RecordType,
} from '../codec/index.js';

/** What one request produced. */
export interface FastCGIResponse {
  requestId: number;
  /** Concatenated STDOUT content: the CGI response. */
  stdout: Uint8Array;
  /** The content of each non-empty STDOUT record, as received. */
  stdoutRecords: Uint8Array[];
  /** Concatenated STDERR content. */
  stderr: Uint8Array;
  /** True when the empty STDOUT record that ends the stream arrived. */
  stdoutEnded: boolean;
  /** True when END_REQUEST arrived; false when the connection closed first. */
  complete: boolean;
  /**
   * True when the application sent FCGI_ABORT_REQUEST for this request: how `@tsgi/fastcgi`
   * marks a response it had to abort before closing the connection (ADP-FCGI-16).
   */
  abortedByApplication: boolean;
  /** END_REQUEST `appStatus` (-1 when incomplete). */
  appStatus: number;
  /** END_REQUEST `protocolStatus` (-1 when incomplete). */
  protocolStatus: number;
}

/** Options for one request. */
export interface ClientRequestOptions {
  /** CGI variables, as a record or as ordered pairs (repeats allowed). */
  params: Readonly<Record<string, string>> | ReadonlyArray<readonly [PairPart, PairPart]>;
  /** Request id; default: the lowest id not in use on this connection. */
  requestId?: number;
  /** FCGI_KEEP_CONN; default true. */
  keepConn?: boolean;
  /** Role; default RESPONDER. */
  role?: number;
  /** Largest PARAMS record content; small values split pairs across records. Default 65528. */
  paramsRecordSize?: number;
  /** Largest STDIN record content. Default 65528. */
  stdinRecordSize?: number;
}

/** A request in flight, for streamed stdin, aborts and incremental stdout. */
export interface ClientRequest {
  readonly id: number;
  /** Sends body bytes as STDIN records; resolves when the socket accepted them. */
  write(chunk: Uint8Array | string): Promise<void>;
  /** Sends the empty STDIN record that ends the body. */
  end(): Promise<void>;
  /** Sends FCGI_ABORT_REQUEST. */
  abort(): Promise<void>;
  /** STDOUT bytes received so far. */
  readonly stdoutLength: number;
  /** Called with each STDOUT record's content as it arrives. */
  onStdout: ((chunk: Uint8Array) => void) | undefined;
  /** Settles when END_REQUEST arrives or the connection closes. */
  readonly response: Promise<FastCGIResponse>;
}

const _text = new TextEncoder();

/** A string (UTF-8) or bytes as bytes. */
export function toBytes(b: Uint8Array | string): Uint8Array {
  return typeof b === 'string' ? _text.encode(b) : b;
}

/** @internal The client's bookkeeping for one request. */
export class PendingRequest implements ClientRequest {
  readonly id: number;
  readonly #client: { sendRaw(bytes: Uint8Array): Promise<void> };
  readonly #stdinSize: number;
  stdout: Uint8Array[] = [];
  stderr: Uint8Array[] = [];
  stdoutLength = 0;
  stdoutEnded = false;
  aborted = false;
  onStdout: ((chunk: Uint8Array) => void) | undefined = undefined;
  readonly response: Promise<FastCGIResponse>;
  resolve!: (r: FastCGIResponse) => void;

  constructor(
    client: { sendRaw(bytes: Uint8Array): Promise<void> },
    id: number,
    stdinSize: number,
  ) {
    this.#client = client;
    this.id = id;
    this.#stdinSize = stdinSize;
    this.response = new Promise((resolve) => {
      this.resolve = resolve;
    });
  }

  write(chunk: Uint8Array | string): Promise<void> {
    const b = toBytes(chunk);
    if (b.length === 0) return Promise.resolve();
    return this.#client.sendRaw(
      encodeStream(RecordType.STDIN, this.id, b, { maxContentLength: this.#stdinSize }),
    );
  }

  end(): Promise<void> {
    return this.#client.sendRaw(encodeRecord(RecordType.STDIN, this.id));
  }

  abort(): Promise<void> {
    return this.#client.sendRaw(encodeRecord(RecordType.ABORT_REQUEST, this.id));
  }

  finish(appStatus: number, protocolStatus: number, complete: boolean): void {
    this.resolve({
      requestId: this.id,
      stdout: concatBytes(this.stdout),
      stdoutRecords: this.stdout,
      stderr: concatBytes(this.stderr),
      stdoutEnded: this.stdoutEnded,
      complete,
      abortedByApplication: this.aborted,
      appStatus,
      protocolStatus,
    });
  }
}
