/**
 * Float64 to text the way Go's strconv.FormatFloat does it (formats 'e', 'E', 'f', 'g', 'G', 'b',
 * 'x', 'X'), so that template output matches Go byte for byte.
 *
 * Shortest form (precision -1) takes its digits from JavaScript's own number-to-string conversion:
 * both languages pick the shortest digit string that reads back as the same float64, and the closest
 * one when several are that short. Fixed precision works on the exact decimal expansion of the
 * float64 (always finite, computed with bigint) and rounds half to even as Go does; JavaScript's
 * toFixed/toExponential round ties away from zero (`(0.125).toFixed(2)` is `0.13`, Go prints `0.12`),
 * so they are not used.
 */

/** Decimal digits with a decimal point position: value = 0.d1d2d3... x 10^dp. No leading zeros. */
interface Digits {
  d: string;
  dp: number;
}

const view = new DataView(new ArrayBuffer(8));

/** Splits a finite non-negative float64 into mantissa and binary exponent: x = mant * 2^exp. */
function decompose(x: number): { mant: bigint; exp: number; biased: number } {
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (biased === 0) {
    exp = -1074;
  } else {
    mant |= 1n << 52n;
    exp = biased - 1075;
  }
  return { mant, exp, biased };
}

function trimZeros(d: string): string {
  let end = d.length;
  while (end > 0 && d.charCodeAt(end - 1) === 48) end--;
  return d.slice(0, end);
}

/** The shortest digits that identify x (finite, >= 0). */
function shortestDigits(x: number): Digits {
  if (x === 0) return { d: "", dp: 0 };
  const s = x.toExponential();
  const e = s.indexOf("e");
  const digits = trimZeros(s.slice(0, e).replace(".", ""));
  return { d: digits, dp: Number(s.slice(e + 1)) + 1 };
}

/** The exact decimal expansion of x (finite, >= 0). */
function exactDigits(x: number): Digits {
  if (x === 0) return { d: "", dp: 0 };
  const { mant, exp } = decompose(x);
  if (exp >= 0) {
    const s = (mant << BigInt(exp)).toString();
    return { d: trimZeros(s), dp: s.length };
  }
  // mant * 2^exp = mant * 5^-exp / 10^-exp
  const s = (mant * 5n ** BigInt(-exp)).toString();
  return { d: trimZeros(s), dp: s.length + exp };
}

/** Digits of a decimal string as toFixed/toExponential print it (no sign). */
function parseDecimal(s: string): Digits {
  const e = s.indexOf("e");
  let exp = 0;
  if (e >= 0) {
    exp = Number(s.slice(e + 1));
    s = s.slice(0, e);
  }
  const point = s.indexOf(".");
  const intLen = point < 0 ? s.length : point;
  const all = point < 0 ? s : s.slice(0, point) + s.slice(point + 1);
  let lead = 0;
  while (lead < all.length && all.charCodeAt(lead) === 48) lead++;
  const d = trimZeros(all.slice(lead));
  return d.length === 0 ? { d: "", dp: 0 } : { d, dp: intLen - lead + exp };
}

/**
 * Whether rounding x (> 0) at `frac` digits after the decimal point could be a tie: only then can
 * JavaScript's rounding (ties away from zero) differ from Go's (ties to even). A tie needs the
 * exact expansion to end with a 5 right after the cut, so x * 2^(frac+1) must be an integer.
 */
function mayTie(x: number, frac: number): boolean {
  return frac < 0 || Number.isInteger(x * 2 ** (frac + 1));
}

/** x (finite, >= 0) rounded to `prec` digits after the point, ties to even. */
function roundedFixed(x: number, prec: number): Digits {
  if (prec <= 100 && x < 1e21 && !mayTie(x, prec)) return parseDecimal(x.toFixed(prec));
  const exact = exactDigits(x);
  return roundDigits(exact, exact.dp + prec);
}

/** x (finite, >= 0) rounded to nd >= 1 significant digits, ties to even. */
function roundedSignificant(x: number, nd: number): Digits {
  if (nd <= 100 && x !== 0) {
    const s = x.toExponential(nd - 1);
    const exp = Number(s.slice(s.indexOf("e") + 1));
    // If rounding carried into a new leading digit, the retained digits were all 9s: no tie can
    // round differently there, so the check with the carried exponent is still sound.
    if (!mayTie(x, nd - 1 - exp)) return parseDecimal(s);
  }
  return roundDigits(exactDigits(x), nd);
}

/** Rounds to nd significant digits, ties to even (the expansion is exact, so a tie is a lone 5). */
function roundDigits(x: Digits, nd: number): Digits {
  if (nd < 0 || nd >= x.d.length) return x;
  const next = x.d.charCodeAt(nd) - 48;
  let up: boolean;
  if (next === 5 && nd + 1 === x.d.length) {
    up = nd > 0 && (x.d.charCodeAt(nd - 1) - 48) % 2 === 1;
  } else {
    up = next >= 5;
  }
  if (!up) {
    const d = trimZeros(x.d.slice(0, nd));
    return d.length === 0 ? { d: "", dp: 0 } : { d, dp: x.dp };
  }
  let i = nd - 1;
  while (i >= 0 && x.d[i] === "9") i--;
  if (i < 0) return { d: "1", dp: x.dp + 1 };
  return { d: x.d.slice(0, i) + String.fromCharCode(x.d.charCodeAt(i) + 1), dp: x.dp };
}

function formatE(neg: boolean, x: Digits, prec: number, letter: string): string {
  let out = neg ? "-" : "";
  out += x.d.length > 0 ? x.d[0] : "0";
  if (prec > 0) {
    out += ".";
    const more = x.d.slice(1, Math.min(x.d.length, prec + 1));
    out += more + "0".repeat(prec - more.length);
  }
  let exp = x.d.length === 0 ? 0 : x.dp - 1;
  out += letter;
  out += exp < 0 ? "-" : "+";
  exp = Math.abs(exp);
  out += exp < 10 ? "0" + String(exp) : String(exp);
  return out;
}

function formatF(neg: boolean, x: Digits, prec: number): string {
  let out = neg ? "-" : "";
  if (x.dp > 0) {
    const int = x.d.slice(0, Math.min(x.d.length, x.dp));
    out += int + "0".repeat(x.dp - int.length);
  } else {
    out += "0";
  }
  if (prec > 0) {
    out += ".";
    for (let i = 1; i <= prec; i++) {
      const j = x.dp + i - 1;
      out += j >= 0 && j < x.d.length ? x.d[j] : "0";
    }
  }
  return out;
}

/** Go's %b for floats: decimal mantissa "p" binary exponent, e.g. `4503599627370496p-52`. */
function formatB(neg: boolean, x: number): string {
  const { mant, exp } = decompose(x);
  const e = exp;
  return (neg ? "-" : "") + mant.toString() + "p" + (e >= 0 ? "+" : "-") + String(Math.abs(e));
}

/** Go's %x for floats: hexadecimal mantissa and binary exponent, e.g. `0x1.8p+01`. */
function formatX(neg: boolean, x: number, prec: number, upper: boolean): string {
  let mant: bigint;
  let exp: number;
  if (x === 0) {
    mant = 0n;
    exp = 0;
  } else {
    const parts = decompose(x);
    mant = parts.mant;
    exp = parts.exp;
    // Normalise so the leading 1 sits at bit 60: mantissa 1.xxx with 15 hex digits after the point.
    while (mant < 1n << 60n) {
      mant <<= 1n;
      exp--;
    }
    exp += 60;
  }
  const shift = 60n;
  if (prec >= 0 && prec < 15) {
    const drop = BigInt(60 - 4 * prec);
    const extra = mant & ((1n << drop) - 1n);
    mant >>= drop;
    const half = 1n << (drop - 1n);
    if (extra > half || (extra === half && (mant & 1n) === 1n)) mant++;
    mant <<= drop;
    if (mant >= 1n << 61n) {
      mant >>= 1n;
      exp++;
    }
  }
  const hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  let out = neg ? "-" : "";
  out += "0" + (upper ? "X" : "x");
  out += hex[Number(mant >> shift) & 1] ?? "0";
  let frac = mant & ((1n << shift) - 1n);
  let digits = "";
  if (prec < 0) {
    while (frac !== 0n) {
      digits += hex[Number((frac >> 56n) & 15n)] ?? "0";
      frac = (frac << 4n) & ((1n << shift) - 1n);
    }
  } else {
    for (let i = 0; i < prec; i++) {
      digits += hex[Number((frac >> 56n) & 15n)] ?? "0";
      frac = (frac << 4n) & ((1n << shift) - 1n);
    }
  }
  if (digits.length > 0) out += "." + digits;
  out += upper ? "P" : "p";
  out += exp < 0 ? "-" : "+";
  const e = Math.abs(exp);
  out += e < 10 ? "0" + String(e) : String(e);
  return out;
}

/** Float formats understood by {@link formatFloat}. */
export type FloatFormat = "e" | "E" | "f" | "g" | "G" | "b" | "x" | "X";

/**
 * Formats a float64 as Go's `strconv.FormatFloat(x, format, prec, 64)`; prec -1 means the
 * shortest text that reads back as x. Negative numbers (and -0) start with "-", infinities are
 * `+Inf`/`-Inf` and NaN is `NaN`.
 */
export function formatFloat(x: number, format: FloatFormat, prec: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "+Inf";
  if (x === -Infinity) return "-Inf";
  const abs = Math.abs(x);
  // Fast paths where JavaScript's own text is exactly Go's: shortest %g in the plain-decimal range,
  // and %f when no rounding tie is possible.
  if (format === "g" && prec < 0 && abs >= 1e-4 && abs < 1e6) return String(x);
  if (format === "f" && prec >= 0 && prec <= 100 && abs < 1e21 && !mayTie(abs, prec)) return x.toFixed(prec);
  const neg = x < 0 || Object.is(x, -0);
  if (format === "b") return formatB(neg, abs);
  if (format === "x" || format === "X") return formatX(neg, abs, prec, format === "X");

  const shortest = prec < 0;
  let digits: Digits;
  if (shortest) {
    digits = shortestDigits(abs);
    if (format === "e" || format === "E") prec = Math.max(digits.d.length - 1, 0);
    else if (format === "f") prec = Math.max(digits.d.length - digits.dp, 0);
    else prec = digits.d.length;
  } else {
    if (format === "g" || format === "G") {
      if (prec === 0) prec = 1;
      digits = roundedSignificant(abs, prec);
    } else if (format === "f") {
      digits = roundedFixed(abs, prec);
    } else {
      digits = roundedSignificant(abs, prec + 1);
    }
  }

  switch (format) {
    case "e":
    case "E":
      return formatE(neg, digits, prec, format);
    case "f":
      return formatF(neg, digits, prec);
    case "g":
    case "G": {
      let eprec = prec;
      if (eprec > digits.d.length && digits.d.length >= digits.dp) eprec = digits.d.length;
      // Shortest output decides between the two layouts as if the precision were 6.
      if (shortest) eprec = 6;
      const exp = digits.dp - 1;
      if (exp < -4 || exp >= eprec) {
        if (prec > digits.d.length) prec = digits.d.length;
        return formatE(neg, digits, prec - 1, format === "g" ? "e" : "E");
      }
      if (prec > digits.dp) prec = digits.d.length;
      return formatF(neg, digits, Math.max(prec - digits.dp, 0));
    }
  }
}
