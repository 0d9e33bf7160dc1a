// The maintenance shell behind SSH and the plaintext console: prompt `plc> `, commands help, status,
// version, exit. Line-oriented; echoes typed characters when the terminal expects the server to.

export interface DeviceStatus {
  /** Tank level in percent. */
  level: number;
  /** Heartbeat counter. */
  heartbeat: number;
}

export const SHELL_PROMPT = 'plc> ';
const MAX_LINE = 1024;

/** One command's output (lines end in \r\n) and whether the session should end. */
export function runCommand(line: string, status: () => DeviceStatus, version: string): { output: string; exit: boolean } {
  const cmd = line.trim();
  switch (cmd) {
    case '':
      return { output: '', exit: false };
    case 'help':
      return { output: 'commands: help, status, version, exit\r\n', exit: false };
    case 'status': {
      const s = status();
      return { output: `tank level: ${s.level.toFixed(1)} %\r\nheartbeat: ${s.heartbeat}\r\n`, exit: false };
    }
    case 'version':
      return { output: `${version}\r\n`, exit: false };
    case 'exit':
    case 'logout':
    case 'quit':
      return { output: 'bye\r\n', exit: true };
    default:
      return { output: `unknown command: ${cmd.slice(0, 64)}\r\n`, exit: false };
  }
}

export interface ShellIo {
  write(text: string): void;
  /** Ends the session (the caller closes its channel or socket). */
  end(): void;
  echo: boolean;
}

/** An interactive shell: call input() with what the client types. Prints the first prompt at once. */
export function startShell(io: ShellIo, status: () => DeviceStatus, version: string): { input(chunk: Buffer): void } {
  let line = '';
  let lastWasCr = false;
  let ended = false;
  io.write(SHELL_PROMPT);
  return {
    input(chunk) {
      for (const byte of chunk) {
        if (ended) return;
        if (byte === 0x0a && lastWasCr) {
          lastWasCr = false; // the \n of \r\n
          continue;
        }
        lastWasCr = byte === 0x0d;
        if (byte === 0x0d || byte === 0x0a) {
          if (io.echo) io.write('\r\n');
          const { output, exit } = runCommand(line, status, version);
          line = '';
          io.write(output);
          if (exit) {
            ended = true;
            io.end();
            return;
          }
          io.write(SHELL_PROMPT);
        } else if (byte === 0x03 || byte === 0x04) {
          ended = true; // Ctrl-C / Ctrl-D
          io.write('\r\n');
          io.end();
          return;
        } else if (byte === 0x7f || byte === 0x08) {
          if (line.length > 0) {
            line = line.slice(0, -1);
            if (io.echo) io.write('\b \b');
          }
        } else if (byte >= 0x20 && byte < 0x7f && line.length < MAX_LINE) {
          line += String.fromCharCode(byte);
          if (io.echo) io.write(String.fromCharCode(byte));
        }
      }
    },
  };
}
