// node-opcua prints its own warnings and errors with console.log; during a run they belong in the log
// file (debug level), where they help diagnosis without burying the progress lines.
import type { Logger } from 'pino';
import { LogLevel, setErrorLogger, setLogLevel, setWarningLogger } from 'node-opcua';
import { format } from 'node:util';

export function routeOpcuaLibraryLogs(log: Logger): void {
  const library = log.child({ library: 'node-opcua' });
  setWarningLogger((...args: unknown[]) => library.debug(format(...args)));
  setErrorLogger((...args: unknown[]) => library.debug(format(...args)));
  setLogLevel(LogLevel.Warning);
}
