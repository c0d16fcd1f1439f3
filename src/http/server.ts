import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServerAdapter } from '@whatwg-node/server';
import type { FetchHandler } from './app.ts';

export interface RunningServer {
  server: http.Server;
  url: string;
  /** Stops accepting connections and waits up to `timeoutMs` for in-flight requests. */
  close(timeoutMs?: number): Promise<void>;
}

/** Serves a fetch-style handler on node:http. Port 0 picks a free port (tests). */
export async function listen(handler: FetchHandler, host: string, port: number): Promise<RunningServer> {
  const adapter = createServerAdapter(handler);
  const server = http.createServer(adapter);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${shownHost}:${address.port}`,
    close: (timeoutMs = 10_000) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
