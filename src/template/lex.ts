/**
 * The lexer of the template language: turns template text into a stream of items
 * (text, delimiters, and the words and symbols inside actions).
 *
 * It is a synchronous pull lexer: the parser asks for one item at a time with
 * {@link Lexer.nextItem}, and the lexer runs its state machine only as far as needed to
 * produce that item. Trim markers (`{{- ` and ` -}}`) are handled entirely here, so the
 * parser never sees the trimmed spaces; comments are dropped unless asked for.
 *
 * Positions in items are UTF-8 byte offsets (as in Go), so that error columns match Go's;
 * `offset` keeps the UTF-16 index for slicing the JavaScript string.
 */

/** Kinds of lexical items. Keywords come last and are spelled like the keyword. */
export type ItemType =
  | "error" // lexing failed; val is the message
  | "bool" // true or false
  | "char" // a printable ASCII character not otherwise meaningful, such as ","
  | "charConstant" // 'x'
  | "comment" // /* ... */ (only when comments are kept)
  | "complex" // 1+2i
  | "assign" // =
  | "declare" // :=
  | "eof"
  | "field" // .Name
  | "identifier" // a function name
  | "leftDelim"
  | "leftParen"
  | "number"
  | "pipe" // |
  | "rawString" // `...`
  | "rightDelim"
  | "rightParen"
  | "space" // a run of spaces between words
  | "string" // "..."
  | "text" // plain text outside actions
  | "variable" // $ or $name
  | Keyword;

/** Keywords of the language; `.` (dot) is lexed as a keyword too. */
export type Keyword =
  | "block"
  | "break"
  | "continue"
  | "dot"
  | "define"
  | "else"
  | "end"
  | "if"
  | "nil"
  | "range"
  | "template"
  | "with";

const KEYWORDS: ReadonlyMap<string, Keyword> = new Map<string, Keyword>([
  ["block", "block"],
  ["break", "break"],
  ["continue", "continue"],
  ["define", "define"],
  ["else", "else"],
  ["end", "end"],
  ["if", "if"],
  ["nil", "nil"],
  ["range", "range"],
  ["template", "template"],
  ["with", "with"],
]);

/** One lexical item. */
export interface Item {
  type: ItemType;
  /** UTF-8 byte offset of the item in the text. */
  pos: number;
  /** UTF-16 index of the item in the text (for slicing the JavaScript string). */
  offset: number;
  /** The text of the item (for errors: the message). */
  val: string;
  /** 1-based line where the item starts. */
  line: number;
}

/** Options of {@link Lexer}. */
export interface LexOptions {
  /** Left action delimiter, default `{{`. */
  leftDelim?: string;
  /** Right action delimiter, default `}}`. */
  rightDelim?: string;
  /** Emit `comment` items instead of dropping comments. */
  emitComment?: boolean;
  /** Lex `break` as a keyword (otherwise as an identifier, when a function has that name). Default true. */
  breakOK?: boolean;
  /** Lex `continue` as a keyword. Default true. */
  continueOK?: boolean;
}

const EOF = -1;
const LEFT_COMMENT = "/*";
const RIGHT_COMMENT = "*/";
/** A trim marker is the minus sign plus one ASCII space next to the delimiter. */
const TRIM_MARKER_LEN = 2;

type StateFn = (l: Lexer) => StateFn | null;

function isSpace(r: number): boolean {
  return r === 0x20 || r === 0x09 || r === 0x0d || r === 0x0a;
}

const LETTER_OR_DIGIT = /^[\p{L}\p{Nd}_]$/u;

function isAlphaNumeric(r: number): boolean {
  if (r < 0) return false;
  if (r < 0x80) {
    return (
      r === 0x5f || (r >= 0x30 && r <= 0x39) || (r >= 0x41 && r <= 0x5a) || (r >= 0x61 && r <= 0x7a)
    );
  }
  return LETTER_OR_DIGIT.test(String.fromCodePoint(r));
}

function hasLeftTrimMarker(s: string, at: number): boolean {
  return s.charCodeAt(at) === 0x2d && at + 1 < s.length && isSpace(s.charCodeAt(at + 1));
}

function hasRightTrimMarker(s: string, at: number): boolean {
  return at + 1 < s.length && isSpace(s.charCodeAt(at)) && s.charCodeAt(at + 1) === 0x2d;
}

function countNewlines(s: string, from: number, to: number): number {
  // A plain loop: indexOf would run past `to` on long lines and make lexing quadratic.
  let n = 0;
  for (let i = from; i < to; i++) if (s.charCodeAt(i) === 0x0a) n++;
  return n;
}

/** Formats a rune like Go's `%#U`: `U+0023 '#'` (the quoted form only when printable). */
export function formatRune(r: number): string {
  const hex = r.toString(16).toUpperCase().padStart(4, "0");
  const ch = String.fromCodePoint(r);
  return isPrintable(ch) ? `U+${hex} '${ch}'` : `U+${hex}`;
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** Whether a single character is printable in Go's sense (letters, marks, numbers, punctuation, symbols, ASCII space). */
export function isPrintable(ch: string): boolean {
  return PRINTABLE.test(ch);
}

/** Maps UTF-16 indices of a string to UTF-8 byte offsets. */
export class ByteOffsets {
  private readonly table: Uint32Array | null;

  constructor(text: string) {
    // Pure ASCII text (the usual case) needs no table: indices are byte offsets.
    // eslint-disable-next-line no-control-regex
    if (/^[\x00-\x7f]*$/.test(text)) {
      this.table = null;
      return;
    }
    const table = new Uint32Array(text.length + 1);
    let bytes = 0;
    for (let i = 0; i < text.length; i++) {
      table[i] = bytes;
      const c = text.charCodeAt(i);
      if (c < 0x80) bytes += 1;
      else if (c < 0x800) bytes += 2;
      else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
        const d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          // A surrogate pair is one 4-byte character; both halves map to its start.
          bytes += 4;
          table[i + 1] = table[i] ?? 0;
          i++;
          continue;
        }
        bytes += 3;
      } else bytes += 3;
    }
    table[text.length] = bytes;
    this.table = table;
  }

  /** UTF-8 byte offset of UTF-16 index `i`. */
  at(i: number): number {
    return this.table === null ? i : (this.table[i] ?? 0);
  }
}

/**
 * A pull lexer over one template text.
 *
 * @example
 * const l = new Lexer("a{{.X}}");
 * l.nextItem(); // { type: "text", val: "a", ... }
 */
export class Lexer {
  readonly input: string;
  readonly leftDelim: string;
  readonly rightDelim: string;
  private readonly emitComment: boolean;
  private readonly breakOK: boolean;
  private readonly continueOK: boolean;
  private readonly bytes: ByteOffsets;

  /** Current UTF-16 index. */
  pos = 0;
  /** Start of the item being scanned. */
  private start = 0;
  private atEOF = false;
  private parenDepth = 0;
  private line = 1;
  private startLine = 1;
  private state: StateFn | null = lexText;
  private readonly pending: Item[] = [];
  private last: Item | null = null;

  constructor(input: string, options: LexOptions = {}) {
    this.input = input;
    this.leftDelim = options.leftDelim || "{{";
    this.rightDelim = options.rightDelim || "}}";
    this.emitComment = options.emitComment ?? false;
    this.breakOK = options.breakOK ?? true;
    this.continueOK = options.continueOK ?? true;
    this.bytes = new ByteOffsets(input);
  }

  /** Returns the next item. After EOF or an error, the same final item is returned forever. */
  nextItem(): Item {
    while (this.pending.length === 0) {
      if (this.state === null) {
        // The final item (eof or error) repeats so that callers never see undefined.
        return this.last ?? this.makeItem("eof", "");
      }
      this.state = this.state(this);
    }
    const item = this.pending.shift() as Item;
    this.last = item;
    return item;
  }

  // --- scanning primitives -------------------------------------------------

  /** Consumes and returns the next code point, or EOF. */
  next(): number {
    if (this.pos >= this.input.length) {
      this.atEOF = true;
      return EOF;
    }
    const r = this.input.codePointAt(this.pos) as number;
    this.pos += r > 0xffff ? 2 : 1;
    if (r === 0x0a) this.line++;
    return r;
  }

  /** Returns the next code point without consuming it. */
  peek(): number {
    const r = this.next();
    this.backup();
    return r;
  }

  /** Steps back one code point; a no-op once EOF has been reached, since nothing follows it. */
  backup(): void {
    if (this.atEOF || this.pos === 0) return;
    let w = 1;
    const c = this.input.charCodeAt(this.pos - 1);
    if (c >= 0xdc00 && c <= 0xdfff && this.pos >= 2) {
      const h = this.input.charCodeAt(this.pos - 2);
      if (h >= 0xd800 && h <= 0xdbff) w = 2;
    }
    this.pos -= w;
    if (c === 0x0a) this.line--;
  }

  /** Moves forward to `to`, counting the newlines passed. */
  advanceTo(to: number): void {
    this.line += countNewlines(this.input, this.pos, to);
    this.pos = to;
  }

  private makeItem(type: ItemType, val: string): Item {
    return { type, pos: this.bytes.at(this.start), offset: this.start, val, line: this.startLine };
  }

  emit(type: ItemType): void {
    this.pending.push(this.makeItem(type, this.input.slice(this.start, this.pos)));
    this.start = this.pos;
    this.startLine = this.line;
  }

  /** Drops the pending input before the current position. */
  ignore(): void {
    this.start = this.pos;
    this.startLine = this.line;
  }

  accept(valid: string): boolean {
    const r = this.next();
    if (r !== EOF && valid.includes(String.fromCodePoint(r))) return true;
    this.backup();
    return false;
  }

  acceptRun(valid: string): void {
    for (;;) {
      const r = this.next();
      if (r === EOF || !valid.includes(String.fromCodePoint(r))) break;
    }
    this.backup();
  }

  /** Emits an error item and stops the scan. */
  errorf(message: string): null {
    this.pending.push(this.makeItem("error", message));
    return null;
  }

  /** Whether the input at the current position is the right delimiter, possibly with a trim marker. */
  atRightDelim(): { delim: boolean; trim: boolean } {
    if (
      hasRightTrimMarker(this.input, this.pos) &&
      this.input.startsWith(this.rightDelim, this.pos + TRIM_MARKER_LEN)
    ) {
      return { delim: true, trim: true };
    }
    if (this.input.startsWith(this.rightDelim, this.pos)) return { delim: true, trim: false };
    return { delim: false, trim: false };
  }

  /**
   * Whether the next character may follow a word. Splits `.X.Y` into two fields and rejects
   * words glued to other characters, such as `$x+2`.
   */
  atTerminator(): boolean {
    const r = this.peek();
    if (isSpace(r)) return true;
    switch (r) {
      case EOF:
      case 0x2e: // .
      case 0x2c: // ,
      case 0x7c: // |
      case 0x3a: // :
      case 0x29: // )
      case 0x28: // (
        return true;
    }
    return this.input.startsWith(this.rightDelim, this.pos);
  }

  // --- state helpers that need private fields --------------------------------

  /** @internal */ get depth(): number {
    return this.parenDepth;
  }
  /** @internal */ set depth(n: number) {
    this.parenDepth = n;
  }
  /** @internal */ get itemStart(): number {
    return this.start;
  }
  /** @internal */ get keepComments(): boolean {
    return this.emitComment;
  }
  /** @internal */ keywordAllowed(k: Keyword): boolean {
    if (k === "break") return this.breakOK;
    if (k === "continue") return this.continueOK;
    return true;
  }
}

// --- states ------------------------------------------------------------------

/** Scans text up to the next left delimiter. */
function lexText(l: Lexer): StateFn | null {
  const x = l.input.indexOf(l.leftDelim, l.pos);
  if (x < 0) {
    l.advanceTo(l.input.length);
    if (l.pos > l.itemStart) l.emit("text");
    l.emit("eof");
    return null;
  }
  let end = x;
  if (hasLeftTrimMarker(l.input, x + l.leftDelim.length)) {
    while (end > l.itemStart && isSpace(l.input.charCodeAt(end - 1))) end--;
  }
  l.advanceTo(end);
  if (l.pos > l.itemStart) l.emit("text");
  l.advanceTo(x);
  l.ignore();
  return lexLeftDelim;
}

/** Scans the left delimiter (known to be present) and a trim marker, or a whole comment. */
function lexLeftDelim(l: Lexer): StateFn | null {
  l.advanceTo(l.pos + l.leftDelim.length);
  const afterMarker = hasLeftTrimMarker(l.input, l.pos) ? TRIM_MARKER_LEN : 0;
  if (l.input.startsWith(LEFT_COMMENT, l.pos + afterMarker)) {
    l.advanceTo(l.pos + afterMarker);
    l.ignore();
    return lexComment;
  }
  l.emit("leftDelim");
  l.advanceTo(l.pos + afterMarker);
  l.ignore();
  l.depth = 0;
  return lexInsideAction;
}

/** Scans a comment; the opening marker is known to be present. */
function lexComment(l: Lexer): StateFn | null {
  const i = l.input.indexOf(RIGHT_COMMENT, l.pos + LEFT_COMMENT.length);
  if (i < 0) return l.errorf("unclosed comment");
  l.advanceTo(i + RIGHT_COMMENT.length);
  const { delim, trim } = l.atRightDelim();
  if (!delim) return l.errorf("comment ends before closing delimiter");
  if (l.keepComments) l.emit("comment");
  if (trim) l.advanceTo(l.pos + TRIM_MARKER_LEN);
  l.advanceTo(l.pos + l.rightDelim.length);
  if (trim) l.advanceTo(skipSpaces(l.input, l.pos));
  l.ignore();
  return lexText;
}

function skipSpaces(s: string, from: number): number {
  let i = from;
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  return i;
}

/** Scans the right delimiter (known to be present), possibly with a trim marker. */
function lexRightDelim(l: Lexer): StateFn | null {
  const trim = hasRightTrimMarker(l.input, l.pos);
  if (trim) {
    l.advanceTo(l.pos + TRIM_MARKER_LEN);
    l.ignore();
  }
  l.advanceTo(l.pos + l.rightDelim.length);
  l.emit("rightDelim");
  if (trim) {
    l.advanceTo(skipSpaces(l.input, l.pos));
    l.ignore();
  }
  return lexText;
}

/** Scans the elements inside an action. */
function lexInsideAction(l: Lexer): StateFn | null {
  if (l.atRightDelim().delim) {
    if (l.depth === 0) return lexRightDelim;
    return l.errorf("unclosed left paren");
  }
  const r = l.next();
  if (r === EOF) return l.errorf("unclosed action");
  if (isSpace(r)) {
    l.backup(); // the space may begin " -}}"
    return lexSpace;
  }
  switch (r) {
    case 0x3d: // =
      l.emit("assign");
      return lexInsideAction;
    case 0x3a: // :
      if (l.next() !== 0x3d) return l.errorf("expected :=");
      l.emit("declare");
      return lexInsideAction;
    case 0x7c: // |
      l.emit("pipe");
      return lexInsideAction;
    case 0x22: // "
      return lexQuote;
    case 0x60: // `
      return lexRawQuote;
    case 0x24: // $
      return lexVariable;
    case 0x27: // '
      return lexChar;
    case 0x28: // (
      l.emit("leftParen");
      l.depth = l.depth + 1;
      return lexInsideAction;
    case 0x29: // )
      l.emit("rightParen");
      l.depth = l.depth - 1;
      if (l.depth < 0) return l.errorf(`unexpected right paren ${formatRune(r)}`);
      return lexInsideAction;
    case 0x2e: {
      // A dot followed by a digit starts a number; otherwise it is a field or dot itself.
      const c = l.input.charCodeAt(l.pos);
      if (l.pos < l.input.length && !(c >= 0x30 && c <= 0x39)) return lexField;
      l.backup();
      return lexNumber;
    }
  }
  if (r === 0x2b || r === 0x2d || (r >= 0x30 && r <= 0x39)) {
    l.backup();
    return lexNumber;
  }
  if (isAlphaNumeric(r)) {
    l.backup();
    return lexIdentifier;
  }
  if (r < 0x7f && r >= 0x20) {
    l.emit("char");
    return lexInsideAction;
  }
  return l.errorf(`unrecognized character in action: ${formatRune(r)}`);
}

/**
 * Scans a run of spaces. A trim-marked right delimiter starts with a space, so the last
 * space is left for it when the run ends in " -}}".
 */
function lexSpace(l: Lexer): StateFn | null {
  let spaces = 0;
  while (isSpace(l.peek())) {
    l.next();
    spaces++;
  }
  if (
    hasRightTrimMarker(l.input, l.pos - 1) &&
    l.input.startsWith(l.rightDelim, l.pos - 1 + TRIM_MARKER_LEN)
  ) {
    l.backup();
    if (spaces === 1) return lexRightDelim;
  }
  l.emit("space");
  return lexInsideAction;
}

/** Scans an identifier, keyword or boolean. */
function lexIdentifier(l: Lexer): StateFn | null {
  let r: number;
  do {
    r = l.next();
  } while (isAlphaNumeric(r));
  l.backup();
  if (!l.atTerminator()) return l.errorf(`bad character ${formatRune(r)}`);
  const word = l.input.slice(l.itemStart, l.pos);
  const keyword = KEYWORDS.get(word);
  if (keyword !== undefined && l.keywordAllowed(keyword)) l.emit(keyword);
  else if (word === "true" || word === "false") l.emit("bool");
  else l.emit("identifier");
  return lexInsideAction;
}

/** Scans `.Name` (the dot has been consumed). */
function lexField(l: Lexer): StateFn | null {
  return lexFieldOrVariable(l, "field");
}

/** Scans `$name` (the dollar has been consumed). */
function lexVariable(l: Lexer): StateFn | null {
  return lexFieldOrVariable(l, "variable");
}

function lexFieldOrVariable(l: Lexer, type: "field" | "variable"): StateFn | null {
  if (l.atTerminator()) {
    // A lone "." is dot; a lone "$" is the root variable.
    l.emit(type === "variable" ? "variable" : "dot");
    return lexInsideAction;
  }
  let r: number;
  do {
    r = l.next();
  } while (isAlphaNumeric(r));
  l.backup();
  if (!l.atTerminator()) return l.errorf(`bad character ${formatRune(r)}`);
  l.emit(type);
  return lexInsideAction;
}

/**
 * Scans a quoted literal up to its closing `quote` (the opening one has been consumed): escapes
 * skip the next character, a newline or the end of input is an error. The parser unquotes it.
 */
function scanQuoted(l: Lexer, quote: number, what: string, type: "charConstant" | "string"): StateFn | null {
  for (;;) {
    let r = l.next();
    if (r === 0x5c) {
      r = l.next();
      if (r !== EOF && r !== 0x0a) continue;
    }
    if (r === EOF || r === 0x0a) return l.errorf(`unterminated ${what}`);
    if (r === quote) break;
  }
  l.emit(type);
  return lexInsideAction;
}

/** Scans a character constant; the parser checks its syntax. */
function lexChar(l: Lexer): StateFn | null {
  return scanQuoted(l, 0x27, "character constant", "charConstant");
}

/**
 * Scans a number. Loose on purpose (it accepts "089" or "0x1.2"): the parser converts the
 * text with Go's rules and reports what is wrong.
 */
function lexNumber(l: Lexer): StateFn | null {
  if (!scanNumber(l)) return l.errorf(`bad number syntax: ${goQuote(l.input.slice(l.itemStart, l.pos))}`);
  const sign = l.peek();
  if (sign === 0x2b || sign === 0x2d) {
    // A complex constant such as 1+2i: no spaces, must end in i.
    if (!scanNumber(l) || l.input.charCodeAt(l.pos - 1) !== 0x69) {
      return l.errorf(`bad number syntax: ${goQuote(l.input.slice(l.itemStart, l.pos))}`);
    }
    l.emit("complex");
  } else {
    l.emit("number");
  }
  return lexInsideAction;
}

function scanNumber(l: Lexer): boolean {
  l.accept("+-");
  let digits = "0123456789_";
  if (l.accept("0")) {
    // A leading 0 alone does not mean octal here: it may be a float such as 0.5.
    if (l.accept("xX")) digits = "0123456789abcdefABCDEF_";
    else if (l.accept("oO")) digits = "01234567_";
    else if (l.accept("bB")) digits = "01_";
  }
  l.acceptRun(digits);
  if (l.accept(".")) l.acceptRun(digits);
  if (digits.length === 11 && l.accept("eE")) {
    l.accept("+-");
    l.acceptRun("0123456789_");
  }
  if (digits.length === 23 && l.accept("pP")) {
    l.accept("+-");
    l.acceptRun("0123456789_");
  }
  l.accept("i");
  if (isAlphaNumeric(l.peek())) {
    l.next();
    return false;
  }
  return true;
}

/** Scans a double-quoted string (the quote has been consumed). */
function lexQuote(l: Lexer): StateFn | null {
  return scanQuoted(l, 0x22, "quoted string", "string");
}

/** Scans a back-quoted raw string (the quote has been consumed); newlines are allowed. */
function lexRawQuote(l: Lexer): StateFn | null {
  const end = l.input.indexOf("`", l.pos);
  if (end < 0) return l.errorf("unterminated raw quoted string");
  l.advanceTo(end + 1);
  l.emit("rawString");
  return lexInsideAction;
}

/**
 * Quotes a string like Go's `strconv.Quote` (and `%q`): printable characters stay as they
 * are, others become `\n`, `\x1f`, `\u00ad`, `\U0001f600` escapes.
 */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case "\\":
        out += "\\\\";
        continue;
      case "\x07":
        out += "\\a";
        continue;
      case "\b":
        out += "\\b";
        continue;
      case "\f":
        out += "\\f";
        continue;
      case "\n":
        out += "\\n";
        continue;
      case "\r":
        out += "\\r";
        continue;
      case "\t":
        out += "\\t";
        continue;
      case "\v":
        out += "\\v";
        continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      // A lone surrogate cannot be UTF-8; Go would see the replacement character.
      out += "\\ufffd";
    } else if (isPrintable(ch)) {
      out += ch;
    } else if (c < 0x80) {
      out += "\\x" + c.toString(16).padStart(2, "0");
    } else if (c < 0x10000) {
      out += "\\u" + c.toString(16).padStart(4, "0");
    } else {
      out += "\\U" + c.toString(16).padStart(8, "0");
    }
  }
  return out + '"';
}

/** Lexes a whole text into items, up to and including EOF or the first error (for tests and tools). */
export function lexAll(input: string, options: LexOptions = {}): Item[] {
  const l = new Lexer(input, options);
  const items: Item[] = [];
  for (;;) {
    const item = l.nextItem();
    items.push(item);
    if (item.type === "eof" || item.type === "error") return items;
  }
}
