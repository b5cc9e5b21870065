// A slow HTTP/1.1 client: sends one GET and reads the response at most `bytesPerSecond`,
// keeping the socket paused in between, so the kernel buffers fill and the server has to hold
// back (backpressure). Resolves with the bytes received and the time taken.
import { connect } from 'node:net';

export function slowGet({ port, path = '/', bytesPerSecond, tickMs = 20, timeoutMs = 600_000 }) {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const t0 = performance.now();
    let received = 0;
    let allowance = 0;
    const perTick = (bytesPerSecond * tickMs) / 1000;
    // Node reads up to 64 KiB per read; a small readable high-water mark keeps reads small.
    socket.setNoDelay(true);
    const timer = setInterval(() => {
      allowance += perTick;
      if (socket.isPaused() && allowance > 0) socket.resume();
    }, tickMs);
    const deadline = setTimeout(() => {
      finish(new Error(`slow client: no end after ${timeoutMs} ms (${received} bytes)`));
    }, timeoutMs);
    const finish = (err) => {
      clearInterval(timer);
      clearTimeout(deadline);
      socket.destroy();
      if (err) reject(err);
      else resolve({ bytes: received, seconds: (performance.now() - t0) / 1000 });
    };
    socket.on('data', (chunk) => {
      received += chunk.length;
      allowance -= chunk.length;
      if (allowance <= 0) socket.pause();
    });
    socket.on('end', () => finish());
    socket.on('error', finish);
    socket.on('connect', () => {
      socket.pause();
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    });
  });
}
