// TSGI on workerd: the hello world application under `serve` from @tsgi/serve's workerd entry,
// exported as the module worker (bench/runtimes.mjs bundles it with the harness's esbuild).
import { serve } from '../../packages/serve/dist/workerd.js';

const HELLO = new TextEncoder().encode('Hello, World!');
const TEXT = [['content-type', 'text/plain']];
const app = (_environ, startResponse) => {
  startResponse('200 OK', TEXT);
  return [HELLO];
};
export default await serve(app);
