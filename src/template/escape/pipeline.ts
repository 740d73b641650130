/**
 * Appending escaper calls to an action's pipeline, merging with a trailing `html` or
 * `urlquery` the template author wrote (those are equivalent to some contextual escapers).
 */
import type { CommandNode, IdentifierNode, PipeNode } from "../node.js";

/** Contextual escapers that a predefined escaper can stand in for. */
const EQUIVALENT: Record<string, string> = {
  _html_template_attrescaper: "html",
  _html_template_htmlescaper: "html",
  _html_template_rcdataescaper: "html",
  _html_template_urlescaper: "urlquery",
  _html_template_urlnormalizer: "urlquery",
};

/** `REDUNDANT[a]` lists escapers whose effect is already included in `a`'s output. */
const REDUNDANT: Record<string, ReadonlySet<string>> = {
  // Not the nospace escaper: it turns the comment escaper's empty output into `ZgotmplZ`.
  _html_template_commentescaper: new Set(["_html_template_attrescaper", "_html_template_htmlescaper"]),
  _html_template_cssescaper: new Set(["_html_template_attrescaper"]),
  _html_template_jsregexpescaper: new Set(["_html_template_attrescaper"]),
  _html_template_jsstrescaper: new Set(["_html_template_attrescaper"]),
  _html_template_jstmpllitescaper: new Set(["_html_template_attrescaper"]),
  _html_template_urlescaper: new Set(["_html_template_urlnormalizer"]),
};

function normalize(name: string): string {
  return EQUIVALENT[name] ?? name;
}

function isPredefined(name: string): boolean {
  return name === "html" || name === "urlquery";
}

function firstIdent(cmd: CommandNode | undefined): IdentifierNode | null {
  const a = cmd?.args[0];
  return a !== undefined && a.type === "identifier" ? a : null;
}

function identCommand(name: string, pos: number, line: number): CommandNode {
  return { type: "command", pos, line, args: [{ type: "identifier", pos, line, ident: name }] };
}

/** Appends `cmd` unless the pipeline's last command already makes it a no-op. */
function appendCmd(cmds: CommandNode[], cmd: CommandNode): void {
  const last = firstIdent(cmds[cmds.length - 1]);
  const next = firstIdent(cmd);
  if (last !== null && next !== null && REDUNDANT[last.ident]?.has(next.ident) === true) return;
  cmds.push(cmd);
}

/**
 * Makes the pipeline end with the escapers `names`, in order. A trailing predefined escaper is
 * reused in place of an equivalent contextual one; `{{html a b}}` first becomes
 * `{{_eval_args_ a b | html}}` so that it can be merged. Escapers already present (by
 * equivalence) are not added twice, so rewriting is idempotent.
 */
export function ensurePipelineContains(p: PipeNode, names: readonly string[]): void {
  if (names.length === 0) return;
  const s = [...names];
  let keep = p.cmds.length;
  const lastCmd = p.cmds[keep - 1];
  const lastId = firstIdent(lastCmd);
  if (lastCmd !== undefined && lastId !== null && isPredefined(lastId.ident)) {
    const esc = lastId.ident;
    if (p.cmds.length === 1 && lastCmd.args.length > 1) {
      lastCmd.args[0] = { type: "identifier", pos: lastId.pos, line: lastId.line, ident: "_eval_args_" };
      appendCmd(p.cmds, identCommand(esc, p.pos, p.line));
      keep++;
    }
    let dup = false;
    for (let i = 0; i < s.length; i++) {
      if (normalize(esc) === normalize(s[i] as string)) {
        s[i] = esc;
        dup = true;
      }
    }
    // The predefined escaper is re-added in its place among `s`.
    if (dup) keep--;
  }
  const out = p.cmds.slice(0, keep);
  const present = new Set<string>();
  for (const cmd of out) {
    const id = firstIdent(cmd);
    if (id !== null) present.add(normalize(id.ident));
  }
  for (const name of s) {
    if (!present.has(normalize(name))) appendCmd(out, identCommand(name, p.pos, p.line));
  }
  p.cmds = out;
}
