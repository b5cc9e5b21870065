// Type tests (tsd): the published types accept correct apps and reject misuse.
import { expectAssignable, expectError, expectNotAssignable, expectType } from 'tsd';
import type {
  Application,
  Environ,
  ResponseBody,
  StartResponse,
  Status,
  Write,
} from '../dist/index.js';

const bytes = new TextEncoder().encode('hi');

// Accepted: a sync app returning an Array of Uint8Array.
const syncApp: Application = (environ, startResponse) => {
  expectType<string>(environ.PATH_INFO);
  expectType<AbortSignal>(environ['tsgi.signal']);
  startResponse('200 OK', [['content-type', 'text/plain']]);
  return [bytes];
};
expectAssignable<Application>(syncApp);

// Accepted: an async app with an async generator body and write().
const asyncApp: Application = async (environ, startResponse) => {
  const first = await environ['tsgi.input'].read(1024);
  expectType<Uint8Array>(first);
  const write = startResponse('201 Created', []);
  expectType<Write>(write);
  await write(bytes);
  return (async function* () {
    yield bytes;
  })();
};
expectAssignable<Application>(asyncApp);

// Accepted: excInfo as a third argument.
expectAssignable<Application>((_e, start) => {
  try {
    throw new Error('x');
  } catch (err) {
    start('500 Internal Server Error', [], err);
  }
  return [];
});

// Rejected: a numeric status.
expectError<Application>((_e, start) => {
  start(200, []);
  return [];
});
expectNotAssignable<Status>(200);
expectNotAssignable<Status>('200');
expectNotAssignable<Status>('99 Low');
expectNotAssignable<Status>('600 Nope');
expectAssignable<Status>('404 Not Found');

// Rejected: headers as an object.
declare const start: StartResponse;
expectError(start('200 OK', { 'content-type': 'text/plain' }));
// Rejected: a header that is not a pair of strings.
expectError(start('200 OK', [['content-length', 5]]));

// Rejected: a string body chunk, a string body, and a string passed to write().
expectNotAssignable<ResponseBody>(['text']);
expectNotAssignable<ResponseBody>('text');
expectError<Application>(() => ['text']);
declare const write: Write;
expectError(write('text'));

// Rejected: an environ without tsgi.input.
declare const full: Environ;
const { 'tsgi.input': _omitted, ...withoutInput } = full;
expectNotAssignable<Environ>(withoutInput);
// Rejected: a wrong tsgi.version.
expectNotAssignable<Environ>({ ...full, 'tsgi.version': [2, 0] as const });
