/**
 * Typed trusted content, as Go's html/template content types: a value wrapped in one of these
 * classes is known to be safe in the matching context, so the escaper for that context passes it
 * through. In text/template (and when printed) each behaves as its plain string.
 */

/** The contexts a trusted value can be safe for. */
export type ContentKind = "html" | "htmlAttr" | "js" | "jsStr" | "css" | "url" | "srcset";

/** Base class of trusted content; `value` is the raw string. */
export abstract class TrustedContent {
  abstract readonly kind: ContentKind;
  readonly value: string;

  constructor(value: string) {
    this.value = String(value);
  }

  toString(): string {
    return this.value;
  }

  toJSON(): string {
    return this.value;
  }
}

/** A known-safe HTML fragment, e.g. `new HTML("<b>ok</b>")`. */
export class HTML extends TrustedContent {
  readonly kind = "html" as const;
}
/** A known-safe attribute name/value pair, e.g. `new HTMLAttr('dir="ltr"')`. */
export class HTMLAttr extends TrustedContent {
  readonly kind = "htmlAttr" as const;
}
/** A known-safe JavaScript expression, e.g. `new JS("a + b")`. */
export class JS extends TrustedContent {
  readonly kind = "js" as const;
}
/** Known-safe contents of a JavaScript string literal (without quotes). */
export class JSStr extends TrustedContent {
  readonly kind = "jsStr" as const;
}
/** A known-safe CSS fragment, e.g. `new CSS("color: red")`. */
export class CSS extends TrustedContent {
  readonly kind = "css" as const;
}
/** A known-safe URL or URL substring, e.g. `new URL("javascript:void(0)")`. */
export class URL extends TrustedContent {
  readonly kind = "url" as const;
}
/** A known-safe `srcset` attribute value. */
export class Srcset extends TrustedContent {
  readonly kind = "srcset" as const;
}
