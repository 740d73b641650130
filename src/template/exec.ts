/**
 * The executor of Go's text/template over JavaScript data.
 *
 * {@link ExecState} holds one execution: the variable stack, the current template and node
 * (for error messages), the invocation depth and the output. Its evaluation methods are public
 * so that a second walker over the same trees (the live-tree compiler) evaluates pipelines,
 * truth, ranges and template calls exactly as {@link ExecState.walk} does, and so produces
 * byte-identical text.
 *
 * How JavaScript values play Go's values is described in value.ts; numbers and printing in
 * fmt.ts.
 */
import { LiveTemplateError } from "../errors.js";
import { TrustedContent } from "./content.js";
import { TemplateDepthError, TemplateExecError, TemplateUndefinedError } from "./errors.js";
import { goTypeName, printValue as fmtPrintValue, sprintf } from "./fmt.js";
import { quote } from "./fmt-quote.js";
import { BUILTINS, callFunction, type Builtin } from "./funcs.js";
import { FuncMap, listSteps, type ListStep, type PipePlan, type TemplateFunction } from "./fast-pipe.js";
import type {
  AnyNode,
  ArgNode,
  ChainNode,
  CommandNode,
  IdentifierNode,
  ListNode,
  Node,
  NumberNode,
  PipeNode,
  RangeNode,
  TemplateNode,
  Tree,
  VariableNode,
} from "./node.js";
import { nodeToString } from "./node-string.js";
import { errorContext } from "./parse.js";
import { getProperty, getPropertyAfterRead, isPlainObject, isTrue, sortedMapEntries, sortedObjectKeys } from "./value.js";

export type { TemplateFunction } from "./fast-pipe.js";

/** What a missing map key evaluates to (Go's `missingkey` option). */
export type MissingKeyMode = "default" | "zero" | "error";

/**
 * Default limit of nested `{{template}}` invocations. Go allows 100000, which a JavaScript
 * stack cannot hold. On Node's default stack a recursive template whose body nests three
 * control structures overflows after about 450 levels (a plain one after about 1900), so 256
 * leaves room for the caller's own frames and heavier bodies; deeper real-world recursion
 * (menus, comment threads) is rare. Should the stack still run out first, the error is a
 * TemplateDepthError all the same.
 */
export const DEFAULT_MAX_DEPTH = 256;

/**
 * Everything an execution reads besides the data: the trees by name, the user (and escaper)
 * functions, and the options. Shared by all templates associated with one another.
 */
export class TemplateSet {
  /** Trees by template name. */
  readonly trees = new Map<string, Tree>();
  /** User functions by name; they take precedence over builtins of the same name. */
  readonly funcs = new FuncMap();
  /**
   * Behaviour on a missing map key: `default` gives the invalid value (printed `<no value>`),
   * `zero` a nil (also printed `<no value>`, but a field of it is an error), `error` fails.
   */
  missingKey: MissingKeyMode = "default";
  /** Limit of nested template invocations. */
  maxDepth = DEFAULT_MAX_DEPTH;

  /** True when `name` is a user or builtin function (the parser's `isFunc`). */
  hasFunc(name: string): boolean {
    return this.funcs.has(name) || BUILTINS.has(name);
  }
}

/** Options of an {@link ExecState}. */
export interface ExecOptions {
  /** Overrides the set's limit of nested template invocations. */
  maxDepth?: number;
}

/**
 * Outcome of walking a node: go on, or leave the innermost range by `{{break}}` or
 * `{{continue}}`. A walker returns the signal up through lists, ifs and withs until the
 * range that owns it consumes it (see {@link ExecState.eachRange}).
 */
export type WalkSignal = 0 | 1 | 2;
/** Walking finished normally. */
export const WALK_NEXT = 0;
/** A `{{break}}` was reached. */
export const WALK_BREAK = 1;
/** A `{{continue}}` was reached. */
export const WALK_CONTINUE = 2;

/**
 * A template invocation in progress, returned by {@link ExecState.enterTemplate} and handed
 * back to {@link ExecState.leaveTemplate}.
 */
export interface TemplateFrame {
  /** The invoked tree; walk `tree.root`. */
  readonly tree: Tree;
  /** Dot (and `$`) inside the invoked template. */
  readonly dot: unknown;
  readonly callerTree: Tree;
  readonly callerBase: number;
  readonly callerDotIface: boolean;
  readonly mark: number;
}

/** The steps of each list for the function map (and its version) they were planned with. */
const listPlans = new WeakMap<ListNode, { funcs: FuncMap; version: number; steps: readonly ListStep[] }>();

/** Marks "no value from a previous command" (Go's missingVal). */
const NO_FINAL: unique symbol = Symbol("no final value");
/** The head of a field chain, typed interface {} (a range element) or concretely. */
const IFACE_HEAD: unique symbol = Symbol("interface head");
const CONCRETE_HEAD: unique symbol = Symbol("concrete head");
type Final = unknown;

/** Whether a value is a Go map, whose element type (for JavaScript data) is interface {}. */
function isMapLike(v: unknown): boolean {
  return typeof v === "object" && v !== null && (v instanceof Map || isPlainObject(v));
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

function isHexInt(s: string): boolean {
  return s.length > 2 && s[0] === "0" && (s[1] === "x" || s[1] === "X") && !/[pP]/.test(s);
}

/**
 * One execution of a template set. Create one per execution (it is cheap); call
 * {@link begin} with the data, then walk.
 *
 * The plain executor is {@link walk}, which appends to {@link out}. A second walker uses:
 * - {@link evalPipeline} for actions and the pipelines of if/with/range (it pushes declared
 *   variables, so take {@link mark} before and {@link pop} after the control structure);
 * - {@link isTrue} for if/with, {@link eachRange} (or {@link rangeValue} + {@link rangeOver}, and
 *   {@link rangeIndex} to re-run one item) for range, {@link enterTemplate}/{@link leaveTemplate}
 *   for `{{template}}`;
 * - {@link printValue} for the text an action prints;
 * - {@link wrapError} on anything thrown, to get Go-worded template errors.
 *
 * @example
 * const st = new ExecState(set, tree);
 * const dot = st.begin(data);
 * try { st.walk(dot, tree.root); } catch (e) { throw st.wrapError(e); }
 * return st.out;
 */
export class ExecState {
  /** The set whose trees and functions the execution uses. */
  readonly set: TemplateSet;
  /** The tree being executed; it changes inside `{{template}}` invocations. */
  tree: Tree;
  /** Text written by {@link walk}. */
  out = "";
  /** The node being evaluated, for error messages. */
  node: AnyNode | null = null;
  /** Number of template invocations in progress. */
  depth = 0;
  /** Limit of nested template invocations for this execution. */
  readonly maxDepth: number;
  /**
   * Whether dot holds an element of a range over a container, whose static Go type is
   * interface {}; it only changes how "can't evaluate field" errors name the type. A walker
   * sets it to false while dot is a `with` value; eachRange and enterTemplate maintain it.
   */
  dotIface = false;
  private readonly names: string[] = [];
  private readonly values: unknown[] = [];
  /** Per variable: holds a range element (static type interface {}), like dotIface. */
  private readonly ifaces: boolean[] = [];
  /** First variable visible to the current template (templates inherit no variables). */
  private base = 0;

  constructor(set: TemplateSet, tree: Tree, options: ExecOptions = {}) {
    this.set = set;
    this.tree = tree;
    this.maxDepth = options.maxDepth ?? set.maxDepth;
  }

  /**
   * Starts an execution with `data`: clears the output and variables, binds `$`, and returns
   * dot. A top-level `null` is Go's `Execute(nil)`, the invalid value, like `undefined`.
   */
  begin(data: unknown): unknown {
    const dot = data === null ? undefined : data;
    this.out = "";
    this.names.length = 0;
    this.values.length = 0;
    this.ifaces.length = 0;
    this.dotIface = false;
    this.base = 0;
    this.depth = 0;
    this.node = null;
    this.push("$", dot);
    return dot;
  }

  // ---- errors ----

  /** Builds Go's execution error text for `message` at the current node. */
  errorMessage(message: string): string {
    const name = this.tree.name;
    const node = this.node;
    if (node === null) return `template: ${name}: ${message}`;
    const { location, context } = errorContext(this.tree, node);
    return `template: ${location}: executing ${quote(name, false)} at <${context}>: ${message}`;
  }

  /** Throws a {@link TemplateExecError} for `message` at the current node. */
  fail(message: string): never {
    throw new TemplateExecError(this.errorMessage(message));
  }

  /**
   * Turns anything thrown during a walk into a template error: library errors pass through,
   * other errors (a throwing getter, a stack overflow) become a TemplateExecError at the
   * current node with the original as `cause`.
   */
  wrapError(err: unknown): LiveTemplateError {
    if (err instanceof LiveTemplateError) return err;
    if (err instanceof RangeError && /call stack/i.test(err.message)) {
      return new TemplateDepthError(
        `template: ${this.tree.name}: exceeded maximum template depth: JavaScript stack exhausted at depth ${this.depth}`,
      );
    }
    try {
      return new TemplateExecError(this.errorMessage(messageOf(err)), { cause: err });
    } catch {
      return new TemplateExecError(`template: ${this.tree.name}: ${messageOf(err)}`, { cause: err });
    }
  }

  // ---- variables ----

  /** Height of the variable stack, to {@link pop} back to. */
  mark(): number {
    return this.names.length;
  }

  /** Drops variables declared since `mark`. */
  pop(mark: number): void {
    // Setting length is not free even when unchanged, and this runs once per range iteration.
    if (this.names.length === mark) return;
    this.names.length = mark;
    this.values.length = mark;
    this.ifaces.length = mark;
  }

  /** Declares a variable (`$x := ...`). */
  push(name: string, value: unknown): void {
    this.names.push(name);
    this.values.push(value);
    this.ifaces.push(false);
  }

  /** Assigns the innermost visible variable `name` (`$x = ...`). */
  setVar(name: string, value: unknown, iface = false): void {
    const i = this.varIndex(name);
    this.values[i] = value;
    this.ifaces[i] = iface;
  }

  /** Value of the innermost visible variable `name`. */
  varValue(name: string): unknown {
    return this.values[this.varIndex(name)];
  }

  private varIndex(name: string): number {
    for (let i = this.names.length - 1; i >= this.base; i--) {
      if (this.names[i] === name) return i;
    }
    return this.fail(`undefined variable: ${name}`);
  }

  // ---- walking ----

  /**
   * The plain executor: writes the text of `node` to {@link out}. Returns a {@link WalkSignal}
   * when a `{{break}}` or `{{continue}}` ends the walk early.
   */
  walk(dot: unknown, node: Node): WalkSignal {
    // Control structures are handled inline and lists by walkList, to keep the number of
    // stack frames per nesting level low (recursive templates nest deeply).
    switch (node.type) {
      case "text":
        this.out += node.text;
        return WALK_NEXT;
      case "action": {
        this.node = node;
        const pipe = node.pipe;
        const value = this.evalPipeline(dot, pipe);
        if (pipe.decl.length === 0) {
          this.node = node;
          this.out += typeof value === "string" ? value : this.printValue(value);
        }
        return WALK_NEXT;
      }
      case "list":
        return this.walkList(dot, node);
      case "if":
      case "with": {
        const mark = this.names.length;
        this.node = node;
        const value = this.evalPipeline(dot, node.pipe);
        let signal: WalkSignal = WALK_NEXT;
        if (isTrue(value)) {
          if (node.type === "with") {
            const iface = this.dotIface;
            this.dotIface = false;
            signal = this.walkList(value, node.list);
            this.dotIface = iface;
          } else {
            signal = this.walkList(dot, node.list);
          }
        } else if (node.elseList !== null) {
          signal = this.walkList(dot, node.elseList);
        }
        this.pop(mark);
        return signal;
      }
      case "range": {
        const elseList = node.elseList;
        return this.eachRange(dot, node, null, elseList === null ? null : () => this.walkList(dot, elseList));
      }
      case "template": {
        const frame = this.enterTemplate(dot, node);
        this.walkList(frame.dot, frame.tree.root);
        this.leaveTemplate(frame);
        return WALK_NEXT;
      }
      case "break":
        return WALK_BREAK;
      case "continue":
        return WALK_CONTINUE;
      case "comment":
        return WALK_NEXT;
      default: {
        const never: never = node;
        return never;
      }
    }
  }

  /** Walks the nodes of a list in order; stops at the first break or continue signal. */
  walkList(dot: unknown, list: ListNode): WalkSignal {
    // Text and planned actions, most of any list, are run here as `walk` would run them.
    const steps = this.stepsOf(list);
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i] as ListStep;
      if (step.text !== null) {
        this.out += step.text;
        continue;
      }
      const node = step.node;
      if (step.plan !== null && node.type === "action") {
        this.node = node;
        const value = this.evalPlanned(dot, node.pipe, step.plan);
        this.node = node;
        this.out += typeof value === "string" ? value : this.printValue(value);
        continue;
      }
      const signal = this.walk(dot, node);
      if (signal !== WALK_NEXT) return signal;
    }
    return WALK_NEXT;
  }

  private stepsOf(list: ListNode): readonly ListStep[] {
    const funcs = this.set.funcs;
    const hit = listPlans.get(list);
    if (hit !== undefined && hit.funcs === funcs && hit.version === funcs.version) return hit.steps;
    const steps = listSteps(list, funcs);
    listPlans.set(list, { funcs, version: funcs.version, steps });
    return steps;
  }

  /** Go 1.22 rejects two range variables over an integer. */
  private checkIntegerPair(value: unknown): void {
    if (typeof value === "bigint" || (typeof value === "number" && Number.isInteger(value))) {
      this.fail(`can't use ${fmtPrintValue(value)} to iterate over more than one variable`);
    }
  }

  /**
   * Runs a `{{range}}`: evaluates its pipeline, and for each item sets the range variables and
   * calls `body` with the element as dot (a null `body` walks the range's own list). Variables
   * the body declares are dropped after each iteration; {@link WALK_BREAK} from `body` stops the
   * loop, {@link WALK_CONTINUE} ends only the iteration. When nothing was iterated, `orElse` runs (with the pipeline's declared
   * variables still visible, holding the range value, as in Go) and its signal is returned,
   * since a break there belongs to an enclosing range. The pipeline's variables are dropped
   * at the end.
   */
  eachRange(
    dot: unknown,
    node: RangeNode,
    body: ((elem: unknown, key: unknown) => WalkSignal) | null,
    orElse: (() => WalkSignal) | null,
  ): WalkSignal {
    const outer = this.names.length;
    const value = this.rangeValue(dot, node);
    const signal = this.rangeOver(node, value, body, orElse);
    this.pop(outer);
    return signal;
  }

  /**
   * Evaluates a range's pipeline, as {@link eachRange} does first; its declared variables are
   * pushed, so take {@link mark} before and {@link pop} after the whole range.
   */
  rangeValue(dot: unknown, node: RangeNode): unknown {
    this.node = node;
    return this.evalPipeline(dot, node.pipe);
  }

  /**
   * Iterates `value`, the result of {@link rangeValue} for `node`: the loop of {@link eachRange}
   * without the pipeline, for a walker that needs the value before it decides how to iterate.
   */
  rangeOver(
    node: RangeNode,
    value: unknown,
    body: ((elem: unknown, key: unknown) => WalkSignal) | null,
    orElse: (() => WalkSignal) | null,
  ): WalkSignal {
    // A null body walks the range's own list: the plain walker's call stays direct (a call
    // through `body` from several walkers would be polymorphic on the hot path).
    const list = node.list;
    const mark = this.names.length;
    const pipe = node.pipe;
    const iface = this.dotIface;
    let ran = false;
    if (Array.isArray(value)) {
      this.dotIface = true;
      const arr: unknown[] = value;
      for (let i = 0; i < arr.length; i++) {
        ran = true;
        let elem = arr[i];
        if (elem === undefined) elem = null;
        this.setRangeVars(pipe, i, elem);
        const signal = body === null ? this.walkList(elem, list) : body(elem, i);
        this.pop(mark);
        if (signal === WALK_BREAK) break;
      }
    } else {
      if (pipe.decl.length > 1) this.checkIntegerPair(value);
      this.dotIface = typeof value !== "number" && typeof value !== "bigint";
      for (const [key, elem] of this.rangeItems(value)) {
        ran = true;
        this.setRangeVars(pipe, key, elem);
        const signal = body === null ? this.walkList(elem, list) : body(elem, key);
        this.pop(mark);
        if (signal === WALK_BREAK) break;
      }
    }
    this.dotIface = iface;
    let signal: WalkSignal = WALK_NEXT;
    if (!ran && orElse !== null) signal = orElse();
    return signal;
  }

  /**
   * Runs one iteration of {@link rangeOver} over an array, the element at index `i`, alone: for
   * a walker that re-runs only some items of a list it iterated before.
   */
  rangeIndex<T>(node: RangeNode, i: number, elem: unknown, body: (elem: unknown) => T): T {
    // As in rangeOver, nothing is restored when body throws: the execution is over.
    const mark = this.names.length;
    const iface = this.dotIface;
    this.dotIface = true;
    const e = elem === undefined ? null : elem;
    this.setRangeVars(node.pipe, i, e);
    const out = body(e);
    this.pop(mark);
    this.dotIface = iface;
    return out;
  }

  /**
   * The items a range over `value` visits, as [key or index, element] pairs: arrays by index,
   * non-negative integers n as 0..n-1, Maps and plain objects in Go's sorted key order (keys
   * with an `undefined` value skipped), Sets and other iterables by position. `null` and
   * `undefined` give nothing (the else branch). Anything else is an exec error.
   */
  rangeItems(value: unknown): Iterable<readonly [unknown, unknown]> {
    if (value === undefined || value === null) return [];
    if (Array.isArray(value)) {
      return value.map((elem: unknown, i) => [i, elem === undefined ? null : elem] as const);
    }
    if (typeof value === "number" || typeof value === "bigint") {
      if (typeof value === "number" && !Number.isInteger(value)) {
        this.fail(`range can't iterate over ${fmtPrintValue(value)}`);
      }
      const n = Number(value);
      return (function* () {
        for (let i = 0; i < n; i++) yield [i, i] as const;
      })();
    }
    if (typeof value === "object") {
      if (value instanceof Map) {
        return sortedMapEntries(value as Map<unknown, unknown>).map(
          ([k, v]) => [k, v === undefined ? null : v] as const,
        );
      }
      if (isPlainObject(value)) {
        const rec = value as Record<string, unknown>;
        return sortedObjectKeys(value).map((k) => [k, rec[k]] as const);
      }
      if (Symbol.iterator in value && typeof value[Symbol.iterator] === "function") {
        const iterable = value as Iterable<unknown>;
        return (function* () {
          let i = 0;
          for (const elem of iterable) yield [i++, elem === undefined ? null : elem] as const;
        })();
      }
    }
    return this.fail(`range can't iterate over ${fmtPrintValue(value)}`);
  }

  /** Sets a range's variables for one iteration: one variable is the element, two are key and element. */
  setRangeVars(pipe: PipeNode, key: unknown, elem: unknown): void {
    const decl = pipe.decl;
    if (decl.length === 0) return;
    const iface = this.dotIface;
    if (pipe.isAssign) {
      if (decl.length > 1) {
        this.setVar((decl[0] as VariableNode).ident[0] as string, key);
        this.setVar((decl[1] as VariableNode).ident[0] as string, elem, iface);
      } else {
        this.setVar((decl[0] as VariableNode).ident[0] as string, elem, iface);
      }
      return;
    }
    const top = this.values.length;
    this.values[top - 1] = elem;
    this.ifaces[top - 1] = iface;
    if (decl.length > 1) this.values[top - 2] = key;
  }

  /**
   * Starts a `{{template "name" pipe}}`: finds the tree, checks the depth limit, evaluates the
   * argument in the caller's scope (its declared variables persist there), then enters the
   * callee's scope, where only `$` (= the argument) is visible. Walk `frame.tree.root` with
   * `frame.dot`, then call {@link leaveTemplate}.
   */
  enterTemplate(dot: unknown, node: TemplateNode): TemplateFrame {
    this.node = node;
    const tree = this.set.trees.get(node.name);
    if (tree === undefined) {
      throw new TemplateUndefinedError(this.errorMessage(`template ${quote(node.name, false)} not defined`));
    }
    if (this.depth >= this.maxDepth) {
      throw new TemplateDepthError(this.errorMessage(`exceeded maximum template depth (${this.maxDepth})`));
    }
    const newDot = node.pipe === null ? undefined : this.evalPipeline(dot, node.pipe);
    const frame: TemplateFrame = {
      tree,
      dot: newDot,
      callerTree: this.tree,
      callerBase: this.base,
      callerDotIface: this.dotIface,
      mark: this.names.length,
    };
    this.dotIface = false;
    this.depth++;
    this.tree = tree;
    this.base = this.names.length;
    this.push("$", newDot);
    return frame;
  }

  /** Ends the invocation started by {@link enterTemplate}. */
  leaveTemplate(frame: TemplateFrame): void {
    this.pop(frame.mark);
    this.base = frame.callerBase;
    this.tree = frame.callerTree;
    this.dotIface = frame.callerDotIface;
    this.depth--;
  }

  /**
   * Go's truth of a pipeline value (for if/with). All JavaScript values have a truth value,
   * so this never fails.
   */
  isTrue(value: unknown): boolean {
    return isTrue(value);
  }

  /**
   * The text an action prints for a pipeline's final value: `<no value>` for the invalid value
   * (`undefined`), fmt's `%v` otherwise. A function cannot be printed (exec error).
   */
  printValue(value: unknown): string {
    if (typeof value === "string") return value;
    if (value === undefined) return "<no value>";
    if (typeof value === "function") {
      const node = this.node;
      this.fail(`can't print ${node === null ? "value" : nodeToString(node)} of type ${goTypeName(value)}`);
    }
    return fmtPrintValue(value);
  }

  // ---- evaluation ----

  /**
   * Evaluates a pipeline and returns its final value; declared variables are pushed (`:=`) or
   * assigned (`=`). A final `null` is returned as `undefined` (Go digs the nil out of the
   * interface, so `{{.nullField}}` prints `<no value>`).
   */
  evalPipeline(dot: unknown, pipe: PipeNode): unknown {
    this.node = pipe;
    const cmds = pipe.cmds;
    let value: unknown = NO_FINAL;
    for (let i = 0; i < cmds.length; i++) {
      value = this.evalCommand(dot, cmds[i] as CommandNode, value);
      if (value === null) value = undefined;
    }
    if (value === NO_FINAL) value = undefined;
    const decl = pipe.decl;
    for (let i = 0; i < decl.length; i++) {
      const name = (decl[i] as VariableNode).ident[0] as string;
      if (pipe.isAssign) this.setVar(name, value);
      else this.push(name, value);
    }
    return value;
  }

  /**
   * Evaluates `pipe` through its {@link PipePlan} (see fast-pipe.ts): the same value, the same
   * calls in the same order and the same errors as {@link evalPipeline}, without looking up
   * the functions or dispatching on node kinds. A plan made for other functions, or for an
   * older version of this set's, falls back to evalPipeline.
   */
  evalPlanned(dot: unknown, pipe: PipeNode, plan: PipePlan): unknown {
    const funcs = this.set.funcs;
    if (plan.funcs !== funcs || plan.version !== funcs.version) return this.evalPipeline(dot, pipe);
    this.node = pipe;
    const field = plan.field;
    this.node = field;
    // As evalField (evalFieldChain's only step for a one-name chain), with its plain-object case
    // inline: getProperty's first read, and only when that finds no data its remaining steps,
    // so that the property is read as many times as evalField reads it.
    const name = plan.name;
    const args = (pipe.cmds[0] as CommandNode).args;
    let value: unknown;
    if (
      typeof dot === "object" &&
      dot !== null &&
      (dot as { constructor?: unknown }).constructor === Object &&
      !Array.isArray(dot) &&
      name !== "__proto__"
    ) {
      value = (dot as Record<string, unknown>)[name];
      if (value === undefined || typeof value === "function") {
        value = this.fieldValue(dot, name, field, args, NO_FINAL, dot, getPropertyAfterRead(dot, name));
      }
    } else {
      value = this.evalField(dot, name, field, args, NO_FINAL, dot, this.dotIface ? IFACE_HEAD : CONCRETE_HEAD);
    }
    if (value === null) value = undefined;
    const fns = plan.fns;
    for (let i = 0; i < fns.length; i++) {
      const cmd = plan.cmds[i] as CommandNode;
      this.node = cmd.args[0] as ArgNode;
      const f = fns[i] as (this: unknown, ...a: unknown[]) => unknown;
      let result: unknown;
      try {
        result = f.call(undefined, value === undefined ? null : value);
      } catch (err) {
        this.node = cmd;
        return this.failCall(plan.names[i] as string, err);
      }
      if (result instanceof Promise) this.failPromise(cmd, plan.names[i] as string, result);
      value = result === null ? undefined : result;
    }
    return value;
  }

  private evalCommand(dot: unknown, cmd: CommandNode, final: Final): unknown {
    const args = cmd.args;
    const first = args[0] as ArgNode;
    switch (first.type) {
      case "field": {
        this.node = first;
        // A one-name chain is its last (and only) step.
        if (first.ident.length === 1) {
          return this.evalField(dot, first.ident[0] as string, first, args, final, dot, this.dotIface ? IFACE_HEAD : CONCRETE_HEAD);
        }
        return this.evalFieldChain(dot, dot, first, first.ident, 0, args, final, this.dotIface);
      }
      case "chain":
        return this.evalChainNode(dot, first, args, final);
      case "identifier":
        return this.evalFunction(dot, first, cmd, args, final);
      case "pipe":
        this.notAFunction(args, final);
        return this.evalPipeline(dot, first);
      case "variable":
        return this.evalVariableNode(dot, first, args, final);
      default:
        break;
    }
    this.node = first;
    this.notAFunction(args, final);
    switch (first.type) {
      case "bool":
        return first.value;
      case "dot":
        return dot;
      case "nil":
        return this.fail("nil is not a command");
      case "number":
        return this.idealConstant(first);
      case "string":
        return first.text;
      default: {
        const never: never = first;
        return never;
      }
    }
  }

  private notAFunction(args: readonly ArgNode[], final: Final): void {
    if (args.length > 1 || final !== NO_FINAL) {
      this.fail(`can't give argument to non-function ${nodeToString(args[0] as ArgNode)}`);
    }
  }

  /** The value of a number literal where no type is known, as Go's idealConstant. */
  private idealConstant(n: NumberNode): unknown {
    this.node = n;
    if (n.isComplex) return this.fail(`complex constant ${n.text} is not supported`);
    const text = n.text;
    if (n.isFloat && !isHexInt(text) && text[0] !== "'" && /[.eEpP]/.test(text)) return n.float64;
    if (n.isInt) {
      const x = Number(n.int64);
      return Number.isSafeInteger(x) ? x : n.int64;
    }
    if (n.isUint) return this.fail(`${text} overflows int`);
    return undefined;
  }

  private evalFieldChain(
    dot: unknown,
    receiver: unknown,
    node: AnyNode,
    ident: readonly string[],
    start: number,
    args: readonly ArgNode[] | null,
    final: Final,
    headIface: boolean,
  ): unknown {
    const last = ident.length - 1;
    // The container a receiver was read from decides only how an error names its type, so it
    // is passed along and inspected only then.
    let parent: unknown = headIface ? IFACE_HEAD : CONCRETE_HEAD;
    for (let i = start; i < last; i++) {
      const container = receiver;
      receiver = this.evalField(dot, ident[i] as string, node, null, NO_FINAL, receiver, parent);
      parent = container;
    }
    return this.evalField(dot, ident[last] as string, node, args, final, receiver, parent);
  }

  private evalChainNode(dot: unknown, chain: ChainNode, args: readonly ArgNode[] | null, final: Final): unknown {
    this.node = chain;
    if (chain.field.length === 0) this.fail("internal error: no fields in evalChainNode");
    if (chain.node.type === "nil") this.fail(`indirection through explicit nil in ${nodeToString(chain)}`);
    const receiver = this.evalArg(dot, chain.node);
    return this.evalFieldChain(dot, receiver, chain, chain.field, 0, args, final, false);
  }

  private evalVariableNode(dot: unknown, v: VariableNode, args: readonly ArgNode[] | null, final: Final): unknown {
    this.node = v;
    const index = this.varIndex(v.ident[0] as string);
    const value = this.values[index];
    if (v.ident.length === 1) {
      if (args !== null) this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(dot, value, v, v.ident, 1, args, final, this.ifaces[index] === true);
  }

  /**
   * Evaluates `.name` on `receiver`, calling it when it is a function (a method). `args` are the
   * command's argument nodes (args[0] is the field itself) when this is the last field of a
   * command; `final` the previous command's value.
   */
  private evalField(
    dot: unknown,
    name: string,
    node: AnyNode,
    args: readonly ArgNode[] | null,
    final: Final,
    receiver: unknown,
    parent: unknown = CONCRETE_HEAD,
  ): unknown {
    if (receiver === undefined) {
      if (this.set.missingKey === "error") this.fail(`nil data; no entry for key ${quote(name, false)}`);
      return undefined;
    }
    if (receiver === null) return this.fail(`nil pointer evaluating interface {}.${name}`);
    if (typeof receiver === "object") {
      let value: unknown;
      if ((receiver as { constructor?: unknown }).constructor === Object && !Array.isArray(receiver)) {
        // Plain data objects, the common case, skip the kind checks below.
        value = getProperty(receiver, name);
      } else if (receiver instanceof Map) {
        value = (receiver as Map<unknown, unknown>).get(name);
      } else if (Array.isArray(receiver) || !this.hasFields(receiver)) {
        return this.failField(name, receiver, parent);
      } else {
        value = getProperty(receiver, name);
      }
      return this.fieldValue(dot, name, node, args, final, receiver, value);
    }
    return this.failField(name, receiver, parent);
  }

  /** The end of {@link evalField}, given the property `value` read from the object `receiver`. */
  private fieldValue(
    dot: unknown,
    name: string,
    node: AnyNode,
    args: readonly ArgNode[] | null,
    final: Final,
    receiver: object,
    value: unknown,
  ): unknown {
    if (typeof value === "function") {
      return this.evalCall(dot, value as TemplateFunction, receiver, node, name, args, final);
    }
    if ((args !== null && args.length > 1) || final !== NO_FINAL) {
      this.fail(`${name} is not a method but has arguments`);
    }
    if (value === undefined) {
      // Go's zero value of an interface{} element is a nil interface: printed as
      // <no value>, but a further field of it is a nil-pointer error.
      if (this.set.missingKey === "zero") return null;
      if (this.set.missingKey === "error") this.fail(`map has no entry for key ${quote(name, false)}`);
    }
    return value;
  }

  /** A value read from a map, or a range element, has Go's static type interface {}, which Go names here. */
  private failField(name: string, receiver: unknown, parent: unknown): never {
    const iface = parent === IFACE_HEAD || (parent !== CONCRETE_HEAD && isMapLike(parent));
    return this.fail(`can't evaluate field ${name} in type ${iface ? "interface {}" : goTypeName(receiver)}`);
  }

  /** Objects whose properties are template fields: not arrays, Sets, typed arrays or trusted strings. */
  private hasFields(obj: object): boolean {
    if (isPlainObject(obj)) return true;
    return !(obj instanceof Set || ArrayBuffer.isView(obj) || obj instanceof TrustedContent);
  }

  private evalFunction(
    dot: unknown,
    node: IdentifierNode,
    cmd: AnyNode,
    args: readonly ArgNode[] | null,
    final: Final,
  ): unknown {
    this.node = node;
    const name = node.ident;
    const fn = this.set.funcs.get(name);
    if (fn !== undefined) return this.evalCall(dot, fn, undefined, cmd, name, args, final);
    const builtin = BUILTINS.get(name);
    if (builtin === undefined) return this.fail(`${quote(name, false)} is not a defined function`);
    return this.evalBuiltin(dot, builtin, cmd, name, args, final);
  }

  /** Calls a user function or method with the evaluated arguments (missing values as `null`). */
  private evalCall(
    dot: unknown,
    fn: TemplateFunction,
    thisArg: unknown,
    node: AnyNode,
    name: string,
    args: readonly ArgNode[] | null,
    final: Final,
  ): unknown {
    if (args === null || args.length === 1) {
      // The common shapes (`.Method`, `x | fn`, escaper calls) need no argument array.
      const f = fn as (this: unknown, ...a: unknown[]) => unknown;
      let result: unknown;
      try {
        result = final === NO_FINAL ? f.call(thisArg) : f.call(thisArg, final === undefined ? null : final);
      } catch (err) {
        this.node = node;
        return this.failCall(name, err);
      }
      if (result instanceof Promise) this.failPromise(node, name, result);
      return result;
    }
    const argv: unknown[] = [];
    if (args !== null) {
      for (let i = 1; i < args.length; i++) {
        const v = this.evalArg(dot, args[i] as ArgNode);
        argv.push(v === undefined ? null : v);
      }
    }
    if (final !== NO_FINAL) argv.push(final === undefined ? null : final);
    let result: unknown;
    try {
      result = Reflect.apply(fn, thisArg, argv) as unknown;
    } catch (err) {
      this.node = node;
      return this.failCall(name, err);
    }
    if (result instanceof Promise) this.failPromise(node, name, result);
    return result;
  }

  /** Execution is synchronous: an async function's promise would print as `{}`. */
  private failPromise(node: AnyNode, name: string, promise: Promise<unknown>): never {
    promise.catch(() => undefined); // the result is abandoned; keep a rejection from going unhandled
    this.node = node;
    return this.fail(`error calling ${name}: it returned a Promise; template functions must be synchronous`);
  }

  private failCall(name: string, err: unknown): never {
    throw new TemplateExecError(this.errorMessage(`error calling ${name}: ${messageOf(err)}`), { cause: err });
  }

  private evalBuiltin(
    dot: unknown,
    builtin: Builtin,
    cmd: AnyNode,
    name: string,
    args: readonly ArgNode[] | null,
    final: Final,
  ): unknown {
    const nargs = args === null ? 0 : args.length - 1;
    const numIn = nargs + (final === NO_FINAL ? 0 : 1);
    if (builtin.variadic) {
      if (numIn < builtin.arity) {
        this.fail(`wrong number of args for ${name}: want at least ${builtin.arity} got ${nargs}`);
      }
    } else if (numIn !== builtin.arity) {
      this.fail(`wrong number of args for ${name}: want ${builtin.arity} got ${numIn}`);
    }
    if (name === "and" || name === "or") {
      const wantTrue = name === "or";
      let v: unknown = undefined;
      for (let i = 1; i <= nargs; i++) {
        v = this.evalArg(dot, (args as readonly ArgNode[])[i] as ArgNode);
        if (isTrue(v) === wantTrue) return v;
      }
      if (final !== NO_FINAL) v = final;
      return v;
    }
    let thisArg: unknown = undefined;
    const argv: unknown[] = [];
    for (let i = 1; i <= nargs; i++) {
      const argNode = (args as readonly ArgNode[])[i] as ArgNode;
      if (i === 1 && name === "call") {
        const callee = this.evalCallee(dot, argNode);
        thisArg = callee.thisArg;
        argv.push(callee.fn);
      } else if (argNode.type === "nil") {
        // A builtin's parameters are reflect.Values in Go: a literal nil arrives invalid.
        this.node = argNode;
        argv.push(undefined);
      } else {
        argv.push(this.evalArg(dot, argNode));
      }
      if (i === 1 && name === "printf") this.checkFormat(argNode, argv[0]);
    }
    if (final !== NO_FINAL) {
      if (nargs === 0 && name === "printf") this.checkFormat(null, final);
      argv.push(final);
    }
    try {
      if (name === "call") {
        const fnArgs = argv.slice(1).map((v) => (v === undefined ? null : v));
        return callFunction(argv[0], thisArg, fnArgs, nodeToString((args as readonly ArgNode[])[1] as ArgNode));
      }
      if (name === "printf") return sprintf(argv[0] as string, argv.slice(1));
      return builtin.fn(argv);
    } catch (err) {
      this.node = cmd;
      return this.failCall(name, err);
    }
  }

  /** printf's format must be a string, as Go's typed parameter demands. */
  private checkFormat(argNode: ArgNode | null, value: unknown): void {
    if (typeof value === "string") return;
    if (argNode !== null) {
      this.node = argNode;
      switch (argNode.type) {
        case "bool":
        case "number":
          this.fail(`expected string; found ${nodeToString(argNode)}`);
          break;
        case "nil":
          this.fail("cannot assign nil to string");
          break;
        default:
          break;
      }
    }
    if (value === undefined) this.fail("invalid value; expected string");
    if (value === null) this.fail("wrong type for value; expected string; got interface {}");
    this.fail(`wrong type for value; expected string; got ${goTypeName(value)}`);
  }

  /**
   * The function `call` receives as its first argument: a field chain yields the property
   * itself (not its result) together with its receiver, so `call .Obj.Fn 1` calls Fn with
   * `this` = Obj. Other operands are evaluated as usual.
   */
  private evalCallee(dot: unknown, n: ArgNode): { fn: unknown; thisArg: unknown } {
    let receiver: unknown;
    let ident: readonly string[];
    let start = 0;
    switch (n.type) {
      case "field":
        this.node = n;
        receiver = dot;
        ident = n.ident;
        break;
      case "variable":
        if (n.ident.length === 1) return { fn: this.evalArg(dot, n), thisArg: undefined };
        this.node = n;
        receiver = this.varValue(n.ident[0] as string);
        ident = n.ident;
        start = 1;
        break;
      case "chain":
        this.node = n;
        if (n.node.type === "nil") this.fail(`indirection through explicit nil in ${nodeToString(n)}`);
        receiver = this.evalArg(dot, n.node);
        ident = n.field;
        break;
      default:
        return { fn: this.evalArg(dot, n), thisArg: undefined };
    }
    const last = ident.length - 1;
    for (let i = start; i < last; i++) {
      receiver = this.evalField(dot, ident[i] as string, n, null, NO_FINAL, receiver);
    }
    const name = ident[last] as string;
    if (typeof receiver === "object" && receiver !== null) {
      const fn = receiver instanceof Map ? (receiver as Map<unknown, unknown>).get(name) : getProperty(receiver, name);
      if (typeof fn === "function") return { fn, thisArg: receiver };
    }
    return { fn: this.evalField(dot, name, n, null, NO_FINAL, receiver), thisArg: undefined };
  }

  /** Evaluates a command argument (Go's evalArg for an `interface{}` parameter). */
  private evalArg(dot: unknown, n: ArgNode): unknown {
    this.node = n;
    switch (n.type) {
      case "dot":
        return dot;
      case "nil":
        return null;
      case "field":
        return this.evalFieldChain(dot, dot, n, n.ident, 0, null, NO_FINAL, this.dotIface);
      case "variable":
        return this.evalVariableNode(dot, n, null, NO_FINAL);
      case "pipe":
        return this.evalPipeline(dot, n);
      case "identifier":
        return this.evalFunction(dot, n, n, null, NO_FINAL);
      case "chain":
        return this.evalChainNode(dot, n, null, NO_FINAL);
      case "bool":
        return n.value;
      case "number":
        return this.idealConstant(n);
      case "string":
        return n.text;
      default: {
        const never: never = n;
        return never;
      }
    }
  }
}

/**
 * Executes `tree` of `set` with `data` and returns the text: the plain executor behind
 * `execute` and `executeTemplate`.
 * @throws TemplateExecError, TemplateUndefinedError or TemplateDepthError, worded as Go's.
 */
export function executeTree(set: TemplateSet, tree: Tree, data: unknown, options?: ExecOptions): string {
  const st = new ExecState(set, tree, options);
  const dot = st.begin(data);
  try {
    st.walk(dot, tree.root);
  } catch (err) {
    throw st.wrapError(err);
  }
  return st.out;
}
