// Baseline on workerd: a module worker answering hello world with the fastest idiomatic handler.
const HELLO = new TextEncoder().encode('Hello, World!');
const HEADERS = { 'content-type': 'text/plain' };
export default { fetch: () => new Response(HELLO, { headers: HEADERS }) };
