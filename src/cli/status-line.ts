// A one-line "now running" indicator for terminals; redirected output gets only the permanent lines.
export function terminalStatusLine(): ((text: string) => void) | undefined {
  if (!process.stdout.isTTY) return undefined;
  return (text) => process.stdout.write(`\r\x1b[K${text}`);
}
