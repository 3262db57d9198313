import { randomInt } from 'node:crypto';
import { createServer } from 'node:net';

// Below Linux's ephemeral range (32768–60999): a port the OS hands out from that range (listen on 0) can be taken,
// before our listener binds it, as the source port of any outgoing connection (a test saw EADDRINUSE that way).
const lowest = 20_000;
const highest = 32_767;

/** Whether a listener could bind `port` on 127.0.0.1 just now. */
function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A port that was free a moment ago on 127.0.0.1, below the ephemeral range (for internal listeners and tests). */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < 200; tries++) {
    const port = randomInt(lowest, highest + 1);
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port on 127.0.0.1 between ${lowest} and ${highest}`);
}
