/**
 * The public template classes: {@link TextTemplate} (Go's text/template) and
 * {@link HtmlTemplate} (Go's html/template: the same language, contextually escaped).
 *
 * As in Go, a template is a name plus a handle on a set shared by its associated templates:
 * `{{define}}`, `{{block}}`, `new(name)` and `parseFiles` add templates to the set, and any of
 * them can invoke the others.
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { LiveTemplateError } from "../errors.js";
import { TemplateEscapeError, TemplateParseError, TemplateUndefinedError } from "./errors.js";
import { escapeTrees, escaperFuncs } from "./escape/index.js";
import { executeTree, TemplateSet, type TemplateFunction } from "./exec.js";
import { quote } from "./fmt-quote.js";
import type { Tree } from "./node.js";
import { isEmptyTree, parse } from "./parse.js";

/** Options given when a template is created. */
export interface TemplateOptions {
  /**
   * Limit of nested `{{template}}` invocations (default 1000); deeper recursion fails with a
   * TemplateDepthError instead of overflowing the stack.
   */
  maxDepth?: number;
}

/** What execution of a template uses, as returned by `prepare()`. */
export interface PreparedTemplate {
  readonly set: TemplateSet;
  readonly tree: Tree;
}

/** State shared by all templates of one set (for subclasses; not part of the public API). */
export interface TemplateCommon {
  readonly set: TemplateSet;
  /** Template objects by name, created on demand so that `lookup` returns the same object. */
  readonly handles: Map<string, BaseTemplate>;
  /** html: names whose trees are escaped. */
  readonly escaped: Set<string>;
  /** html: escaping failures, returned again by later executions as Go does. */
  readonly escapeErrors: Map<string, LiveTemplateError>;
  /** html: an execution has begun, so the set can no longer be parsed into or cloned. */
  executed: boolean;
}

function newCommon(set: TemplateSet = new TemplateSet()): TemplateCommon {
  return { set, handles: new Map(), escaped: new Set(), escapeErrors: new Map(), executed: false };
}

const GOOD_NAME = /^[\p{L}_][\p{L}\p{Nd}_]*$/u;

function cloneTree(tree: Tree): Tree {
  return structuredClone(tree);
}

/**
 * Behaviour shared by {@link TextTemplate} and {@link HtmlTemplate}; not constructed directly.
 * (Not marked internal: the public classes extend it, so their declarations need it.)
 * Subclasses (such as the live `Template`) get new instances for `new`, `lookup` and `clone`
 * through their own constructor, called with the name and the options this one received.
 */
export abstract class BaseTemplate {
  #name: string;
  #common: TemplateCommon;
  #leftDelim = "";
  #rightDelim = "";
  readonly #options: TemplateOptions;

  constructor(name: string, options: TemplateOptions = {}) {
    this.#name = name;
    this.#options = options;
    this.#common = newCommon();
    if (options.maxDepth !== undefined) {
      if (!Number.isInteger(options.maxDepth) || options.maxDepth < 1) {
        throw new TemplateParseError(`template: maxDepth must be a positive integer, got ${String(options.maxDepth)}`);
      }
      this.#common.set.maxDepth = options.maxDepth;
    }
    this.#common.handles.set(name, this);
  }

  /** Prefix of this package's own errors: `template` or `html/template`. */
  protected abstract readonly errorPrefix: string;

  /** The template's name. */
  name(): string {
    return this.#name;
  }

  /**
   * Parses `text` as the body of this template; `{{define}}`/`{{block}}` in it add or replace
   * associated templates. A later non-empty definition replaces an earlier one; an empty one
   * (only spaces and comments) does not.
   * @throws TemplateParseError with Go's wording.
   */
  /**
   * The source line `line` (1-based) of the template text `name` was parsed from (the name in
   * `template: NAME:LINE:COL:` errors), for error reports; undefined when unknown.
   */
  sourceLine(name: string, line: number): string | undefined {
    for (const t of this.#common.set.trees.values()) {
      if (t.parseName === name || t.name === name) return t.text.split("\n")[line - 1];
    }
    return undefined;
  }

  parse(text: string): this {
    this.checkCanParse();
    const set = this.#common.set;
    let trees: Map<string, Tree>;
    try {
      trees = parse(this.#name, text, {
        leftDelim: this.#leftDelim,
        rightDelim: this.#rightDelim,
        isFunc: (name) => set.hasFunc(name),
      });
    } catch (err) {
      // Only template errors leave this library, whatever the input.
      if (err instanceof LiveTemplateError) throw err;
      throw new TemplateParseError(`template: ${this.#name}: ${err instanceof Error ? err.message : String(err)}`);
    }
    for (const [name, tree] of trees) {
      const old = set.trees.get(name);
      if (old !== undefined && isEmptyTree(tree.root)) continue;
      set.trees.set(name, tree);
    }
    this.#common.handles.set(this.#name, this);
    return this;
  }

  /**
   * Parses files into the set. Each file is a template named by the file's base name; the one
   * named like this template becomes its body, as Go's ParseFiles does.
   */
  parseFiles(...paths: string[]): this {
    this.checkCanParse();
    if (paths.length === 0) throw new TemplateParseError(`${this.errorPrefix}: no files named in call to ParseFiles`);
    for (const path of paths) {
      let text: string;
      try {
        text = readFileSync(path, "utf8");
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        throw new TemplateParseError(`${this.errorPrefix}: ${message}`);
      }
      const name = basename(path);
      const target = name === this.#name ? this : this.new(name);
      target.parse(text);
    }
    return this;
  }

  /**
   * A new template associated with this one (sharing its set, functions and options, and
   * inheriting its delimiters), like Go's `t.New(name)`. It is of the same class as this.
   */
  new(name: string): this {
    const t = this.spawn(name, this.#common);
    this.#common.handles.set(name, t);
    return t;
  }

  /** Sets the action delimiters for later parses of this template; empty means the default. */
  delims(left: string, right: string): this {
    this.#leftDelim = left;
    this.#rightDelim = right;
    return this;
  }

  /**
   * Adds functions callable from the set's templates; call before parsing templates that use
   * them. A function that throws stops execution with `error calling NAME: MESSAGE`.
   */
  funcs(record: Readonly<Record<string, TemplateFunction>>): this {
    for (const [name, fn] of Object.entries(record)) {
      if (!GOOD_NAME.test(name)) {
        throw new TemplateParseError(`template: function name ${quote(name, false)} is not a valid identifier`);
      }
      if (typeof fn !== "function") throw new TemplateParseError(`template: value for ${name} not a function`);
      this.#common.set.funcs.set(name, fn);
    }
    return this;
  }

  /**
   * Sets options, Go style: `missingkey=default` (or `invalid`), `missingkey=zero`,
   * `missingkey=error`. An unknown option throws.
   */
  option(...opts: string[]): this {
    for (const opt of opts) {
      const m = /^missingkey=(default|invalid|zero|error)$/.exec(opt);
      if (m === null) throw new TemplateParseError(`template: unrecognized option: ${opt}`);
      const mode = m[1];
      this.#common.set.missingKey = mode === "zero" ? "zero" : mode === "error" ? "error" : "default";
    }
    return this;
  }

  /**
   * Executes this template with `data` as dot and returns the text.
   * @throws TemplateExecError, TemplateUndefinedError, TemplateDepthError (and for html,
   * TemplateEscapeError), worded as Go's.
   */
  execute(data: unknown): string {
    const { set, tree } = this.prepare();
    return executeTree(set, tree, data);
  }

  /** Executes the associated template `name` with `data`. */
  executeTemplate(name: string, data: unknown): string {
    const { set, tree } = this.prepareNamed(name, true);
    return executeTree(set, tree, data);
  }

  /**
   * Ensures the set is ready to execute this template (for html: escaped, after which it can no
   * longer be parsed into) and returns what execution uses. For the live-tree compiler.
   */
  prepare(): PreparedTemplate {
    return this.prepareNamed(this.#name, false);
  }

  /** The associated template `name`, or undefined when it has no definition. */
  lookup(name: string): this | undefined {
    if (!this.#common.set.trees.has(name)) return undefined;
    return this.handleFor(name);
  }

  /** All defined templates of the set, in name order. */
  templates(): this[] {
    return [...this.#common.set.trees.keys()].sort().map((name) => this.handleFor(name));
  }

  /** `; defined templates are: "a", "b"` (empty when none), for error messages, as Go's. */
  definedTemplates(): string {
    const names = [...this.#common.set.trees.keys()].sort();
    if (names.length === 0) return "";
    return "; defined templates are: " + names.map((n) => quote(n, false)).join(", ");
  }

  /**
   * A copy of this template and its set: later parses or function additions on either do not
   * affect the other. The copy is an instance of the same class.
   */
  clone(): this {
    this.checkCanClone();
    const from = this.#common.set;
    const set = new TemplateSet();
    set.missingKey = from.missingKey;
    set.maxDepth = from.maxDepth;
    for (const [name, fn] of from.funcs) set.funcs.set(name, fn);
    for (const [name, tree] of from.trees) set.trees.set(name, this.copyTree(tree));
    const common = newCommon(set);
    const t = this.spawn(this.#name, common);
    common.handles.set(this.#name, t);
    return t;
  }

  // ---- for subclasses ----

  /** The set this template belongs to. */
  protected get common(): TemplateCommon {
    return this.#common;
  }

  /** Throws when parsing is no longer allowed. */
  protected checkCanParse(): void {}

  /** Throws when cloning is no longer allowed. */
  protected checkCanClone(): void {}

  /** How a clone copies a tree: text trees are never modified, so they are shared. */
  protected copyTree(tree: Tree): Tree {
    return tree;
  }

  /** Finds (and for html escapes) the tree `name`; `byName` is true for executeTemplate. */
  protected prepareNamed(name: string, byName: boolean): PreparedTemplate {
    const set = this.#common.set;
    const tree = set.trees.get(name);
    if (tree === undefined) {
      if (byName) {
        throw new TemplateUndefinedError(
          `template: no template ${quote(name, false)} associated with template ${quote(this.#name, false)}`,
        );
      }
      throw new TemplateUndefinedError(`template: ${name}: ${quote(name, false)} is an incomplete or empty template`);
    }
    return { set, tree };
  }

  private handleFor(name: string): this {
    const existing = this.#common.handles.get(name);
    if (existing !== undefined) return existing as this;
    const t = this.spawn(name, this.#common);
    this.#common.handles.set(name, t);
    return t;
  }

  /** An instance of this template's own class, bound to `common`. */
  private spawn(name: string, common: TemplateCommon): this {
    const Ctor = this.constructor as new (name: string, options?: TemplateOptions) => this;
    const t = new Ctor(name, this.#options);
    t.#common = common;
    t.#leftDelim = this.#leftDelim;
    t.#rightDelim = this.#rightDelim;
    return t;
  }
}

/**
 * A Go text/template: no escaping, output exactly as the template and data say.
 *
 * @example
 * const t = new TextTemplate("greet").parse("Hello, {{.name}}!{{range .items}} {{.}}{{end}}");
 * t.execute({ name: "Ada", items: [1, 2] }); // "Hello, Ada! 1 2"
 */
export class TextTemplate extends BaseTemplate {
  protected readonly errorPrefix = "template";
}

/**
 * A Go html/template: before its first execution the set is contextually escaped (every
 * action's output is escaped for the HTML, attribute, URL, JavaScript or CSS context it lands
 * in); after that, parsing into the set is an error, as in Go.
 *
 * @example
 * const t = new HtmlTemplate("link").parse('<a href="/q?s={{.}}">{{.}}</a>');
 * t.execute("a&b"); // '<a href="/q?s=a%26b">a&amp;b</a>'
 */
export class HtmlTemplate extends BaseTemplate {
  protected readonly errorPrefix = "html/template";

  protected override checkCanParse(): void {
    if (this.common.executed) throw new TemplateParseError("html/template: cannot Parse after Execute");
  }

  protected override checkCanClone(): void {
    if (this.common.executed) {
      throw new TemplateParseError(`html/template: cannot Clone ${quote(this.name(), false)} after it has executed`);
    }
  }

  protected override copyTree(tree: Tree): Tree {
    // Escaping rewrites trees in place, so a clone needs its own.
    return cloneTree(tree);
  }

  protected override prepareNamed(name: string, byName: boolean): PreparedTemplate {
    const common = this.common;
    const set = common.set;
    if (!common.executed) {
      common.executed = true;
      for (const [fname, fn] of Object.entries(escaperFuncs)) set.funcs.set(fname, fn);
    }
    const failed = common.escapeErrors.get(name);
    if (failed !== undefined) throw failed;
    const tree = set.trees.get(name);
    if (tree === undefined) {
      if (!byName) throw new TemplateUndefinedError(`template: ${quote(name, false)} is an incomplete or empty template`);
      if (common.handles.has(name)) {
        throw new TemplateUndefinedError(`html/template: ${quote(name, false)} is an incomplete template`);
      }
      throw new TemplateUndefinedError(`html/template: ${quote(name, false)} is undefined`);
    }
    if (!common.escaped.has(name)) {
      try {
        escapeTrees(set.trees, name);
      } catch (err) {
        const failure =
          err instanceof LiveTemplateError
            ? err
            : new TemplateEscapeError(`html/template:${name}: ${err instanceof Error ? err.message : String(err)}`);
        common.escapeErrors.set(name, failure);
        throw failure;
      }
      common.escaped.add(name);
    }
    return { set, tree: set.trees.get(name) ?? tree };
  }
}
