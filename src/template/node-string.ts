/**
 * Prints parse trees back as canonical template source, like the String methods of Go's
 * parse nodes: `{{if .X}}a{{else}}b{{end}}`, `{{$x := .A | printf "%d"}}`.
 *
 * Canonical means: no trim markers, no comments unless they were kept, single spaces,
 * strings and numbers spelled as written, template names re-quoted. Parsing the output
 * again yields a tree that prints the same text.
 */
import { goQuote } from "./lex.js";
import type { AnyNode, ArgNode, CommandNode, ListNode, Node, Tree, VariableNode } from "./node.js";

/** Delimiters to print actions with; default `{{` and `}}`. */
export interface PrintOptions {
  leftDelim?: string;
  rightDelim?: string;
}

interface Delims {
  l: string;
  r: string;
}

/**
 * Prints a node as canonical template source.
 *
 * @example
 * nodeToString(parse("t", "{{- if  .X -}} a {{end}}").get("t")!.root); // "{{if .X}}a {{end}}"
 */
export function nodeToString(node: AnyNode, options: PrintOptions = {}): string {
  const d: Delims = { l: options.leftDelim || "{{", r: options.rightDelim || "}}" };
  const out: string[] = [];
  write(node, d, out, false);
  return out.join("");
}

/** Prints the body of a tree as canonical template source (its own definitions are separate trees). */
export function treeToString(tree: Tree, options: PrintOptions = {}): string {
  return nodeToString(tree.root, options);
}

function write(node: AnyNode, d: Delims, out: string[], nested: boolean): void {
  switch (node.type) {
    case "list":
      writeList(node, d, out, nested);
      return;
    case "text":
      out.push(node.text);
      return;
    case "comment":
      out.push(d.l, node.text, d.r);
      return;
    case "action":
      out.push(d.l);
      write(node.pipe, d, out, false);
      out.push(d.r);
      return;
    case "if":
    case "range":
    case "with":
      out.push(d.l, node.type, " ");
      write(node.pipe, d, out, false);
      out.push(d.r);
      writeList(node.list, d, out, true);
      if (node.elseList !== null) {
        out.push(d.l, "else", d.r);
        writeList(node.elseList, d, out, true);
      }
      out.push(d.l, "end", d.r);
      return;
    case "template":
      out.push(d.l, "template ", goQuote(node.name));
      if (node.pipe !== null) {
        out.push(" ");
        write(node.pipe, d, out, false);
      }
      out.push(d.r);
      return;
    case "break":
      out.push(d.l, "break", d.r);
      return;
    case "continue":
      out.push(d.l, "continue", d.r);
      return;
    case "pipe":
      // Plain loops rather than forEach: deep trees recurse through here, so frames matter.
      for (let i = 0; i < node.decl.length; i++) {
        if (i > 0) out.push(", ");
        out.push((node.decl[i] as VariableNode).ident.join("."));
      }
      if (node.decl.length > 0) out.push(node.isAssign ? " = " : " := ");
      for (let i = 0; i < node.cmds.length; i++) {
        if (i > 0) out.push(" | ");
        write(node.cmds[i] as CommandNode, d, out, false);
      }
      return;
    case "command":
      for (let i = 0; i < node.args.length; i++) {
        if (i > 0) out.push(" ");
        writeArg(node.args[i] as ArgNode, d, out);
      }
      return;
    case "identifier":
      out.push(node.ident);
      return;
    case "variable":
      out.push(node.ident.join("."));
      return;
    case "dot":
      out.push(".");
      return;
    case "nil":
      out.push("nil");
      return;
    case "field":
      for (const id of node.ident) out.push(".", id);
      return;
    case "chain":
      writeArg(node.node, d, out);
      for (const f of node.field) out.push(".", f);
      return;
    case "bool":
      out.push(node.value ? "true" : "false");
      return;
    case "number":
      out.push(node.text);
      return;
    case "string":
      out.push(node.quoted);
      return;
    default: {
      const never: never = node;
      throw new Error(`unknown node ${JSON.stringify(never)}`);
    }
  }
}

/** An argument that is itself a pipeline is parenthesised. */
function writeArg(a: ArgNode, d: Delims, out: string[]): void {
  if (a.type === "pipe") {
    out.push("(");
    write(a, d, out, false);
    out.push(")");
    return;
  }
  write(a, d, out, false);
}

/**
 * Prints a list. Text right before an action must not end in the start of the left
 * delimiter ("a{" then "{{x}}" would read back as "a" then "{{{x}}"); this only happens when
 * trim markers or dropped comments removed what separated them, and such a tail is printed
 * as a string action instead, which reads back the same way every time.
 */
function writeList(list: ListNode, d: Delims, out: string[], nested: boolean): void {
  const last = list.nodes.length - 1;
  for (let i = 0; i <= last; i++) {
    const n = list.nodes[i] as Node;
    if (n.type === "text" && (nested || i < last)) {
      const cut = unsafeTail(n.text, d.l);
      if (cut > 0) {
        out.push(n.text.slice(0, n.text.length - cut), d.l, goQuote(n.text.slice(n.text.length - cut)), d.r);
        continue;
      }
    }
    write(n, d, out, false);
  }
}

/** Length of the shortest tail of `text` to remove so that `text + delim` first finds `delim` at its end. */
function unsafeTail(text: string, delim: string): number {
  for (let k = 0; k < delim.length && k <= text.length; k++) {
    const head = text.slice(0, text.length - k);
    if ((head + delim).indexOf(delim) === head.length) return k;
  }
  return 0;
}
