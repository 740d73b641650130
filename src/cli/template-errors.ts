/**
 * Template errors as editors and terminals want them: `file:line:col: message`, with the source
 * line. Template errors name the template (`template: home.tmpl:3:5: ...`); the CLI names every
 * template after its file, so the name leads back to the path.
 */
import { readFileSync } from "node:fs";

export interface Located {
  /** Path of the file, as given to {@link locate}. */
  readonly file: string;
  /** 1-based; 0 when the error has no position. */
  readonly line: number;
  readonly col: number;
  /** The error without the `template: NAME:LINE:COL:` prefix. */
  readonly message: string;
  /** The text of the line the error points at ("" when there is no position). */
  readonly source: string;
}

const PREFIX = /^(?:html\/)?template: ?([^:]+?)(?::(\d+)(?::(\d+))?)?: (.*)$/s;

/**
 * Finds where a template error points. `files` maps template names (file base names) to paths;
 * an error naming no known template is put on `fallback`.
 */
export function locate(err: unknown, files: ReadonlyMap<string, string>, fallback: string): Located {
  const text = err instanceof Error ? err.message : String(err);
  const m = PREFIX.exec(text);
  const file = (m && files.get(m[1]!)) ?? fallback;
  const line = m?.[2] !== undefined ? Number(m[2]) : 0;
  const col = m?.[3] !== undefined ? Number(m[3]) : line > 0 ? 1 : 0;
  let source = "";
  if (line > 0) {
    try {
      source = readFileSync(file, "utf8").split("\n")[line - 1] ?? "";
    } catch {
      // The file went away since; the message still says what is wrong.
    }
  }
  return { file, line, col, message: m ? m[4]! : text, source };
}

/** `file:line:col: message` (`file: message` when the error has no position). */
export function formatLocated(e: Located): string {
  return e.line > 0 ? `${e.file}:${e.line}:${e.col}: ${e.message}` : `${e.file}: ${e.message}`;
}

/** The located message with the source line and a caret under the column, for terminals and pages. */
export function formatWithSource(e: Located): string {
  if (e.line === 0) return formatLocated(e);
  const gutter = `${e.line} | `;
  const caret = " ".repeat(gutter.length + Math.max(0, e.col - 1)) + "^";
  return `${formatLocated(e)}\n\n${gutter}${e.source}\n${caret}`;
}
