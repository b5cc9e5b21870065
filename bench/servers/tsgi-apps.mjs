// The TSGI application of each workload, one set for every TSGI subject (node:http, FastCGI,
// SCGI, Bun and Deno), so each adapter serves exactly the same application.
import { bigChunks, chunks, HELLO, workload } from './common.mjs';

const TEXT = [['content-type', 'text/plain']];
const OCTETS = [['content-type', 'application/octet-stream']];
const apps = {
  // An Array body: the engine knows the length and frames it with Content-Length.
  hello: (_environ, startResponse) => {
    startResponse('200 OK', TEXT);
    return [HELLO];
  },
  stream: (_environ, startResponse) => {
    startResponse('200 OK', OCTETS);
    return chunks();
  },
  // tsgi.input is an AsyncIterable<Uint8Array>: the request body is the response body.
  echo: (environ, startResponse) => {
    startResponse('200 OK', OCTETS);
    return environ['tsgi.input'];
  },
  big: (_environ, startResponse) => {
    startResponse('200 OK', OCTETS);
    return bigChunks();
  },
};

/** The application for this process's workload; `served` lists the workloads the subject runs. */
export function tsgiApp(subject, served = Object.keys(apps)) {
  if (!served.includes(workload)) {
    throw new Error(`${subject} serves ${served.join(' and ')}, not ${workload}`);
  }
  return apps[workload];
}
