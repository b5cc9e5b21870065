/** Every server case, in the order they run. */
import type { ServerCase } from '../case.js';
import { BODY_CASES } from './body.js';
import { EDITION2_BODY_CASES } from './edition2-body.js';
import { EDITION2_IO_CASES } from './edition2-io.js';
import { ENVIRON_CASES } from './environ.js';
import { HEADER_CASES } from './environ-headers.js';
import { ERROR_CASES } from './errors.js';
import { EXTENSION_CASES } from './extensions.js';
import { INPUT_CASES } from './input.js';
import { CONTINUE_CASES } from './input-continue.js';
import { NODE_CASES } from './node.js';
import { REQUEST_VALIDATION_CASES } from './request-validation.js';
import { RESPONSE_CASES } from './response.js';
import { SERVER_CASES } from './server-duties.js';
import { WEBSOCKET_CASES } from './websocket.js';
import { WRITE_CASES } from './write.js';

/** The server conformance cases (CONF-04). */
export const CASES: readonly ServerCase[] = Object.freeze([
  ...ENVIRON_CASES,
  ...HEADER_CASES,
  ...INPUT_CASES,
  ...CONTINUE_CASES,
  ...RESPONSE_CASES,
  ...WRITE_CASES,
  ...BODY_CASES,
  ...ERROR_CASES,
  ...SERVER_CASES,
  ...REQUEST_VALIDATION_CASES,
  ...EXTENSION_CASES,
  ...NODE_CASES,
  ...EDITION2_BODY_CASES,
  ...EDITION2_IO_CASES,
  ...WEBSOCKET_CASES,
]);
