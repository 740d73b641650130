/**
 * Runs Go's real text/template, html/template and fmt.Sprintf (test/go/oracle.go) from tests, so
 * the engine can be compared with Go case by case.
 *
 * The Go program is built once per content of oracle.go and Go version into a cache directory
 * under the system temp dir and then run synchronously with all cases of a batch on stdin: batch
 * many cases into one call, each call starts a process.
 *
 * The toolchain is LT_GO if set, else /usr/lib/go-1.23/bin/go (Debian's golang-1.23 from
 * bookworm-backports) if present, else `go` on PATH; one older than Go 1.23 is refused. The
 * binary's cache key covers both oracle.go and the `go version` output.
 *
 * Tests that use it skip when no suitable `go` is found, unless LT_REQUIRE_EXTERNAL=1 is set, in
 * which case they must fail; `describe.skipIf(skipWithoutGo)` plus {@link runGo} (which throws
 * when Go is missing or too old) gives exactly that.
 */

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { TrustedContent } from "../../src/template/content.js";
import type { ContentKind } from "../../src/template/content.js";

/** One case for the Go oracle. */
export interface GoCase {
  /** `text`: text/template; `html`: html/template; `printf`: fmt.Sprintf(format, args...). */
  mode: "text" | "html" | "printf";
  /** Template name (default "t"), as it appears in error messages. */
  name?: string;
  /** Template source (text and html modes). */
  template?: string;
  /**
   * Data for Execute (text and html modes). JSON-like values: integral numbers below 2^63 become Go
   * ints, other numbers float64 (NaN and ±Inf included), bigint an int, TrustedContent
   * (`new HTML("<b>")`) the matching html/template type; objects become map[string]interface {},
   * arrays []interface {}. Maps, Sets, class instances and functions are not supported.
   */
  data?: unknown;
  /** Format string (printf mode). */
  format?: string;
  /** Operands (printf mode), converted like `data`. */
  args?: unknown[];
  /**
   * Adds these functions to the template: `upper`/`lower` (strings.ToUpper/ToLower),
   * `add(a, b int) int`, `fail() (string, error)` (always fails with "fail called"),
   * `list(xs ...any) []any`.
   */
  funcs?: boolean;
}

/**
 * Go's result for one case: `out` alone on success; `err` alone for a parse error; both for an
 * execution error (`out` is what was written before it). Error texts are Go's `err.Error()`.
 */
export interface GoResult {
  out?: string;
  err?: string;
}

const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, "oracle.go");

/** The oldest Go whose templates the engine follows (see docs/template.md). */
const MIN_GO: readonly [number, number] = [1, 23];
/** Where Debian's `golang-1.23` package (bookworm-backports) puts its `go`. */
const DEBIAN_GO = "/usr/lib/go-1.23/bin/go";
const INSTALL_HINT =
  "install golang-1.23 from Debian's bookworm-backports suite (add the suite to apt's sources, then " +
  "`apt-get install -t bookworm-backports golang-1.23`; the binary is /usr/lib/go-1.23/bin/go), or point LT_GO at a Go >= 1.23";

interface GoToolchain {
  /** The `go` command to run. */
  cmd: string;
  /** Its `go version` output (part of the binary's cache key). */
  version: string;
}

/** The chosen `go`: LT_GO if set, else Debian's Go 1.23 if present, else `go` on PATH. */
function goCommand(): string {
  const env = process.env["LT_GO"];
  if (env !== undefined && env !== "") return env;
  if (existsSync(DEBIAN_GO)) return DEBIAN_GO;
  return "go";
}

/**
 * Parses `go version` output (`go version go1.23.5 linux/amd64`) into major and minor, or null
 * when it names no release (a development build).
 */
export function parseGoVersion(out: string): [number, number] | null {
  const m = /\bgo(\d+)\.(\d+)/.exec(out);
  if (m === null) return null;
  return [Number(m[1]), Number(m[2])];
}

let toolchain: GoToolchain | null | undefined;
let toolchainProblem = "";

/** Finds and checks the toolchain once; null (with {@link toolchainProblem} set) when unusable. */
function findGo(): GoToolchain | null {
  if (toolchain !== undefined) return toolchain;
  const cmd = goCommand();
  const r = spawnSync(cmd, ["version"], { encoding: "utf8" });
  if (r.status !== 0) {
    toolchainProblem = `go oracle: cannot run \`${cmd} version\` (${r.error?.message ?? r.stderr.trim()}); ${INSTALL_HINT}`;
    toolchain = null;
    return null;
  }
  const version = r.stdout.trim();
  const v = parseGoVersion(version);
  if (v !== null && (v[0] < MIN_GO[0] || (v[0] === MIN_GO[0] && v[1] < MIN_GO[1]))) {
    toolchainProblem = `go oracle: ${cmd} is ${version}, older than go${MIN_GO.join(".")}; ${INSTALL_HINT}`;
    toolchain = null;
    return null;
  }
  toolchain = { cmd, version };
  return toolchain;
}

/** Whether a suitable Go toolchain (1.23 or newer) can be run. */
export function goAvailable(): boolean {
  return findGo() !== null;
}

/** True when Go tests should be skipped: no suitable `go` and LT_REQUIRE_EXTERNAL is not 1. */
export const skipWithoutGo: boolean = !goAvailable() && process.env["LT_REQUIRE_EXTERNAL"] !== "1";

let binary: string | undefined;

function build(): string {
  if (binary !== undefined) return binary;
  const go = findGo();
  if (go === null) throw new Error(toolchainProblem);
  const code = readFileSync(source);
  // The toolchain is part of the key: a binary built by another Go must not be reused.
  const hash = createHash("sha256").update(code).update("\0").update(go.version).digest("hex").slice(0, 16);
  const dir = join(tmpdir(), `livetemplate-go-oracle-${hash}`);
  const exe = join(dir, "oracle");
  if (!existsSync(exe)) {
    mkdirSync(dir, { recursive: true });
    // Build in a private directory and rename: parallel test workers may race to build.
    const work = join(dir, `build-${process.pid}-${Date.now()}`);
    mkdirSync(work, { recursive: true });
    try {
      writeFileSync(join(work, "oracle.go"), code);
      const r = spawnSync(go.cmd, ["build", "-o", "oracle", "oracle.go"], {
        cwd: work,
        encoding: "utf8",
        env: {
          ...process.env,
          GO111MODULE: "off",
          CGO_ENABLED: "0",
          // Build with the toolchain found, never a downloaded one.
          GOTOOLCHAIN: "local",
          // CI sandboxes may have no HOME, from which go derives its cache directory.
          GOCACHE: process.env["GOCACHE"] ?? join(tmpdir(), "livetemplate-go-cache"),
          GOPATH: process.env["GOPATH"] ?? join(tmpdir(), "livetemplate-go-path"),
        },
        timeout: 300_000,
      });
      if (r.status !== 0) {
        throw new Error(`go oracle: build failed: ${r.error?.message ?? ""}${r.stderr}`);
      }
      renameSync(join(work, "oracle"), exe);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  binary = exe;
  return exe;
}

const CONTENT_TAGS: Record<ContentKind, string> = {
  html: "HTML",
  htmlAttr: "HTMLAttr",
  js: "JS",
  jsStr: "JSStr",
  css: "CSS",
  url: "URL",
  srcset: "Srcset",
};

/** JSON encoding that keeps what plain JSON loses (see oracle.go: `{"$lt": TAG, "v": TEXT}`). */
function encode(cases: readonly GoCase[]): string {
  return JSON.stringify(cases, function (this: Record<string, unknown>, key: string, value: unknown) {
    const raw = this[key];
    if (raw instanceof TrustedContent) return { $lt: CONTENT_TAGS[raw.kind], v: raw.value };
    if (typeof value === "bigint") return { $lt: "int", v: value.toString() };
    if (typeof value === "number" && !Number.isFinite(value)) {
      return { $lt: "float", v: Number.isNaN(value) ? "NaN" : value > 0 ? "+Inf" : "-Inf" };
    }
    return value;
  });
}

function isResult(v: unknown): v is GoResult {
  if (typeof v !== "object" || v === null) return false;
  const r = v as Record<string, unknown>;
  return (r["out"] === undefined || typeof r["out"] === "string") && (r["err"] === undefined || typeof r["err"] === "string");
}

/**
 * Runs the cases through Go and returns one result per case, in order. Throws if Go is missing or
 * the oracle fails as a whole (bad input); per-case errors are results.
 * @example runGo([{ mode: "printf", format: "%5.2f", args: [3.14159] }]) // [{ out: " 3.14" }]
 */
export function runGo(cases: readonly GoCase[]): GoResult[] {
  const exe = build();
  const r = spawnSync(exe, [], {
    input: encode(cases),
    encoding: "utf8",
    maxBuffer: 512 * 1024 * 1024,
    timeout: 120_000,
  });
  if (r.status !== 0) {
    throw new Error(`go oracle: exit ${String(r.status)}: ${r.error?.message ?? ""}${r.stderr}`);
  }
  const parsed: unknown = JSON.parse(r.stdout);
  if (!Array.isArray(parsed) || parsed.length !== cases.length || !parsed.every(isResult)) {
    throw new Error("go oracle: unexpected output");
  }
  return parsed;
}
