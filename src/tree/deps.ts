/**
 * What data a construct reads, found statically: every field chain on dot, on `$` and on variables
 * in its pipelines. Functions are assumed pure, so a call depends on its arguments only, and a
 * reference covers everything below it (`len .Items` depends on `Items`, and on any write under it).
 */
import type { ArgNode, ListNode, Node, PipeNode } from "../template/node.js";
import type { Construct } from "./compile.js";

/** A read: `base` is "." (dot) or a variable name such as "$" or "$x"; `path` the field chain. */
export interface Ref {
  readonly base: string;
  readonly path: readonly string[];
}

/** A construct's reads as seen from where it stands, and whether it assigns outer variables. */
export interface ConstructDeps {
  readonly refs: readonly Ref[];
  /** True when it runs `$x = ...` on a variable it did not declare: it must always run. */
  readonly assigns: boolean;
}

function argRefs(a: ArgNode, out: Ref[]): void {
  switch (a.type) {
    case "field":
      out.push({ base: ".", path: a.ident });
      break;
    case "dot":
      out.push({ base: ".", path: [] });
      break;
    case "variable":
      out.push({ base: a.ident[0]!, path: a.ident.slice(1) });
      break;
    case "chain":
      argRefs(a.node, out);
      break;
    case "pipe":
      pipeRefs(a, out);
      break;
    default:
      break;
  }
}

function pipeRefs(p: PipeNode, out: Ref[]): void {
  for (const c of p.cmds) for (const a of c.args) argRefs(a, out);
}

interface Scan {
  refs: Ref[];
  assigns: boolean;
  /** Variables declared so far inside the construct (their reads are covered by their pipes). */
  locals: Set<string>;
}

function addPipe(p: PipeNode, s: Scan, dotRebound: boolean): void {
  const raw: Ref[] = [];
  pipeRefs(p, raw);
  for (const r of raw) {
    if (r.base === ".") {
      if (!dotRebound) s.refs.push(r);
    } else if (!s.locals.has(r.base)) s.refs.push(r);
  }
  for (const v of p.decl) {
    const name = v.ident[0]!;
    if (p.isAssign) {
      if (!s.locals.has(name)) s.assigns = true;
    } else s.locals.add(name);
  }
}

function scanList(l: ListNode | null, s: Scan, dotRebound: boolean): void {
  if (l) for (const n of l.nodes) scanNode(n, s, dotRebound);
}

function scanNode(n: Node, s: Scan, dotRebound: boolean): void {
  switch (n.type) {
    case "action":
      addPipe(n.pipe, s, dotRebound);
      break;
    case "if":
      addPipe(n.pipe, s, dotRebound);
      scanList(n.list, s, dotRebound);
      scanList(n.elseList, s, dotRebound);
      break;
    case "with":
    case "range":
      addPipe(n.pipe, s, dotRebound);
      // Inside, dot is derived from the pipeline, whose reads are already counted.
      scanList(n.list, s, true);
      scanList(n.elseList, s, dotRebound);
      break;
    case "template":
      // The invoked template sees only its argument (as dot and as `$`).
      if (n.pipe) addPipe(n.pipe, s, dotRebound);
      break;
    case "list":
      scanList(n, s, dotRebound);
      break;
    default:
      break;
  }
}

const cache = new WeakMap<Construct, ConstructDeps>();

/** The reads of a construct, computed once. */
export function constructDeps(c: Construct): ConstructDeps {
  const hit = cache.get(c);
  if (hit) return hit;
  const s: Scan = { refs: [], assigns: false, locals: new Set() };
  switch (c.kind) {
    case "expr":
      addPipe(c.node.pipe, s, false);
      break;
    case "cond":
      scanNode(c.branches[0]!.node, s, false);
      break;
    case "range":
    case "dyn":
      scanNode(c.node, s, false);
      break;
    case "call":
      scanNode(c.node, s, false);
      break;
    default: {
      const never: never = c;
      void never;
    }
  }
  const deps: ConstructDeps = { refs: s.refs, assigns: s.assigns };
  cache.set(c, deps);
  return deps;
}

/** Names of variables that some pipeline assigns with `=` anywhere in `roots`. */
export function assignedVariables(roots: Iterable<ListNode>): Set<string> {
  const out = new Set<string>();
  const visit = (n: Node): void => {
    switch (n.type) {
      case "action":
        if (n.pipe.isAssign) for (const v of n.pipe.decl) out.add(v.ident[0]!);
        break;
      case "if":
      case "with":
      case "range":
        if (n.pipe.isAssign) for (const v of n.pipe.decl) out.add(v.ident[0]!);
        n.list.nodes.forEach(visit);
        n.elseList?.nodes.forEach(visit);
        break;
      case "list":
        n.nodes.forEach(visit);
        break;
      default:
        break;
    }
  };
  for (const r of roots) r.nodes.forEach(visit);
  return out;
}
