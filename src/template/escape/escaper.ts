/**
 * The tree walker of contextual escaping: it follows the context through every template
 * reachable from the one executed, decides the escapers of each action, and records edits that
 * are applied only once the whole walk succeeded.
 *
 * Templates invoked in a context other than HTML text are escaped as copies named by
 * {@link mangle} (`row$htmltemplate_stateAttr_delimDoubleQuote`), so one template can be
 * called from several contexts. A template that calls itself is solved by assuming its
 * output context equals its input context and checking the assumption (a fixed point).
 */
import type {
  ActionNode,
  BreakNode,
  ContinueNode,
  IfNode,
  ListNode,
  Node,
  RangeNode,
  TemplateNode,
  TextNode,
  Tree,
  WithNode,
} from "../node.js";
import {
  ctx,
  ctxEq,
  ctxString,
  errorCtx,
  isComment,
  isInScriptLiteral,
  mangle,
  nudge,
  type Context,
  type EscapeErrorKind,
  type EscapeFailure,
} from "./context.js";
import { nodeToString } from "../node-string.js";
import { errorContext } from "../parse.js";
import { contextAfterText } from "./transition.js";

/** Contexts recorded at `{{break}}` and `{{continue}}` of the innermost range being walked. */
interface RangeContext {
  outer: RangeContext | null;
  breaks: Context[];
  continues: Context[];
}

/** Where a tree's nodes come from, for error positions. */
interface Source {
  parseName: string;
  text: string;
}

/** `NAME:LINE:COL` of a node (Go counts the column in bytes from 0). */
function location(src: Source, node: Node): string {
  const tree: Tree = { name: src.parseName, parseName: src.parseName, text: src.text, root: EMPTY_LIST };
  return errorContext(tree, node).location;
}

/** `<!--`, `<script` and `</script` in any case (with Unicode case folding, as Go's `(?i)`). */
const SPECIAL_SCRIPT_TAG = /<(script|\/script|!--)/iu;
const SPECIAL_SCRIPT_TAGS = /<(script|\/script|!--)/giu;

const EMPTY_LIST: ListNode = { type: "list", pos: 0, line: 0, nodes: [] };

function predefined(ident: string): boolean {
  return ident === "html" || ident === "urlquery";
}

/** Mutable state of one escaping pass over a template set. */
export class Escaper {
  /** Output context of each (mangled) template name already walked or assumed. */
  readonly output: Map<string, Context>;
  /** Copies of templates for non-text start contexts, by mangled name. */
  readonly derived = new Map<string, Tree>();
  /** Mangled names called during this pass (to detect recursion). */
  readonly called = new Set<string>();
  readonly actionEdits = new Map<ActionNode, string[]>();
  readonly templateEdits = new Map<TemplateNode, string>();
  readonly textEdits = new Map<TextNode, string>();
  rangeContext: RangeContext | null = null;
  /** The tree whose nodes are being walked. */
  source: Source;

  constructor(
    readonly trees: Map<string, Tree>,
    output: Map<string, Context>,
    source: Source,
  ) {
    this.output = new Map(output);
    this.source = source;
  }

  private fail(kind: EscapeErrorKind, node: Node | null, line: number, description: string): Context {
    const f: EscapeFailure = {
      kind,
      loc: node === null ? null : location(this.source, node),
      name: "",
      line,
      description,
    };
    return errorCtx(f);
  }

  /** Walks one node from context `c` and returns the context after it. */
  escape(c: Context, n: Node): Context {
    switch (n.type) {
      case "action":
        return this.escapeAction(c, n);
      case "break":
        return this.escapeJump(c, n, "breaks");
      case "continue":
        return this.escapeJump(c, n, "continues");
      case "comment":
        return c;
      case "if":
        return this.escapeBranch(c, n, "if");
      case "range":
        return this.escapeBranch(c, n, "range");
      case "with":
        return this.escapeBranch(c, n, "with");
      case "list":
        return this.escapeList(c, n);
      case "template":
        return this.escapeTemplateCall(c, n);
      case "text":
        return this.escapeText(c, n);
      default: {
        const never: never = n;
        return never;
      }
    }
  }

  private escapeJump(c: Context, n: BreakNode | ContinueNode, kind: "breaks" | "continues"): Context {
    const rc = this.rangeContext;
    if (rc !== null) {
      const here: Context = { ...c, node: n };
      // Continues are joined together with the breaks seen so far, as Go does (1.19 to 1.23).
      if (kind === "breaks") rc.breaks.push(here);
      else rc.continues = [...rc.breaks, here];
    }
    return ctx({ state: "stateDead" });
  }

  private escapeAction(c: Context, n: ActionNode): Context {
    // An assignment prints nothing.
    if (n.pipe.decl.length !== 0) return c;
    c = nudge(c);
    const cmds = n.pipe.cmds;
    for (let pos = 0; pos < cmds.length; pos++) {
      const first = cmds[pos]?.args[0];
      if (first === undefined || first.type !== "identifier" || !predefined(first.ident)) continue;
      if (
        pos < cmds.length - 1 ||
        (c.state === "stateAttr" && c.delim === "delimSpaceOrTagEnd" && first.ident === "html")
      ) {
        return this.fail("ErrPredefinedEscaper", n, n.line, `predefined escaper "${first.ident}" disallowed in template`);
      }
    }
    const s: string[] = [];
    switch (c.state) {
      case "stateError":
        return c;
      case "stateURL":
      case "stateCSSDqStr":
      case "stateCSSSqStr":
      case "stateCSSDqURL":
      case "stateCSSSqURL":
      case "stateCSSURL":
        switch (c.urlPart) {
          case "urlPartNone":
          case "urlPartPreQuery":
            // Only the start of a URL can carry a scheme, so only there is it filtered.
            if (c.urlPart === "urlPartNone") s.push("_html_template_urlfilter");
            if (c.state === "stateCSSDqStr" || c.state === "stateCSSSqStr") s.push("_html_template_cssescaper");
            else s.push("_html_template_urlnormalizer");
            break;
          case "urlPartQueryOrFrag":
            s.push("_html_template_urlescaper");
            break;
          case "urlPartUnknown":
            return this.fail("ErrAmbigContext", n, n.line, `${nodeToString(n)} appears in an ambiguous context within a URL`);
          default: {
            const never: never = c.urlPart;
            return never;
          }
        }
        break;
      case "stateJS":
        s.push("_html_template_jsvalescaper");
        // After a value, a `/` is a division.
        c = { ...c, jsCtx: "jsCtxDivOp" };
        break;
      case "stateJSDqStr":
      case "stateJSSqStr":
        s.push("_html_template_jsstrescaper");
        break;
      case "stateJSTmplLit":
        s.push("_html_template_jstmpllitescaper");
        break;
      case "stateJSRegexp":
        s.push("_html_template_jsregexpescaper");
        break;
      case "stateCSS":
        s.push("_html_template_cssvaluefilter");
        break;
      case "stateText":
        s.push("_html_template_htmlescaper");
        break;
      case "stateRCDATA":
        s.push("_html_template_rcdataescaper");
        break;
      case "stateAttr":
        break;
      case "stateAttrName":
      case "stateTag":
        c = { ...c, state: "stateAttrName" };
        s.push("_html_template_htmlnamefilter");
        break;
      case "stateSrcset":
        s.push("_html_template_srcsetescaper");
        break;
      case "stateHTMLCmt":
      case "stateJSBlockCmt":
      case "stateJSLineCmt":
      case "stateJSHTMLOpenCmt":
      case "stateJSHTMLCloseCmt":
      case "stateCSSBlockCmt":
      case "stateCSSLineCmt":
        s.push("_html_template_commentescaper");
        break;
      case "stateAfterName":
      case "stateBeforeValue":
      case "stateDead":
        // nudge() leaves no action in these states, and dead code is not walked.
        throw new Error(`unexpected state ${c.state}`);
      default: {
        const never: never = c.state;
        return never;
      }
    }
    switch (c.delim) {
      case "delimNone":
        break;
      case "delimSpaceOrTagEnd":
        s.push("_html_template_nospaceescaper");
        break;
      default:
        s.push("_html_template_attrescaper");
    }
    this.actionEdits.set(n, s);
    return c;
  }

  /** Joins the end contexts of two branches; they must agree (up to urlPart, jsCtx and nudging). */
  join(a: Context, b: Context, node: Node, nodeName: string): Context {
    if (a.state === "stateError") return a;
    if (b.state === "stateError") return b;
    if (a.state === "stateDead") return b;
    if (b.state === "stateDead") return a;
    if (ctxEq(a, b)) return a;
    if (ctxEq({ ...a, urlPart: b.urlPart }, b)) return { ...a, urlPart: "urlPartUnknown" };
    if (ctxEq({ ...a, jsCtx: b.jsCtx }, b)) return { ...a, jsCtx: "jsCtxUnknown" };
    // `<p title={{if .C}}{{.}}{{end}}` ends in an unquoted value either way.
    const na = nudge(a);
    const nb = nudge(b);
    if (!(ctxEq(na, a) && ctxEq(nb, b))) {
      const j = this.join(na, nb, node, nodeName);
      if (j.state !== "stateError") return j;
    }
    return this.fail(
      "ErrBranchEnd",
      node,
      0,
      `{{${nodeName}}} branches end in different contexts: ${ctxString(a)}, ${ctxString(b)}`,
    );
  }

  private escapeBranch(c: Context, n: IfNode | RangeNode | WithNode, nodeName: "if" | "range" | "with"): Context {
    if (nodeName === "range") this.rangeContext = { outer: this.rangeContext, breaks: [], continues: [] };
    let c0 = this.escapeList(c, n.list);
    if (nodeName === "range") {
      if (c0.state !== "stateError") c0 = this.joinRange(c0, this.rangeContext);
      this.rangeContext = this.rangeContext?.outer ?? null;
      if (c0.state === "stateError") return c0;
      // The body may run again: running it twice must end where running it once does.
      this.rangeContext = { outer: this.rangeContext, breaks: [], continues: [] };
      const [c1] = this.escapeListConditionally(c0, n.list, null);
      c0 = this.join(c0, c1, n, nodeName);
      if (c0.state === "stateError") {
        this.rangeContext = this.rangeContext.outer;
        if (c0.err !== null) {
          c0.err.line = n.line;
          c0.err.description = "on range loop re-entry: " + c0.err.description;
        }
        return c0;
      }
      c0 = this.joinRange(c0, this.rangeContext);
      this.rangeContext = this.rangeContext.outer;
      if (c0.state === "stateError") return c0;
    }
    const c1 = this.escapeList(c, n.elseList);
    return this.join(c0, c1, n, nodeName);
  }

  private joinRange(c0: Context, rc: RangeContext | null): Context {
    if (rc === null) return c0;
    for (const [list, label] of [
      [rc.breaks, "break"],
      [rc.continues, "continue"],
    ] as const) {
      for (const c of list) {
        const node = c.node ?? EMPTY_LIST;
        c0 = this.join(c0, c, node, "range");
        if (c0.state === "stateError") {
          if (c0.err !== null) {
            c0.err.line = node.line;
            c0.err.description = `at range loop ${label}: ${c0.err.description}`;
          }
          return c0;
        }
      }
    }
    return c0;
  }

  escapeList(c: Context, n: ListNode | null): Context {
    if (n === null) return c;
    for (const m of n.nodes) {
      c = this.escape(c, m);
      if (c.state === "stateDead") break;
    }
    return c;
  }

  /**
   * Walks a list with a scratch escaper and keeps its inferences and edits only if `filter`
   * accepts the result. Returns the end context and whether the edits were kept.
   */
  private escapeListConditionally(
    c: Context,
    n: ListNode,
    filter: ((e1: Escaper, c1: Context) => boolean) | null,
  ): [Context, boolean] {
    const e1 = new Escaper(this.trees, this.output, this.source);
    e1.rangeContext = this.rangeContext;
    const c1 = e1.escapeList(c, n);
    const ok = filter !== null && filter(e1, c1);
    if (ok) {
      for (const [k, v] of e1.output) this.output.set(k, v);
      for (const [k, v] of e1.derived) this.derived.set(k, v);
      for (const k of e1.called) this.called.add(k);
      for (const [k, v] of e1.actionEdits) this.actionEdits.set(k, v);
      for (const [k, v] of e1.templateEdits) this.templateEdits.set(k, v);
      for (const [k, v] of e1.textEdits) this.textEdits.set(k, v);
    }
    return [c1, ok];
  }

  private escapeTemplateCall(c: Context, n: TemplateNode): Context {
    const [c1, name] = this.escapeTree(c, n, n.name, n.line);
    if (name !== n.name) this.templateEdits.set(n, name);
    return c1;
  }

  /** The tree of a (possibly mangled) name: from the set, else among this pass's copies. */
  private lookup(name: string): Tree | undefined {
    return this.trees.get(name) ?? this.derived.get(name);
  }

  /** Escapes the template `name` for start context `c`; returns its end context and mangled name. */
  escapeTree(c: Context, node: Node | null, name: string, line: number): [Context, string] {
    const dname = mangle(c, name);
    this.called.add(dname);
    const known = this.output.get(dname);
    if (known !== undefined) return [known, dname];
    let t = this.lookup(name);
    if (t === undefined) {
      return [this.fail("ErrNoSuchTemplate", node, line, `no such template "${name}"`), dname];
    }
    if (dname !== name) {
      let dt = this.lookup(dname);
      if (dt === undefined) {
        dt = { name: dname, parseName: t.parseName, text: t.text, root: structuredClone(t.root) };
        this.derived.set(dname, dt);
      }
      t = dt;
    }
    const saved = this.source;
    this.source = { parseName: t.parseName, text: t.text };
    try {
      return [this.computeOutCtx(c, t), dname];
    } finally {
      this.source = saved;
    }
  }

  private computeOutCtx(c: Context, t: Tree): Context {
    let [c1, ok] = this.escapeTemplateBody(c, t);
    if (!ok) {
      // Try the end context found as the assumed output (a recursive template's fixed point).
      const [c2, ok2] = this.escapeTemplateBody(c1, t);
      if (ok2) {
        c1 = c2;
        ok = true;
      }
    }
    if (!ok && c1.state !== "stateError") {
      return this.fail("ErrOutputContext", t.root, 0, `cannot compute output context for template ${t.name}`);
    }
    return c1;
  }

  private escapeTemplateBody(c: Context, t: Tree): [Context, boolean] {
    const filter = (e1: Escaper, c1: Context): boolean => {
      if (c1.state === "stateError") return false;
      // Without recursion the end context is exact; with it, it must match the assumption.
      if (!e1.called.has(t.name)) return true;
      return ctxEq(c, c1);
    };
    this.output.set(t.name, c);
    return this.escapeListConditionally(c, t.root, filter);
  }

  /** Walks literal text, recording the rewritten text (comments removed, stray `<` escaped). */
  private escapeText(c: Context, n: TextNode): Context {
    const s = n.text;
    let written = 0;
    let i = 0;
    let b = "";
    while (i !== s.length) {
      const [c1, nread] = contextAfterText(c, s.slice(i));
      const i1 = i + nread;
      if (c.state === "stateText" || c.state === "stateRCDATA") {
        let end = i1;
        if (c1.state !== c.state) {
          for (let j = end - 1; j >= i; j--) {
            if (s[j] === "<") {
              end = j;
              break;
            }
          }
        }
        for (let j = i; j < end; j++) {
          if (s[j] === "<" && !s.slice(j, j + 9).toUpperCase().startsWith("<!DOCTYPE")) {
            b += s.slice(written, j) + "&lt;";
            written = j + 1;
          }
        }
      } else if (isComment(c.state) && c.delim === "delimNone") {
        if (c.state === "stateJSBlockCmt") {
          // A block comment holding a line break still separates statements.
          b += /[\n\r\u2028\u2029]/.test(s.slice(written, i1)) ? "\n" : " ";
        } else if (c.state === "stateCSSBlockCmt") {
          b += " ";
        }
        written = i1;
      }
      if (c.state !== c1.state && isComment(c1.state) && c1.delim === "delimNone") {
        // Keep the text before the comment opener, drop the opener.
        let cs = i1 - 2;
        if (c1.state === "stateHTMLCmt" || c1.state === "stateJSHTMLOpenCmt") cs -= 2;
        else if (c1.state === "stateJSHTMLCloseCmt") cs -= 1;
        b += s.slice(written, cs);
        written = i1;
      }
      if (isInScriptLiteral(c.state) && SPECIAL_SCRIPT_TAG.test(s.slice(i, i1))) {
        // The HTML parser would act on these inside a script, whatever JS thinks of them.
        b += s.slice(written, i) + s.slice(i, i1).replace(SPECIAL_SCRIPT_TAGS, "\\x3C$1");
        written = i1;
      }
      if (i === i1 && c.state === c1.state) {
        throw new Error(`infinite loop from ${ctxString(c)} to ${ctxString(c1)} on ${s.slice(0, i)}..${s.slice(i)}`);
      }
      c = c1;
      i = i1;
    }
    if (written !== 0 && c.state !== "stateError") {
      if (!isComment(c.state) || c.delim !== "delimNone") b += s.slice(written);
      this.textEdits.set(n, b);
    }
    return c;
  }
}
