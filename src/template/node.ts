/**
 * The parse tree of Go's template language, as TypeScript discriminated unions.
 *
 * The shapes follow Go's text/template/parse package so that the parser, the executor,
 * the html/template escaper and the live tree compiler all walk one representation.
 * Every node prints itself back as canonical template source through {@link nodeToString}.
 *
 * Positions (`pos`) are byte offsets into the template text; `line` is 1-based.
 */

/** Every kind of node, as the discriminant of {@link Node}. */
export type NodeType =
  | "text"
  | "action"
  | "bool"
  | "break"
  | "chain"
  | "command"
  | "continue"
  | "dot"
  | "field"
  | "identifier"
  | "if"
  | "list"
  | "nil"
  | "number"
  | "pipe"
  | "range"
  | "string"
  | "template"
  | "variable"
  | "with"
  | "comment";

interface Base {
  /** Byte offset of the node in the source text. */
  pos: number;
  /** 1-based line of the node in the source text. */
  line: number;
}

/** A sequence of nodes, the body of a template or of a control structure. */
export interface ListNode extends Base {
  type: "list";
  nodes: Node[];
}

/** Plain text between actions. */
export interface TextNode extends Base {
  type: "text";
  text: string;
}

/** A `{{/* comment *\/}}`, kept only when the parser is asked to keep comments. */
export interface CommentNode extends Base {
  type: "comment";
  text: string;
}

/** A non-control action such as `{{.Field}}` or `{{$x := f .}}`. */
export interface ActionNode extends Base {
  type: "action";
  pipe: PipeNode;
}

/**
 * A pipeline with optional variable declarations: `$x, $y := cmd1 | cmd2`.
 * `isAssign` is true for `=` (assignment to an existing variable), false for `:=`.
 */
export interface PipeNode extends Base {
  type: "pipe";
  isAssign: boolean;
  decl: VariableNode[];
  cmds: CommandNode[];
}

/** One command of a pipeline: a function or method call, or a single operand. */
export interface CommandNode extends Base {
  type: "command";
  args: ArgNode[];
}

/** A function name such as `printf` or `len`. */
export interface IdentifierNode extends Base {
  type: "identifier";
  ident: string;
}

/** A variable with an optional field chain: `$`, `$x`, `$x.A.B` (ident = ["$x", "A", "B"]). */
export interface VariableNode extends Base {
  type: "variable";
  ident: string[];
}

/** The cursor `.`. */
export interface DotNode extends Base {
  type: "dot";
}

/** The untyped `nil`. */
export interface NilNode extends Base {
  type: "nil";
}

/** A field chain on dot: `.A.B` (ident = ["A", "B"]). */
export interface FieldNode extends Base {
  type: "field";
  ident: string[];
}

/** A field chain on a non-dot operand: `(pipe).A.B`, `$x` is a VariableNode instead. */
export interface ChainNode extends Base {
  type: "chain";
  node: ArgNode;
  field: string[];
}

/** `true` or `false`. */
export interface BoolNode extends Base {
  type: "bool";
  value: boolean;
}

/**
 * A numeric constant. As in Go, one literal may be valid as several kinds at once
 * (`1` is an int, a float and a complex); `text` is the original spelling.
 */
export interface NumberNode extends Base {
  type: "number";
  isInt: boolean;
  isUint: boolean;
  isFloat: boolean;
  isComplex: boolean;
  /** Value when isInt or isUint (bigint keeps 64-bit precision). */
  int64: bigint;
  /** Value when isFloat. */
  float64: number;
  text: string;
}

/** A quoted string constant; `quoted` is the original spelling, `text` the unquoted value. */
export interface StringNode extends Base {
  type: "string";
  quoted: string;
  text: string;
}

/** `{{break}}` inside a range. */
export interface BreakNode extends Base {
  type: "break";
}

/** `{{continue}}` inside a range. */
export interface ContinueNode extends Base {
  type: "continue";
}

/** Shared shape of `if`, `range` and `with`. */
interface BranchBase extends Base {
  pipe: PipeNode;
  list: ListNode;
  elseList: ListNode | null;
}

/**
 * `{{if pipe}} list {{else}} elseList {{end}}`. An `{{else if}}` chain is represented, as in Go,
 * by an elseList holding a single nested IfNode (and `{{else with}}` by a nested WithNode).
 */
export interface IfNode extends BranchBase {
  type: "if";
}

/** `{{range pipe}} list {{else}} elseList {{end}}`. */
export interface RangeNode extends BranchBase {
  type: "range";
}

/** `{{with pipe}} list {{else}} elseList {{end}}`. */
export interface WithNode extends BranchBase {
  type: "with";
}

/** `{{template "name" pipe}}`; `pipe` is null when no argument is given. */
export interface TemplateNode extends Base {
  type: "template";
  name: string;
  pipe: PipeNode | null;
}

/** Nodes that may appear in a ListNode. */
export type Node =
  | TextNode
  | CommentNode
  | ActionNode
  | IfNode
  | RangeNode
  | WithNode
  | TemplateNode
  | BreakNode
  | ContinueNode
  | ListNode;

/** Nodes that may appear as an argument of a command. */
export type ArgNode =
  | IdentifierNode
  | VariableNode
  | DotNode
  | NilNode
  | FieldNode
  | ChainNode
  | BoolNode
  | NumberNode
  | StringNode
  | PipeNode;

/** Any node of the tree. */
export type AnyNode = Node | ArgNode | CommandNode;

/**
 * A parsed template body plus its name. A template set maps names to trees;
 * `{{define}}` and `{{block}}` add trees to the set.
 */
export interface Tree {
  name: string;
  /** Name of the top-level template that this one was parsed from (for error messages). */
  parseName: string;
  root: ListNode;
  /** The source text, kept for error positions. */
  text: string;
}
