import type { Application } from '@tsgi/core';

const app: Application = async (environ, startResponse) => {
  const name = new URLSearchParams(environ.QUERY_STRING).get('name') ?? 'world';
  startResponse('200 OK', [['content-type', 'text/plain; charset=utf-8']]);
  return [new TextEncoder().encode(`Hello, ${name}! You asked for ${environ.PATH_INFO}\n`)];
};

export default app;
