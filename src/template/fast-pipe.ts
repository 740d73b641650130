/**
 * Pipelines of the most common shape, `.Field | f | g` (a field of dot, then functions of the
 * set called with the previous value alone), resolved once: the field name, and each function
 * looked up in the set when the plan was made. html/template's escaping turns nearly every
 * action into this shape (`{{.Name}}` becomes `{{.Name | _html_template_htmlescaper}}`), so a
 * render evaluates it once per printed value. {@link ExecState.evalPlanned} evaluates a plan with
 * exactly the semantics, errors and error positions of {@link ExecState.evalPipeline}.
 *
 * A plan holds the version of the set's function map it was made from: a function added or
 * replaced afterwards makes it stale, and a stale plan is evaluated as the pipeline itself.
 */
import type { CommandNode, FieldNode, IdentifierNode, ListNode, Node, PipeNode } from "./node.js";

/** A function callable from templates (user functions, escaper functions). */
export type TemplateFunction = (...args: never[]) => unknown;

/** A template set's functions by name, with a version that changes on every write. */
export class FuncMap extends Map<string, TemplateFunction> {
  #version = 0;

  constructor(entries?: Iterable<readonly [string, TemplateFunction]>) {
    // Map's constructor would call `set` before the version exists.
    super();
    if (entries !== undefined) for (const [name, fn] of entries) this.set(name, fn);
  }

  /** Changes whenever a function is added, replaced or removed. */
  get version(): number {
    return this.#version;
  }

  override set(name: string, fn: TemplateFunction): this {
    this.#version++;
    return super.set(name, fn);
  }

  override delete(name: string): boolean {
    this.#version++;
    return super.delete(name);
  }

  override clear(): void {
    this.#version++;
    super.clear();
  }
}

/** A pipeline `.Field | f | g` resolved against one function map. */
export interface PipePlan {
  readonly funcs: FuncMap;
  readonly version: number;
  readonly field: FieldNode;
  /** The single field name. */
  readonly name: string;
  /** The commands after the field, each one function identifier... */
  readonly cmds: readonly CommandNode[];
  /** ...its name... */
  readonly names: readonly string[];
  /** ...and the function it named when the plan was made. */
  readonly fns: readonly TemplateFunction[];
}

/**
 * The plan of `pipe` in a set with functions `funcs`, or null when the pipeline is of another
 * shape: it declares variables, does not start with a one-name field of dot, or calls a builtin
 * or a function with arguments.
 */
export function planPipeline(pipe: PipeNode, funcs: FuncMap): PipePlan | null {
  if (pipe.decl.length !== 0 || pipe.cmds.length === 0) return null;
  const head = pipe.cmds[0] as CommandNode;
  const field = head.args[0];
  if (head.args.length !== 1 || field === undefined || field.type !== "field" || field.ident.length !== 1) return null;
  const cmds = pipe.cmds.slice(1);
  const names: string[] = [];
  const fns: TemplateFunction[] = [];
  for (const cmd of cmds) {
    const id = cmd.args[0];
    if (cmd.args.length !== 1 || id === undefined || id.type !== "identifier") return null;
    const fn = funcs.get((id as IdentifierNode).ident);
    if (fn === undefined) return null;
    names.push(id.ident);
    fns.push(fn);
  }
  return { funcs, version: funcs.version, field, name: field.ident[0] as string, cmds, names, fns };
}

/**
 * One node of a list as the plain walker runs it: text, an action with a plan, or any other node.
 * Every step has the same shape, so walking a list reads them without a dispatch on node kinds.
 */
export interface ListStep {
  /** The text of a text node, or null. */
  readonly text: string | null;
  /** The plan of an action's pipeline, or null. */
  readonly plan: PipePlan | null;
  readonly node: Node;
}

/** The steps of `list` in a set with functions `funcs`. */
export function listSteps(list: ListNode, funcs: FuncMap): readonly ListStep[] {
  return list.nodes.map((node) => {
    if (node.type === "text") return { text: node.text, plan: null, node };
    if (node.type === "action") return { text: null, plan: planPipeline(node.pipe, funcs), node };
    return { text: null, plan: null, node };
  });
}
