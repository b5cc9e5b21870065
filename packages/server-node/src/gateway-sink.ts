/**
 * What the FastCGI and SCGI response sinks share: both send the response in CGI form (core's
 * `formatCgiHead`, then the body) behind a web server, hold the formatted head until the first
 * chunk or the end so the two leave together, and reject a write still waiting for the
 * connection when the client goes away (ERR-05). A subclass says only how bytes reach its
 * transport: STDOUT records (FastCGI), or the socket itself (SCGI).
 */
import {
  formatCgiHead,
  type OwnResponse,
  type ResponseHeaders,
  type ResponseSink,
  type Status,
} from '@tsgi/core';

/** Settles a transport wait: an error means the connection failed. */
export type WaitSettle = (err?: Error | null) => void;

/** The request as a gateway sink sees it. */
export interface GatewaySinkOwner {
  /** The response is over or the connection is gone: nothing more is written. */
  readonly done: boolean;
  /** `tsgi.signal` has been aborted (without creating it). */
  readonly aborted: boolean;
}

/** A `ResponseSink` that writes a CGI-form response to a gateway transport. */
export abstract class GatewaySink implements ResponseSink {
  /** The formatted head, sent with the first chunk or the end. */
  #head = '';
  /** The engine called end() or abort() (for the shutdown log, BODY-24). */
  #ended = false;
  #reject: ((err: unknown) => void) | null = null;
  readonly #owner: GatewaySinkOwner;

  constructor(owner: GatewaySinkOwner) {
    this.#owner = owner;
  }

  /** ResponseSink.aborted: lets the engine check for a disconnect without creating the signal. */
  get aborted(): boolean {
    return this.#owner.aborted;
  }

  /** The engine has ended or aborted the response: what is left is its completion hook. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Answers without the application (SRV-02): core's response, complete. */
  reply(response: OwnResponse): void {
    this.#ended = true;
    this.complete(formatCgiHead(response.status, response.headers), response.body);
  }

  /** ERR-05: a write still waiting for the connection rejects with `reason`. */
  disconnected(reason: unknown): void {
    const reject = this.#reject;
    this.#reject = null;
    reject?.(reason);
  }

  head(status: Status, headers: ResponseHeaders): void {
    if (this.#owner.done) return;
    this.#head = formatCgiHead(status, headers);
  }

  write(chunk: Uint8Array, owned?: boolean): void | Promise<void> {
    if (this.#owner.done) return;
    return this.send(this.#takeHead(), chunk, owned === true);
  }

  end(): void {
    this.#ended = true;
    if (this.#owner.done) return;
    this.complete(this.#takeHead(), null);
  }

  abort(_reason: unknown): void {
    this.#ended = true;
    if (this.#owner.done) return;
    this.cut(this.#takeHead());
  }

  /**
   * Sends `head` (empty once sent) and one body chunk; returns a promise when the engine must
   * wait (backpressure, or BODY-19: the chunk is the application's until written).
   */
  protected abstract send(head: string, chunk: Uint8Array, owned: boolean): void | Promise<void>;

  /** Sends `head` (empty once sent) and `body`, if any, and ends the response. */
  protected abstract complete(head: string, body: Uint8Array | null): void;

  /** Ends an incomplete response so the front end fails it (ERR-03); `head` was not sent. */
  protected abstract cut(head: string): void;

  /**
   * A promise settled by `start`'s callback, or rejected by `disconnected` (ERR-05) or with
   * `failure(err)` when the transport reports an error (EPIPE, ECONNRESET can come before the
   * connection's 'close', and the application must see the disconnect as such either way).
   */
  protected wait(
    start: (settle: WaitSettle) => void,
    failure: (err: Error) => unknown = (err) => err,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#reject = reject;
      start((err) => {
        if (this.#reject !== reject) return; // already rejected by disconnected()
        this.#reject = null;
        if (err) reject(failure(err));
        else resolve();
      });
    });
  }

  #takeHead(): string {
    const head = this.#head;
    this.#head = '';
    return head;
  }
}
