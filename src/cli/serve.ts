export const SERVE_USAGE = "Usage: lvt serve";
export async function runServe(_argv: readonly string[], _cwd: string, _out: (line: string) => void): Promise<number> {
  return 1;
}
