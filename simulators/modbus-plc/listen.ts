// Binding a listener, with a bind failure (port in use, address not available) turned into one clear error.
import type { Server } from 'node:net';

export class SimulatorBindError extends Error {
  constructor(
    readonly service: string,
    readonly host: string,
    readonly port: number,
    readonly code: string | undefined,
    cause: string,
  ) {
    super(
      `${service} cannot listen on ${host}:${port}: ` +
        (code === 'EADDRINUSE' ? 'the port is already in use (choose another, or 0 for any free port)' : cause),
    );
    this.name = 'SimulatorBindError';
  }
}

/** Listens and resolves with the real port (the OS picks one for port 0). */
export function listen(server: Server, host: string, port: number, service: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => reject(new SimulatorBindError(service, host, port, err.code, err.message));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      server.on('error', () => {}); // after binding, errors belong to single connections
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
  });
}
