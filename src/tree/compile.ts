/**
 * Compiles escaped template trees into blocks: the static text of a template body cut exactly at
 * its output-producing actions, plus one construct per gap. Compilation happens once per template
 * set; hydration (hydrate.ts) then only evaluates pipelines.
 */
import { KEY_ATTRIBUTES } from "../protocol/wire.js";
import type {
  ActionNode,
  IfNode,
  ListNode,
  Node,
  PipeNode,
  RangeNode,
  TemplateNode,
  Tree,
  WithNode,
} from "../template/node.js";
import { LiveTemplateError } from "../errors.js";
import { planPipeline, type FuncMap, type PipePlan } from "../template/fast-pipe.js";

/** `{{pipeline}}` that prints: the slot holds its escaped output. */
export interface ExprConstruct {
  readonly kind: "expr";
  readonly node: ActionNode;
  /** The pipeline resolved against the set's functions (see fast-pipe.ts), or null. */
  readonly plan: PipePlan | null;
}

/** One arm of an if/with chain. */
export interface Branch {
  readonly kind: "if" | "with";
  readonly node: IfNode | WithNode;
  readonly block: Block;
}

/** `{{if}}`/`{{with}}` with their else-if/else-with chain flattened; the slot holds the taken arm. */
export interface CondConstruct {
  readonly kind: "cond";
  readonly branches: Branch[];
  readonly elseBlock: Block | null;
}

/** `{{range}}`: the slot holds a range of `body` items, or the else arm when empty. */
export interface RangeConstruct {
  readonly kind: "range";
  readonly node: RangeNode;
  readonly body: Block;
  readonly elseBlock: Block | null;
  /** Slot of `body` that a key attribute names (PROTOCOL.md §4), or null for generated keys. */
  readonly keySlot: number | null;
}

/** `{{template "name" pipe}}`: the slot holds the invoked template's node. */
export interface CallConstruct {
  readonly kind: "call";
  readonly node: TemplateNode;
}

/**
 * A subtree that cannot be cut into fixed statics (a range whose body may stop early through
 * `{{break}}`/`{{continue}}`): rendered whole as one escaped string. Correct, just not minimal.
 */
export interface DynConstruct {
  readonly kind: "dyn";
  readonly node: Node;
}

/** What fills one gap of a block. */
export type Construct = ExprConstruct | CondConstruct | RangeConstruct | CallConstruct | DynConstruct;

/**
 * A step of a block, in template order. `effect` is an action that declares or assigns variables
 * and prints nothing; `open`/`close` bracket an inlined template invocation (a variable scope).
 */
export type Step =
  | { readonly kind: "slot"; readonly c: Construct }
  | { readonly kind: "effect"; readonly node: ActionNode }
  | { readonly kind: "open"; readonly node: TemplateNode }
  | { readonly kind: "close" };

/** Compiled body: `statics.length === slotCount + 1`. */
export interface Block {
  readonly id: number;
  readonly statics: string[];
  readonly steps: Step[];
  readonly slotCount: number;
}

let nextBlockId = 1;

/** Makes a block whose statics are given (used for synthetic blocks such as the page body). */
export function makeBlock(statics: string[], steps: Step[]): Block {
  let slotCount = 0;
  for (const s of steps) if (s.kind === "slot") slotCount++;
  if (statics.length !== slotCount + 1) {
    throw new LiveTemplateError("LT_ERR_TREE_COMPILE", "internal: statics do not match slots");
  }
  return { id: nextBlockId++, statics, steps, slotCount };
}


/** Finds the slot of `statics` whose static before it ends in a key attribute opening. */
export function findKeySlot(block: Block): number | null {
  const slotKinds: Construct["kind"][] = [];
  for (const s of block.steps) if (s.kind === "slot") slotKinds.push(s.c.kind);
  for (const attr of KEY_ATTRIBUTES) {
    const open = attr + '="';
    for (let i = 0; i < block.slotCount; i++) {
      const st = block.statics[i]!;
      if (!st.endsWith(open) || slotKinds[i] !== "expr") continue;
      const before = st.charAt(st.length - open.length - 1);
      if (before === " " || before === "\t" || before === "\n" || before === "\r" || before === "\f") return i;
    }
  }
  return null;
}

/** True when `list` may run `{{break}}`/`{{continue}}` for the innermost enclosing range. */
function hasLoopControl(list: ListNode | null): boolean {
  if (!list) return false;
  for (const n of list.nodes) {
    switch (n.type) {
      case "break":
      case "continue":
        return true;
      case "if":
      case "with":
        if (hasLoopControl(n.list) || hasLoopControl(n.elseList)) return true;
        break;
      case "list":
        if (hasLoopControl(n)) return true;
        break;
      case "range":
        // break/continue inside a nested range belong to it; its else arm runs in our loop.
        if (hasLoopControl(n.elseList)) return true;
        break;
      default:
        break;
    }
  }
  return false;
}

/** Compiles the templates of one escaped set, each name once. */
export class TreeCompiler {
  private readonly blocks = new Map<string, Block>();

  constructor(
    private readonly trees: ReadonlyMap<string, Tree>,
    private readonly funcs: FuncMap,
  ) {}

  /** The block of template `name`, or null when the set has no such template. */
  block(name: string): Block | null {
    const cached = this.blocks.get(name);
    if (cached) return cached;
    const tree = this.trees.get(name);
    if (!tree) return null;
    const b = this.compileList(tree.root, 0);
    this.blocks.set(name, b);
    return b;
  }

  /**
   * The root block of a page: like {@link block}, but top-level `{{template "x" .}}` invocations
   * are inlined (inside a variable scope) so that a `<body>` written in a layout template is found
   * in static text.
   */
  pageBlock(name: string): Block | null {
    const tree = this.trees.get(name);
    if (!tree) return null;
    return this.compileList(tree.root, 0, 4);
  }

  private compileList(list: ListNode, depth: number, inlineDepth = 0): Block {
    const statics: string[] = [""];
    const steps: Step[] = [];
    const addText = (t: string): void => {
      statics[statics.length - 1] += t;
    };
    const addSlot = (c: Construct): void => {
      steps.push({ kind: "slot", c });
      statics.push("");
    };
    const visit = (nodes: readonly Node[], inl: number): void => {
      for (const n of nodes) {
        switch (n.type) {
          case "text":
            addText(n.text);
            break;
          case "comment":
            break;
          case "list":
            visit(n.nodes, inl);
            break;
          case "action":
            if (n.pipe.decl.length > 0) steps.push({ kind: "effect", node: n });
            else addSlot({ kind: "expr", node: n, plan: planPipeline(n.pipe, this.funcs) });
            break;
          case "if":
          case "with":
            addSlot(this.compileCond(n, depth));
            break;
          case "range":
            addSlot(this.compileRange(n, depth));
            break;
          case "template": {
            const target = inl > 0 && isDotPipe(n.pipe) ? this.trees.get(n.name) : undefined;
            if (target) {
              steps.push({ kind: "open", node: n });
              visit(target.root.nodes, inl - 1);
              steps.push({ kind: "close" });
            } else {
              addSlot({ kind: "call", node: n });
            }
            break;
          }
          case "break":
          case "continue":
            // Only reachable inside a range compiled as a whole string (see compileRange).
            throw new LiveTemplateError("LT_ERR_TREE_COMPILE", `internal: {{${n.type}}} outside a string-rendered range`);
          default: {
            const never: never = n;
            throw new LiveTemplateError("LT_ERR_TREE_COMPILE", `unknown node ${String(never)}`);
          }
        }
      }
    };
    visit(list.nodes, inlineDepth);
    return makeBlock(statics, steps);
  }

  private compileCond(n: IfNode | WithNode, depth: number): CondConstruct {
    const branches: Branch[] = [];
    let cur: IfNode | WithNode = n;
    for (;;) {
      branches.push({ kind: cur.type, node: cur, block: this.compileList(cur.list, depth + 1) });
      const el: ListNode | null = cur.elseList;
      if (!el) return { kind: "cond", branches, elseBlock: null };
      const only = el.nodes.length === 1 ? el.nodes[0] : undefined;
      if (only && (only.type === "if" || only.type === "with")) {
        cur = only;
        continue;
      }
      return { kind: "cond", branches, elseBlock: this.compileList(el, depth + 1) };
    }
  }

  private compileRange(n: RangeNode, depth: number): RangeConstruct | DynConstruct {
    if (hasLoopControl(n.list)) return { kind: "dyn", node: n };
    const body = this.compileList(n.list, depth + 1);
    const elseBlock = n.elseList ? this.compileList(n.elseList, depth + 1) : null;
    const partial: RangeConstruct = { kind: "range", node: n, body, elseBlock, keySlot: null };
    return { ...partial, keySlot: findKeySlot(body) };
  }
}

/** True for `{{template "x" .}}`: the invoked template runs on the same dot. */
function isDotPipe(pipe: PipeNode | null): boolean {
  if (!pipe || pipe.decl.length > 0 || pipe.cmds.length !== 1) return false;
  const args = pipe.cmds[0]!.args;
  return args.length === 1 && args[0]!.type === "dot";
}
