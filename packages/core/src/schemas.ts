/**
 * zod schemas for environ and `startResponse` arguments, for lint, conformance and tooling.
 * A separate entry point (`@tsgi/core/schemas`) so servers' hot paths never load zod; the
 * engine uses the hand-written checks in `headers.ts`, and a test keeps the two in agreement.
 */
import { z } from 'zod';

const byteString = z
  .string()
  .refine((s) => !/[^\x00-\xff]/.test(s), 'ENV-06: one code unit per octet');

/** SR-02. */
export const statusSchema = z
  .string()
  .regex(
    /^[2-5][0-9]{2} [!-~\x80-\xff](?:[ \t!-~\x80-\xff]*[!-~\x80-\xff])?$/,
    'SR-02: "NNN Reason", 200-599',
  );

const HOP = [
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];

/** One `[name, value]` response header (SR-03..06). */
export const headerSchema = z
  .tuple([
    z.string().regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, 'SR-04: header name must be a token'),
    z
      .string()
      .refine(
        (v) => !/[^\t\x20-\x7e\x80-\xff]/.test(v),
        'SR-05: only HTAB, SP, visible characters and obs-text',
      ),
  ])
  .refine(([n]) => n.toLowerCase() !== 'status', 'SR-04: "status" is not a header')
  .refine(([n]) => !HOP.includes(n.toLowerCase()), 'SR-06: hop-by-hop header')
  .refine(
    ([n, v]) => n.toLowerCase() !== 'content-length' || /^[0-9]+$/.test(v),
    'SR-15: content-length must be digits',
  );

/** SR-03: an array of header tuples. */
export const headersSchema = z.array(headerSchema);

const inputSchema = z.custom<unknown>(
  (v) =>
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { read?: unknown }).read === 'function' &&
    typeof (v as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function',
  'ENV-20, IN-01: tsgi.input must be an async iterable with read()',
);
const errorsSchema = z.custom<unknown>(
  (v) =>
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { write?: unknown }).write === 'function' &&
    typeof (v as { flush?: unknown }).flush === 'function',
  'ENV-21, ERRS-01: tsgi.errors must have write() and flush()',
);

/** ENV-18: the frozen `[1, minor]`, minor a non-negative integer (any TSGI 1.x). */
const versionSchema = z.custom<readonly [1, number]>(
  (v) =>
    Array.isArray(v) &&
    v.length === 2 &&
    v[0] === 1 &&
    Number.isInteger(v[1]) &&
    v[1] >= 0 &&
    Object.isFrozen(v),
  'ENV-18: tsgi.version must be the frozen [1, n] (n a non-negative integer)',
);

/** The environ an application may rely on (ENV-01..27). Unknown keys pass through (MW-08). */
export const environSchema = z
  .looseObject({
    REQUEST_METHOD: z.string().regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, 'ENV-03: a token'),
    SCRIPT_NAME: byteString.refine(
      (s) => s === '' || (s.startsWith('/') && s !== '/'),
      'ENV-04: "" or "/..." but not "/"',
    ),
    PATH_INFO: byteString.refine(
      (s) => s === '' || s.startsWith('/') || s === '*',
      'ENV-05: "" or starts with "/"',
    ),
    QUERY_STRING: byteString,
    REQUEST_URI: byteString,
    SERVER_NAME: z.string().min(1, 'ENV-10'),
    SERVER_PORT: z.string().min(1, 'ENV-10'),
    SERVER_PROTOCOL: z.string().regex(/^HTTP\/\d(\.\d)?$/, 'ENV-11'),
    CONTENT_TYPE: z.string().optional(),
    CONTENT_LENGTH: z
      .string()
      .regex(/^[0-9]+$/, 'ENV-09: digits only')
      .optional(),
    HTTP_CONTENT_TYPE: z
      .undefined({ error: 'ENV-09: HTTP_CONTENT_TYPE must not exist' })
      .optional(),
    HTTP_CONTENT_LENGTH: z
      .undefined({ error: 'ENV-09: HTTP_CONTENT_LENGTH must not exist' })
      .optional(),
    HTTP_PROXY: z.undefined({ error: 'ENV-27: HTTP_PROXY must not exist' }).optional(),
    'tsgi.version': versionSchema,
    'tsgi.url_scheme': z.enum(['http', 'https']),
    'tsgi.input': inputSchema,
    'tsgi.errors': errorsSchema,
    'tsgi.multithread': z.boolean(),
    'tsgi.multiprocess': z.boolean(),
    'tsgi.run_once': z.boolean(),
    'tsgi.input_terminated': z.literal(true),
    'tsgi.signal': z.instanceof(AbortSignal),
  })
  .refine(
    (e) => e.SCRIPT_NAME !== '' || e.PATH_INFO !== '',
    'ENV-05: SCRIPT_NAME and PATH_INFO cannot both be empty',
  );

/** `startResponse` positional arguments (SR-01). */
export const startResponseArgsSchema = z.tuple([statusSchema, headersSchema]).rest(z.unknown());
