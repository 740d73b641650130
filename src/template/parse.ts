/**
 * The parser of the template language: a recursive-descent parser over the items of
 * {@link Lexer}, producing the trees of `node.ts`. One text may define several templates
 * (`{{define}}`, `{{block}}`), so the result is a map from name to tree.
 *
 * Errors are thrown as {@link TemplateParseError} with Go's wording, prefixed
 * `template: NAME:LINE:COL:` where COL is the 1-based byte column of the offending token.
 */
import { TemplateParseError } from "./errors.js";
import { Lexer, goQuote, type Item, type ItemType } from "./lex.js";
import type {
  ActionNode,
  AnyNode,
  ArgNode,
  BoolNode,
  BreakNode,
  ChainNode,
  CommandNode,
  CommentNode,
  ContinueNode,
  DotNode,
  FieldNode,
  IdentifierNode,
  IfNode,
  ListNode,
  NilNode,
  Node,
  NumberNode,
  PipeNode,
  RangeNode,
  StringNode,
  TemplateNode,
  TextNode,
  Tree,
  VariableNode,
  WithNode,
} from "./node.js";
import { nodeToString } from "./node-string.js";

/** Options of {@link parse}. */
export interface ParseOptions {
  /** Left action delimiter; default `{{`. */
  leftDelim?: string;
  /** Right action delimiter; default `}}`. */
  rightDelim?: string;
  /**
   * Tells whether a function name is defined. An identifier that is not a function is an
   * error (`function "x" not defined`). Default: only Go's builtin functions are known.
   * When it reports `break` or `continue` as functions, those words stop being keywords.
   */
  isFunc?: (name: string) => boolean;
  /** Accept any identifier as a function name. */
  skipFuncCheck?: boolean;
  /** Keep `{{/* comments *\/}}` as CommentNodes in the tree. */
  keepComments?: boolean;
}

/** Names of Go's builtin template functions, the default set of known functions. */
export const BUILTIN_FUNCS: ReadonlySet<string> = new Set([
  "and",
  "call",
  "html",
  "index",
  "slice",
  "js",
  "len",
  "not",
  "or",
  "print",
  "printf",
  "println",
  "urlquery",
  "eq",
  "ge",
  "gt",
  "le",
  "lt",
  "ne",
]);

/** Nesting limit for parentheses and control structures; deeper input is an error, not a stack overflow. */
export const MAX_PARSE_DEPTH = 1000;

/**
 * Parses `text` as the template `name`.
 *
 * Returns every tree the text defines: one per `{{define}}` and `{{block}}`, plus the
 * top-level tree under `name`. A name defined twice with non-empty bodies is an error;
 * an empty (whitespace and comments only) body gives way to a non-empty one.
 *
 * @example
 * const trees = parse("page", `{{define "row"}}<li>{{.}}</li>{{end}}<ul>{{range .}}{{template "row" .}}{{end}}</ul>`);
 * trees.get("row")?.root; // ListNode for <li>{{.}}</li>
 * @throws TemplateParseError with Go's wording, e.g. `template: page:1:8: unexpected EOF`.
 */
export function parse(name: string, text: string, options: ParseOptions = {}): Map<string, Tree> {
  const parser = new Parser(name, text, options);
  try {
    return parser.parseAll();
  } catch (err) {
    if (err instanceof TemplateParseError) throw err;
    if (err instanceof RangeError) {
      // A safety net only: the depth limit should stop recursion long before the stack does.
      throw new TemplateParseError(`template: ${name}: max depth exceeded`);
    }
    throw err;
  }
}

/**
 * True when the node holds nothing but whitespace text and comments (Go's IsEmptyTree).
 * Such a template may be redefined by a later definition with the same name.
 */
export function isEmptyTree(node: Node): boolean {
  switch (node.type) {
    case "list":
      return node.nodes.every(isEmptyTree);
    case "text":
      return /^\p{White_Space}*$/u.test(node.text);
    case "comment":
      return true;
    case "action":
    case "if":
    case "range":
    case "with":
    case "template":
    case "break":
    case "continue":
      return false;
    default: {
      const never: never = node;
      return never;
    }
  }
}

/**
 * Location of a node as Go prints it in execution errors: `NAME:LINE:COL` where COL is the
 * 0-based byte offset in the line (Go's ErrorContext convention), plus the node's source.
 */
export function errorContext(tree: Tree, node: AnyNode): {
  location: string;
  context: string;
} {
  const { line, col } = lineAndColumn(tree.text, byteToIndex(tree.text, node.pos));
  return { location: `${tree.parseName}:${line}:${col - 1}`, context: nodeToString(node) };
}

/** 1-based line and 1-based byte column of a UTF-16 index in `text`. */
export function lineAndColumn(text: string, index: number): { line: number; col: number } {
  let line = 1;
  for (let i = text.indexOf("\n"); i >= 0 && i < index; i = text.indexOf("\n", i + 1)) line++;
  const lineStart = text.lastIndexOf("\n", index - 1) + 1;
  const col = Buffer.byteLength(text.slice(lineStart, index), "utf8") + 1;
  return { line, col };
}

/** UTF-16 index of UTF-8 byte offset `pos` in `text`. */
function byteToIndex(text: string, pos: number): number {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(text)) return pos;
  let bytes = 0;
  let i = 0;
  while (i < text.length && bytes < pos) {
    const c = text.codePointAt(i) as number;
    bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    i += c > 0xffff ? 2 : 1;
  }
  return i;
}

/** `{{end}}` and `{{else}}` end a list; they never appear in a finished tree. */
interface Marker {
  type: "end" | "else";
  item: Item;
}

type ListItem = Node | Marker;

function isMarker(n: ListItem): n is Marker {
  return n.type === "end" || n.type === "else";
}

/** Tokens that can start an operand. */
const OPERAND_START: ReadonlySet<ItemType> = new Set<ItemType>([
  "bool",
  "charConstant",
  "complex",
  "dot",
  "field",
  "identifier",
  "number",
  "nil",
  "rawString",
  "string",
  "variable",
  "leftParen",
]);

/** Parser state for one text: token lookahead, variables in scope, nesting depths and the trees found so far. */
class Parser {
  private readonly lex: Lexer;
  private readonly isFunc: (name: string) => boolean;
  private readonly skipFuncCheck: boolean;
  private readonly trees = new Map<string, Tree>();
  /** Pushed-back tokens, the last one is read first. */
  private readonly pushed: Item[] = [];
  /** The last token read from the lexer, the default blame for errors. */
  private lastToken: Item;
  /** Variables in scope; `$` is always first. */
  private vars: string[] = ["$"];
  private rangeDepth = 0;
  private depth = 0;
  /** Line and index where the current action started, for errors in multi-line actions. */
  private actionStart: Item | null = null;

  constructor(
    private readonly name: string,
    private readonly text: string,
    options: ParseOptions,
  ) {
    this.isFunc = options.isFunc ?? ((n) => BUILTIN_FUNCS.has(n));
    this.skipFuncCheck = options.skipFuncCheck ?? false;
    const funcNamed = (n: string): boolean => !this.skipFuncCheck && this.isFunc(n);
    this.lex = new Lexer(text, {
      ...(options.leftDelim !== undefined ? { leftDelim: options.leftDelim } : {}),
      ...(options.rightDelim !== undefined ? { rightDelim: options.rightDelim } : {}),
      emitComment: options.keepComments ?? false,
      breakOK: !funcNamed("break"),
      continueOK: !funcNamed("continue"),
    });
    this.lastToken = { type: "eof", pos: 0, offset: 0, val: "", line: 1 };
  }

  // --- tokens ----------------------------------------------------------------

  private next(): Item {
    const pushed = this.pushed.pop();
    if (pushed !== undefined) return pushed;
    this.lastToken = this.lex.nextItem();
    return this.lastToken;
  }

  private unread(item: Item): void {
    this.pushed.push(item);
  }

  private peek(): Item {
    const item = this.next();
    this.unread(item);
    return item;
  }

  private nextNonSpace(): Item {
    let item: Item;
    do item = this.next();
    while (item.type === "space");
    return item;
  }

  private peekNonSpace(): Item {
    const item = this.nextNonSpace();
    this.unread(item);
    return item;
  }

  // --- errors ----------------------------------------------------------------

  /** Throws a parse error blamed on `at` (default: the last token read). */
  private fail(message: string, at: Item | ArgNode | CommandNode = this.lastToken): never {
    const index = "offset" in at ? at.offset : byteToIndex(this.text, at.pos);
    const { line, col } = lineAndColumn(this.text, index);
    throw new TemplateParseError(`template: ${this.name}:${line}:${col}: ${message}`);
  }

  private expect(expected: ItemType, context: string): Item {
    const item = this.nextNonSpace();
    if (item.type !== expected) this.unexpected(item, context);
    return item;
  }

  private unexpected(item: Item, context: string): never {
    if (item.type === "error") {
      let extra = "";
      const start = this.actionStart;
      if (start !== null && start.line !== item.line) {
        extra = ` in action started at ${this.name}:${start.line}`;
        // Avoid "unclosed action in action started at".
        if (item.val.endsWith(" action")) extra = extra.slice(" in action".length);
      }
      this.fail(item.val + extra, item);
    }
    this.fail(`unexpected ${describe(item)} in ${context}`, item);
  }

  private enter(at: Item): void {
    if (++this.depth > MAX_PARSE_DEPTH) this.fail("max depth exceeded", at);
  }

  private leave(): void {
    this.depth--;
  }

  // --- trees -----------------------------------------------------------------

  /** Adds a tree unless a non-empty one of the same name exists; two non-empty ones are an error. */
  private add(name: string, root: ListNode, at: Item): void {
    const existing = this.trees.get(name);
    if (existing === undefined || isEmptyTree(existing.root)) {
      this.trees.set(name, { name, parseName: this.name, root, text: this.text });
      return;
    }
    if (!isEmptyTree(root)) this.fail(`template: multiple definition of template ${goQuote(name)}`, at);
  }

  /** Parses a nested template body with its own variable scope, as Go does for define and block. */
  private inNewScope<T>(fn: () => T): T {
    const vars = this.vars;
    const rangeDepth = this.rangeDepth;
    const actionStart = this.actionStart;
    this.vars = ["$"];
    this.rangeDepth = 0;
    try {
      return fn();
    } finally {
      this.vars = vars;
      this.rangeDepth = rangeDepth;
      this.actionStart = actionStart;
    }
  }

  // --- grammar ---------------------------------------------------------------

  // template:
  //   (textOrAction | "{{define" string "}}" itemList "{{end}}")* EOF
  parseAll(): Map<string, Tree> {
    const first = this.peek();
    const root: ListNode = { type: "list", pos: first.pos, line: first.line, nodes: [] };
    while (this.peek().type !== "eof") {
      if (this.peek().type === "leftDelim") {
        const delim = this.next();
        const keyword = this.nextNonSpace();
        if (keyword.type === "define") {
          // Like Go, errors inside a definition do not mention where the define action started.
          this.actionStart = null;
          this.inNewScope(() => this.parseDefinition());
          this.actionStart = null;
          continue;
        }
        this.unread(keyword);
        this.unread(delim);
      }
      const n = this.textOrAction();
      if (isMarker(n)) this.fail(`unexpected {{${n.type}}}`, n.item);
      root.nodes.push(n);
    }
    this.add(this.name, root, this.peek());
    return this.trees;
  }

  // definition:
  //   "{{define" (string | rawString) "}}" itemList "{{end}}"
  // The define keyword has been read.
  private parseDefinition(): void {
    const context = "define clause";
    const nameItem = this.nextNonSpace();
    if (nameItem.type !== "string" && nameItem.type !== "rawString") this.unexpected(nameItem, context);
    const name = this.unquote(nameItem);
    this.expect("rightDelim", context);
    const [root, end] = this.itemList();
    if (end.type !== "end") this.fail(`unexpected {{${end.type}}} in ${context}`, end.item);
    this.add(name, root, nameItem);
  }

  // itemList:
  //   textOrAction*
  // Ends at {{end}} or {{else}}, which is returned separately.
  private itemList(): [ListNode, Marker] {
    const first = this.peekNonSpace();
    const list: ListNode = { type: "list", pos: first.pos, line: first.line, nodes: [] };
    while (this.peekNonSpace().type !== "eof") {
      const n = this.textOrAction();
      if (isMarker(n)) return [list, n];
      list.nodes.push(n);
    }
    this.fail("unexpected EOF", this.peekNonSpace());
  }

  // textOrAction:
  //   text | comment | "{{" action
  private textOrAction(): ListItem {
    const item = this.nextNonSpace();
    switch (item.type) {
      case "text":
        return { type: "text", pos: item.pos, line: item.line, text: item.val } satisfies TextNode;
      case "comment":
        return { type: "comment", pos: item.pos, line: item.line, text: item.val } satisfies CommentNode;
      case "leftDelim": {
        const outer = this.actionStart;
        this.actionStart = item;
        try {
          return this.action();
        } finally {
          this.actionStart = outer;
        }
      }
      default:
        this.unexpected(item, "input");
    }
  }

  // action:
  //   control
  //   pipeline "}}"
  // The left delimiter has been read; the first word may be a keyword.
  private action(): ListItem {
    const item = this.nextNonSpace();
    switch (item.type) {
      case "block":
        return this.blockControl();
      case "break":
        return this.breakControl(item);
      case "continue":
        return this.continueControl(item);
      case "else":
        return this.elseControl(item);
      case "end":
        return this.endControl(item);
      case "if":
        return this.branchControl("if", item);
      case "range":
        return this.branchControl("range", item);
      case "template":
        return this.templateControl();
      case "with":
        return this.branchControl("with", item);
      default: {
        this.unread(item);
        // Variables declared here stay in scope until the enclosing {{end}}.
        const pipe = this.pipeline("command", "rightDelim");
        return { type: "action", pos: item.pos, line: item.line, pipe } satisfies ActionNode;
      }
    }
  }

  // break:
  //   "{{break}}"   (only inside range)
  private breakControl(keyword: Item): BreakNode {
    const item = this.nextNonSpace();
    if (item.type !== "rightDelim") this.unexpected(item, "{{break}}");
    if (this.rangeDepth === 0) this.fail("{{break}} outside {{range}}", keyword);
    return { type: "break", pos: keyword.pos, line: keyword.line };
  }

  // continue:
  //   "{{continue}}"   (only inside range)
  private continueControl(keyword: Item): ContinueNode {
    const item = this.nextNonSpace();
    if (item.type !== "rightDelim") this.unexpected(item, "{{continue}}");
    if (this.rangeDepth === 0) this.fail("{{continue}} outside {{range}}", keyword);
    return { type: "continue", pos: keyword.pos, line: keyword.line };
  }

  // pipeline:
  //   declarations? command ("|" command)*
  // declarations:
  //   $var (":=" | "=")
  //   $var "," $var ":="        (range only)
  private pipeline(context: string, end: "rightDelim" | "rightParen"): PipeNode {
    const first = this.peekNonSpace();
    const pipe: PipeNode = { type: "pipe", pos: first.pos, line: first.line, isAssign: false, decl: [], cmds: [] };
    this.declarations(pipe, context);
    for (;;) {
      const item = this.nextNonSpace();
      if (item.type === end) {
        this.checkPipeline(pipe, context, item);
        return pipe;
      }
      if (!OPERAND_START.has(item.type)) this.unexpected(item, context);
      this.unread(item);
      pipe.cmds.push(this.command());
    }
  }

  private declarations(pipe: PipeNode, context: string): void {
    for (;;) {
      const v = this.peekNonSpace();
      if (v.type !== "variable") return;
      this.next();
      // Spaces are tokens, so telling "$x := 1" from "$x foo" needs to look past them;
      // remember the token right after the variable to push it back if this is no declaration.
      const afterVariable = this.peek();
      const next = this.peekNonSpace();
      if (next.type === "assign" || next.type === "declare") {
        pipe.isAssign = next.type === "assign";
        this.nextNonSpace();
        // As in Go, assigning to an undeclared variable is caught when executing, not here.
        pipe.decl.push(variableNode(v, [v.val]));
        this.vars.push(v.val);
        return;
      }
      if (next.type === "char" && next.val === ",") {
        this.nextNonSpace();
        pipe.decl.push(variableNode(v, [v.val]));
        this.vars.push(v.val);
        if (context === "range" && pipe.decl.length < 2) {
          const after = this.peekNonSpace().type;
          if (after === "variable" || after === "rightDelim" || after === "rightParen") continue;
          this.fail("range can only initialize variables", this.peekNonSpace());
        }
        this.fail(`too many declarations in ${context}`, next);
      }
      if (afterVariable.type === "space") {
        // peekNonSpace dropped the spaces; put back the variable and one space.
        this.unread(afterVariable);
      }
      this.unread(v);
      return;
    }
  }

  private checkPipeline(pipe: PipeNode, context: string, end: Item): void {
    if (pipe.cmds.length === 0) this.fail(`missing value for ${context}`, end);
    // Only the first command may be a plain value: later ones receive the piped value as an argument.
    for (let i = 1; i < pipe.cmds.length; i++) {
      const cmd = pipe.cmds[i] as CommandNode;
      const head = cmd.args[0];
      if (
        head !== undefined &&
        (head.type === "bool" || head.type === "dot" || head.type === "nil" || head.type === "number" || head.type === "string")
      ) {
        this.fail(`non executable command in pipeline stage ${i + 1}`, cmd);
      }
    }
  }

  // if:    "{{if" pipeline "}}" itemList ("{{else}}" itemList | "{{else if" ...)? "{{end}}"
  // range: "{{range" pipeline "}}" itemList ("{{else}}" itemList)? "{{end}}"
  // with:  "{{with" pipeline "}}" itemList ("{{else}}" itemList | "{{else with" ...)? "{{end}}"
  // The keyword has been read. "{{else if p}}" is read as "{{else}}{{if p}}...{{end}}" sharing
  // the outer {{end}}; the same for "{{else with p}}".
  private branchControl(kind: "if" | "range" | "with", keyword: Item): IfNode | RangeNode | WithNode {
    this.enter(keyword);
    const scope = this.vars.length;
    const pipe = this.pipeline(kind, "rightDelim");
    if (kind === "range") this.rangeDepth++;
    const [list, next] = this.itemList();
    if (kind === "range") this.rangeDepth--;
    let elseList: ListNode | null = null;
    if (next.type === "else") {
      const chained = this.peek();
      if ((kind === "if" || kind === "with") && chained.type === kind) {
        this.next();
        elseList = { type: "list", pos: next.item.pos, line: next.item.line, nodes: [] };
        elseList.nodes.push(this.branchControl(kind, chained));
      } else {
        const [rest, end] = this.itemList();
        if (end.type !== "end") this.fail(`expected end; found {{${end.type}}}`, end.item);
        elseList = rest;
      }
    }
    this.vars.length = scope;
    this.leave();
    const node = { pos: pipe.pos, line: pipe.line, pipe, list, elseList };
    switch (kind) {
      case "if":
        return { type: "if", ...node };
      case "range":
        return { type: "range", ...node };
      case "with":
        return { type: "with", ...node };
    }
  }

  // end:
  //   "{{end}}"
  private endControl(keyword: Item): Marker {
    this.expect("rightDelim", "end");
    return { type: "end", item: keyword };
  }

  // else:
  //   "{{else}}"
  //   "{{else if" ...  / "{{else with" ...   (the if/with is left for the branch to read)
  private elseControl(keyword: Item): Marker {
    const peek = this.peekNonSpace();
    if (peek.type === "if" || peek.type === "with") return { type: "else", item: keyword };
    this.expect("rightDelim", "else");
    return { type: "else", item: keyword };
  }

  // block:
  //   "{{block" (string | rawString) pipeline "}}" itemList "{{end}}"
  // Defines the template and invokes it in place, like define plus template.
  private blockControl(): TemplateNode {
    const context = "block clause";
    const nameItem = this.nextNonSpace();
    const name = this.templateName(nameItem, context);
    const pipe = this.pipeline(context, "rightDelim");
    this.enter(nameItem);
    const root = this.inNewScope(() => {
      const [body, end] = this.itemList();
      if (end.type !== "end") this.fail(`unexpected {{${end.type}}} in ${context}`, end.item);
      return body;
    });
    this.leave();
    this.add(name, root, nameItem);
    return { type: "template", pos: nameItem.pos, line: nameItem.line, name, pipe };
  }

  // template:
  //   "{{template" (string | rawString) pipeline? "}}"
  private templateControl(): TemplateNode {
    const context = "template clause";
    const nameItem = this.nextNonSpace();
    const name = this.templateName(nameItem, context);
    let pipe: PipeNode | null = null;
    const next = this.nextNonSpace();
    if (next.type !== "rightDelim") {
      this.unread(next);
      pipe = this.pipeline(context, "rightDelim");
    }
    return { type: "template", pos: nameItem.pos, line: nameItem.line, name, pipe };
  }

  private templateName(item: Item, context: string): string {
    if (item.type !== "string" && item.type !== "rawString") this.unexpected(item, context);
    return this.unquote(item);
  }

  // command:
  //   operand (space operand)*
  // Ends before "}}" or ")", or after "|".
  private command(): CommandNode {
    const first = this.peekNonSpace();
    const cmd: CommandNode = { type: "command", pos: first.pos, line: first.line, args: [] };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand !== null) cmd.args.push(operand);
      const item = this.next();
      if (item.type === "space") continue;
      if (item.type === "rightDelim" || item.type === "rightParen") this.unread(item);
      else if (item.type !== "pipe") this.unexpected(item, "operand");
      break;
    }
    if (cmd.args.length === 0) this.fail("empty command", first);
    return cmd;
  }

  // operand:
  //   term ("." Field)*
  // Fields after a field or variable extend it; after anything else they form a chain.
  private operand(): ArgNode | null {
    const node = this.term();
    if (node === null) return null;
    if (this.peek().type !== "field") return node;
    const firstField = this.peek();
    const fields: string[] = [];
    while (this.peek().type === "field") fields.push(this.next().val.slice(1));
    switch (node.type) {
      case "field":
        // Go positions the merged node at its first chained field.
        return { type: "field", pos: firstField.pos, line: firstField.line, ident: [...node.ident, ...fields] } satisfies FieldNode;
      case "variable":
        return { type: "variable", pos: firstField.pos, line: firstField.line, ident: [...node.ident, ...fields] } satisfies VariableNode;
      case "bool":
      case "string":
      case "number":
      case "nil":
      case "dot":
        this.fail(`unexpected . after term ${goQuote(nodeToString(node))}`, firstField);
      // falls through: fail never returns
      default:
        return { type: "chain", pos: firstField.pos, line: firstField.line, node, field: fields } satisfies ChainNode;
    }
  }

  // term:
  //   literal (number, string, char, nil, true, false)
  //   function (identifier)
  //   "." | .Field | $var
  //   "(" pipeline ")"
  private term(): ArgNode | null {
    const item = this.nextNonSpace();
    const at = { pos: item.pos, line: item.line };
    switch (item.type) {
      case "identifier":
        if (!this.skipFuncCheck && !this.isFunc(item.val)) this.fail(`function ${goQuote(item.val)} not defined`, item);
        return { type: "identifier", ...at, ident: item.val } satisfies IdentifierNode;
      case "dot":
        return { type: "dot", ...at } satisfies DotNode;
      case "nil":
        return { type: "nil", ...at } satisfies NilNode;
      case "variable":
        if (!this.vars.includes(item.val)) this.fail(`undefined variable ${goQuote(item.val)}`, item);
        return variableNode(item, [item.val]);
      case "field":
        return { type: "field", ...at, ident: [item.val.slice(1)] } satisfies FieldNode;
      case "bool":
        return { type: "bool", ...at, value: item.val === "true" } satisfies BoolNode;
      case "charConstant":
      case "complex":
      case "number":
        return this.number(item);
      case "leftParen": {
        this.enter(item);
        const pipe = this.pipeline("parenthesized pipeline", "rightParen");
        this.leave();
        return pipe;
      }
      case "string":
      case "rawString":
        return { type: "string", ...at, quoted: item.val, text: this.unquote(item) } satisfies StringNode;
      default:
        this.unread(item);
        return null;
    }
  }

  private unquote(item: Item): string {
    const s = unquoteGo(item.val);
    if (s === null) this.fail("invalid syntax", item);
    return s;
  }

  private number(item: Item): NumberNode {
    const result = parseNumber(item.val, item.type === "charConstant" ? "char" : item.type === "complex" ? "complex" : "number");
    if (typeof result === "string") this.fail(result, item);
    return { type: "number", pos: item.pos, line: item.line, ...result };
  }
}

function variableNode(item: Item, ident: string[]): VariableNode {
  return { type: "variable", pos: item.pos, line: item.line, ident };
}

/** How an item reads in "unexpected X in Y" messages, as Go's item String(). */
function describe(item: Item): string {
  switch (item.type) {
    case "eof":
      return "EOF";
    case "error":
      return item.val;
    case "block":
    case "break":
    case "continue":
    case "dot":
    case "define":
    case "else":
    case "end":
    case "if":
    case "nil":
    case "range":
    case "template":
    case "with":
      return `<${item.val}>`;
    default: {
      // Go measures the length in bytes but truncates to 10 characters.
      if (Buffer.byteLength(item.val, "utf8") > 10) return `${goQuote([...item.val].slice(0, 10).join(""))}...`;
      return goQuote(item.val);
    }
  }
}

// --- literals ------------------------------------------------------------------

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8");

function hexValue(c: string | undefined): number {
  if (c === undefined) return -1;
  const v = parseInt(c, 16);
  return Number.isNaN(v) || !/^[0-9a-fA-F]$/.test(c) ? -1 : v;
}

/**
 * Reads one character or escape of a Go literal at `s[i]`, like strconv.UnquoteChar.
 * Returns the value and whether it is a single raw byte (\x, octal), or null on bad syntax.
 */
function unquoteChar(s: string, i: number, quote: string): { value: number; byte: boolean; next: number } | null {
  const c = s[i];
  if (c === undefined) return null;
  if (c === quote) return null;
  if (c !== "\\") {
    const cp = s.codePointAt(i) as number;
    return { value: cp, byte: false, next: i + (cp > 0xffff ? 2 : 1) };
  }
  const e = s[i + 1];
  const simple: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, "\\": 92 };
  if (e === undefined) return null;
  const sv = simple[e];
  if (sv !== undefined) return { value: sv, byte: false, next: i + 2 };
  if (e === "x" || e === "u" || e === "U") {
    const n = e === "x" ? 2 : e === "u" ? 4 : 8;
    let v = 0;
    for (let j = 0; j < n; j++) {
      const h = hexValue(s[i + 2 + j]);
      if (h < 0) return null;
      v = v * 16 + h;
    }
    if (e === "x") return { value: v, byte: true, next: i + 2 + n };
    if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return null;
    return { value: v, byte: false, next: i + 2 + n };
  }
  if (e >= "0" && e <= "7") {
    let v = 0;
    for (let j = 0; j < 3; j++) {
      const d = s[i + 1 + j];
      if (d === undefined || d < "0" || d > "7") return null;
      v = v * 8 + (d.charCodeAt(0) - 48);
    }
    if (v > 255) return null;
    return { value: v, byte: true, next: i + 4 };
  }
  if (e === "'" || e === '"') {
    if (e !== quote) return null;
    return { value: e.charCodeAt(0), byte: false, next: i + 2 };
  }
  return null;
}

/**
 * Unquotes a Go string literal ("..." with escapes, or `raw`), like strconv.Unquote.
 * Returns null when the literal is malformed. Byte escapes are decoded as UTF-8.
 */
export function unquoteGo(lit: string): string | null {
  if (lit.length < 2) return null;
  const q = lit[0];
  if (q !== lit[lit.length - 1]) return null;
  const body = lit.slice(1, -1);
  if (q === "`") {
    if (body.includes("`")) return null;
    // Go drops carriage returns from raw strings.
    return body.replace(/\r/g, "");
  }
  if (q !== '"') return null;
  if (!body.includes("\\") && !body.includes('"') && !body.includes("\n")) return body;
  const bytes: number[] = [];
  for (let i = 0; i < body.length; ) {
    if (body[i] === "\n") return null;
    const r = unquoteChar(body, i, '"');
    if (r === null) return null;
    if (r.byte) {
      bytes.push(r.value);
    } else {
      for (const b of utf8.encode(String.fromCodePoint(r.value))) bytes.push(b);
    }
    i = r.next;
  }
  return utf8Decoder.decode(new Uint8Array(bytes));
}

type NumberValue = Pick<NumberNode, "isInt" | "isUint" | "isFloat" | "isComplex" | "int64" | "float64" | "text">;

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

/** Go's underscoreOK: underscores only between digits (or right after a base prefix). */
function underscoreOK(text: string): boolean {
  let s = text;
  let saw = "^";
  let i = 0;
  if (s.startsWith("+") || s.startsWith("-")) s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === "0" && /[bBoOxX]/.test(s[1] as string)) {
    i = 2;
    saw = "0";
    hex = s[1] === "x" || s[1] === "X";
  }
  for (; i < s.length; i++) {
    const c = s[i] as string;
    if ((c >= "0" && c <= "9") || (hex && /[a-fA-F]/.test(c))) {
      saw = "0";
      continue;
    }
    if (c === "_") {
      if (saw !== "0") return false;
      saw = "_";
      continue;
    }
    if (saw === "_") return false;
    saw = "!";
  }
  return saw !== "_";
}

/** strconv.ParseUint(s, 0, 64): returns the value, or "syntax" / "range". */
function parseUint(s: string): bigint | "syntax" | "range" {
  if (s.length === 0) return "syntax";
  let base = 10n;
  let digits = s;
  if (s[0] === "0") {
    const p = (s[1] ?? "").toLowerCase();
    if (s.length >= 3 && p === "b") [base, digits] = [2n, s.slice(2)];
    else if (s.length >= 3 && p === "o") [base, digits] = [8n, s.slice(2)];
    else if (s.length >= 3 && p === "x") [base, digits] = [16n, s.slice(2)];
    else [base, digits] = [8n, s.slice(1)];
  }
  let n = 0n;
  let underscores = false;
  for (const c of digits) {
    if (c === "_") {
      underscores = true;
      continue;
    }
    const d = /[0-9]/.test(c) ? BigInt(c.charCodeAt(0) - 48) : /[a-zA-Z]/.test(c) ? BigInt(c.toLowerCase().charCodeAt(0) - 87) : 99n;
    if (d >= base) return "syntax";
    n = n * base + d;
  }
  if (underscores && !underscoreOK(s)) return "syntax";
  if (n > UINT64_MAX) return "range";
  return n;
}

/** strconv.ParseInt(s, 0, 64). */
function parseInt64(s: string): bigint | "syntax" | "range" {
  if (s.length === 0) return "syntax";
  let neg = false;
  let rest = s;
  if (s[0] === "+" || s[0] === "-") {
    neg = s[0] === "-";
    rest = s.slice(1);
  }
  const u = parseUint(rest);
  if (typeof u === "string") return u;
  const v = neg ? -u : u;
  if (v < INT64_MIN || v > INT64_MAX) return "range";
  return v;
}

/** strconv.ParseFloat(s, 64) for the forms the lexer can produce; null on error (syntax or range). */
function parseFloat64(s: string): number | null {
  let body = s;
  let sign = 1;
  if (body[0] === "+" || body[0] === "-") {
    sign = body[0] === "-" ? -1 : 1;
    body = body.slice(1);
  }
  if (body.includes("_") && !underscoreOK(s)) return null;
  const clean = body.replace(/_/g, "");
  let value: number;
  if (/^0[xX]/.test(clean)) {
    const m = /^0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?[0-9]+)$/.exec(clean);
    if (m === null) return null;
    const intPart = m[1] ?? "";
    const frac = m[2] ?? "";
    if (intPart.length + frac.length === 0) return null;
    const mant = BigInt("0x" + (intPart + frac || "0"));
    const exp = Number(m[3]) - 4 * frac.length;
    value = Number(mant) * 2 ** exp;
    if (!Number.isFinite(value) && mant !== 0n) {
      // Split the scaling to avoid an early overflow of 2**exp for tiny mantissas.
      value = Number(mant) * 2 ** (exp / 2) * 2 ** (exp - exp / 2);
    }
  } else {
    if (!/^(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(clean)) return null;
    value = Number(clean);
  }
  if (!Number.isFinite(value)) return null;
  return sign * value;
}

/** Integer conversions of a float value that is exactly an integer in range, as Go's float64(int64(f)) == f. */
function integralOf(f: number): { int?: bigint; uint?: bigint } {
  if (!Number.isInteger(f)) return {};
  const b = BigInt(f);
  const out: { int?: bigint; uint?: bigint } = {};
  if (b >= INT64_MIN && b <= INT64_MAX) out.int = b;
  if (b >= 0n && b <= UINT64_MAX) out.uint = b;
  return out;
}

/**
 * Converts a number literal like Go's parse.newNumber: a literal may be an int, uint, float
 * and complex at once. Returns an error message string on failure.
 */
export function parseNumber(text: string, kind: "number" | "char" | "complex"): NumberValue | string {
  const none: NumberValue = { isInt: false, isUint: false, isFloat: false, isComplex: false, int64: 0n, float64: 0, text };
  if (kind === "char") {
    const r = unquoteChar(text, 1, "'");
    if (r === null) return "invalid syntax";
    if (text.slice(r.next) !== "'") return `malformed character constant: ${text}`;
    return { ...none, isInt: true, isUint: true, isFloat: true, int64: BigInt(r.value), float64: r.value };
  }
  const fromComplex = (re: number, im: number): NumberValue => {
    if (im !== 0) return { ...none, isComplex: true };
    const ints = integralOf(re);
    return {
      ...none,
      isComplex: true,
      isFloat: true,
      float64: re,
      isInt: ints.int !== undefined,
      isUint: ints.uint !== undefined,
      int64: ints.int ?? ints.uint ?? 0n,
    };
  };
  if (kind === "complex") {
    // real part, then a sign, then the imaginary part ending in i (the lexer guarantees the shape).
    const m = /^([+-]?.*?[^eEpP+-])([+-].*)i$/.exec(text);
    if (m === null) return `expected complex constant: ${goQuote(text)}`;
    // Go reads the pair with fmt.Sscan, whose errors come from strconv.ParseFloat.
    const [, reText = "", imText = ""] = m;
    const re = parseFloat64(reText);
    if (re === null) return `strconv.ParseFloat: parsing ${goQuote(reText)}: invalid syntax`;
    const im = parseFloat64(imText);
    if (im === null) return `strconv.ParseFloat: parsing ${goQuote(imText)}: invalid syntax`;
    return fromComplex(re, im);
  }
  if (text.endsWith("i")) {
    const im = parseFloat64(text.slice(0, -1));
    if (im !== null) return fromComplex(0, im);
  }
  const out: NumberValue = { ...none };
  const u = parseUint(text);
  if (typeof u === "bigint") {
    out.isUint = true;
    out.int64 = u;
  }
  const i = parseInt64(text);
  if (typeof i === "bigint") {
    out.isInt = true;
    out.int64 = i;
    if (i === 0n) out.isUint = true; // "-0" is also an unsigned zero
  }
  if (out.isInt || out.isUint) {
    out.isFloat = true;
    out.float64 = Number(out.int64);
  } else {
    const f = parseFloat64(text);
    if (f !== null) {
      // A float spelling without . e E p P is an integer that overflowed 64 bits.
      if (!/[.eEpP]/.test(text)) return `integer overflow: ${goQuote(text)}`;
      out.isFloat = true;
      out.float64 = f;
      const ints = integralOf(f);
      if (ints.int !== undefined) {
        out.isInt = true;
        out.int64 = ints.int;
      }
      if (ints.uint !== undefined) {
        out.isUint = true;
        if (ints.int === undefined) out.int64 = ints.uint;
      }
    }
  }
  if (!out.isInt && !out.isUint && !out.isFloat) return `illegal number syntax: ${goQuote(text)}`;
  return out;
}
