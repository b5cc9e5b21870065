/** One request's PARAMS stream (spec §5.2) collected into CGI variables. */
import { joinHeaderValues } from '@tsgi/core';
import { FastCGIProtocolError, ParamsDecoder } from '../codec/index.js';
import { nativeLatin1 } from './latin1.js';

/** Collects PARAMS record contents into `values`, within `maxParamsSize` bytes in all. */
export class ParamsCollector {
  /** The variables so far, by name (a null-prototype object: any name is a plain key). */
  readonly values: Record<string, string> = Object.create(null) as Record<string, string>;
  readonly #decoder: ParamsDecoder;
  readonly #requestId: number;
  readonly #max: number;
  #size = 0;

  constructor(requestId: number, maxParamsSize: number) {
    this.#requestId = requestId;
    this.#max = maxParamsSize;
    this.#decoder = new ParamsDecoder(this.#onPair, {
      maxPairLength: maxParamsSize,
      latin1: nativeLatin1,
    });
  }

  /** Feeds one non-empty PARAMS record's content; returns the error that ends the connection. */
  push(content: Uint8Array): FastCGIProtocolError | undefined {
    this.#size += content.length;
    if (this.#size > this.#max) {
      return new FastCGIProtocolError(
        'PARAMS_TOO_LARGE',
        `request ${this.#requestId}: params exceed ${this.#max} bytes`,
      );
    }
    return this.#decoder.push(content);
  }

  /** The empty record ended the stream: a pair cut off is an error. */
  end(): FastCGIProtocolError | undefined {
    return this.#decoder.end();
  }

  // Duplicate names (ADP-FCGI-12): HTTP_* variables are request headers a front-end sent once per
  // header line (nginx 1.22, h2o), so core joins them as ENV-13 says; any other: the last wins.
  #onPair = (name: string, value: string): void => {
    const values = this.values;
    const prev = values[name];
    if (prev === undefined || !name.startsWith('HTTP_')) values[name] = value;
    else values[name] = joinHeaderValues(name, prev, value);
  };
}
