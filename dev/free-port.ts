// Finds a free TCP port on 127.0.0.1 for processes that need a number up front
// (wrangler dev cannot be told "port 0" and report back).
import { createServer } from 'node:net';

export function getFreePort(): Promise<number> {
  return probe(0);
}

/** Fails with a clear message when `port` is already taken on 127.0.0.1. */
export async function assertPortFree(port: number, what: string): Promise<void> {
  try {
    await probe(port);
  } catch (err) {
    throw new Error(`${what} port ${port} on 127.0.0.1 is not available (${(err as Error).message})`);
  }
}

function probe(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', () => {
      const address = srv.address();
      const bound = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => (bound ? resolve(bound) : reject(new Error('could not determine a free port'))));
    });
  });
}
