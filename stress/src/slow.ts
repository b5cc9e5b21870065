/** Slow clients: a header section or a body dribbled a byte at a time (slowloris). */
import { connect } from 'node:net';

/** What a slow client saw. */
export interface SlowResult {
  /** Milliseconds until the server closed the connection; null if it never did before `maxMs`. */
  closedAfter: number | null;
  /** What the server sent (latin-1). */
  received: string;
  /** Bytes the client managed to send. */
  sent: number;
}

/**
 * Opens a connection, writes `prefix` at once, then one byte of `drip` every `intervalMs`
 * (cycling) until the server closes or `maxMs` passes, when the client gives up.
 */
export function slowClient(
  port: number,
  prefix: string,
  drip: string,
  intervalMs: number,
  maxMs: number,
): Promise<SlowResult> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const s = connect({ port, host: '127.0.0.1' });
    let received = '';
    let sent = 0;
    let i = 0;
    let closed = false;
    let timer: NodeJS.Timeout | undefined;
    const giveUp = setTimeout(() => {
      if (timer !== undefined) clearInterval(timer);
      s.destroy();
    }, maxMs);
    s.on('connect', () => {
      s.write(prefix);
      sent += prefix.length;
      timer = setInterval(() => {
        if (s.destroyed || !s.writable) return;
        s.write(drip[i++ % drip.length]!);
        sent++;
      }, intervalMs);
    });
    s.on('data', (d: Buffer) => {
      received += d.toString('latin1');
    });
    s.on('error', () => {});
    s.on('end', () => {
      closed = true;
    });
    s.on('close', () => {
      clearTimeout(giveUp);
      if (timer !== undefined) clearInterval(timer);
      const elapsed = Date.now() - t0;
      // Closed by the server (FIN or reset) before the client gave up.
      resolve({ closedAfter: closed || elapsed < maxMs - 5 ? elapsed : null, received, sent });
    });
  });
}
