// Response checks run once per subject and workload before measuring: a subject that sends
// something else is reported, not silently compared.

const HELLO = 'Hello, World!';

/** Describes how the body was framed (Content-Length or chunked). */
export function framing(res) {
  if (res.headers.get('content-length') !== null) return 'content-length';
  return res.headers.get('transfer-encoding') ?? 'close-delimited';
}

export function checkHello(res, body) {
  const text = new TextDecoder().decode(body);
  if (res.status !== 200) return `status ${res.status}`;
  if (text !== HELLO) return `unexpected body ${JSON.stringify(text.slice(0, 40))}`;
  return undefined;
}

export function checkLength(expected) {
  return (res, body) => {
    if (res.status !== 200) return `status ${res.status}`;
    if (body.length !== expected) return `body of ${body.length} bytes, expected ${expected}`;
    return undefined;
  };
}
