/**
 * The data module of a generated resource (src/data/NAME.ts): the record type, reading and
 * validating a submitted form, and the repository, in memory or on SQLite.
 */
import type { Names } from "../names.js";
import { sqlType, tsType, type Field } from "./fields.js";

export type Storage = "memory" | "sqlite";

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** The statements that read one field from the form into `input`, collecting errors. */
function readField(f: Field, n: Names): string[] {
  const label = cap(f.label);
  const lines: string[] = [];
  switch (f.type) {
    case "string":
    case "text":
      lines.push(`  const ${f.name} = data.getString("${f.name}").trim();`);
      if (f.required) lines.push(`  if (${f.name} === "") errors.push(new ValidationError("${f.name}", "${label} is required"));`);
      if (f.type === "string") lines.push(`  else if (${f.name}.length > 200) errors.push(new ValidationError("${f.name}", "${label} is longer than 200 characters"));`);
      break;
    case "int":
    case "float": {
      const test = f.type === "int" ? `!Number.isInteger(${f.name})` : `!Number.isFinite(${f.name})`;
      const what = f.type === "int" ? "a whole number" : "a number";
      lines.push(`  const ${f.name}Text = data.getString("${f.name}").trim();`);
      lines.push(`  const ${f.name} = ${f.name}Text === "" ? null : Number(${f.name}Text);`);
      if (f.required) lines.push(`  if (${f.name} === null) errors.push(new ValidationError("${f.name}", "${label} is required"));`);
      lines.push(`  ${f.required ? "else " : ""}if (${f.name} !== null && ${test}) errors.push(new ValidationError("${f.name}", "${label} must be ${what}"));`);
      break;
    }
    case "bool":
      lines.push(`  const ${f.name} = data.getBool("${f.name}");`);
      break;
    case "date":
      lines.push(`  const ${f.name} = data.getString("${f.name}").trim();`);
      if (f.required) lines.push(`  if (${f.name} === "") errors.push(new ValidationError("${f.name}", "${label} is required"));`);
      lines.push(`  ${f.required ? "else " : ""}if (${f.name} !== "" && !isDate(${f.name})) errors.push(new ValidationError("${f.name}", "${label} must be a date (YYYY-MM-DD)"));`);
      break;
    default: {
      const never: never = f.type;
      return never;
    }
  }
  if (f.unique) {
    lines.push(
      `  if (${f.name} !== ${f.type === "int" || f.type === "float" ? "null" : '""'} && repository.findBy${cap(f.name)}(${f.name}, id) !== undefined) {`,
      `    errors.push(new ValidationError("${f.name}", "Another ${n.human} has this ${f.label}"));`,
      `  }`,
    );
  }
  return lines;
}

/** The non-null value type used by `findByX`. */
const valueType = (f: Field): string => tsType(f).replace(" | null", "");

function header(n: Names, fields: readonly Field[], storage: Storage): string {
  const hasDate = fields.some((f) => f.type === "date");
  const searchable = fields.filter((f) => f.type === "string" || f.type === "text");
  return `/**
 * ${cap(n.humanPlural)}: the record, reading one from a submitted form, and where they are kept
 * (${storage === "memory" ? "in memory: they last as long as the process" : "in SQLite, see src/db.ts and migrations/"}).${
   searchable.length > 0 ? `\n * A search matches ${searchable.map((f) => f.label).join(" or ")}, case-insensitively.` : ""
 }
 */
import { MultiError, ValidationError } from "livetemplate";
import type { ActionData } from "livetemplate";
${storage === "sqlite" ? 'import { database } from "../db.js";\n' : ""}
export interface ${n.pascal} {
  id: number;
${fields.map((f) => `  ${f.name}: ${tsType(f)};`).join("\n")}
}

/** A ${n.human} before it has an id. */
export type ${n.pascal}Input = Omit<${n.pascal}, "id">;

/** One page of a list. */
export interface ${n.pascal}Page {
  rows: ${n.pascal}[];
  /** How many ${n.humanPlural} match the search, on every page. */
  total: number;
}

/** Repositories keep ${n.humanPlural}; the pages use only this. */
export interface ${n.pascal}Repository {
  list(search: string, offset: number, limit: number): ${n.pascal}Page;
  get(id: number): ${n.pascal} | undefined;
  create(input: ${n.pascal}Input): ${n.pascal};
  update(id: number, input: ${n.pascal}Input): ${n.pascal} | undefined;
  delete(id: number): boolean;
${fields
  .filter((f) => f.unique)
  .map((f) => `  /** The ${n.human} with this ${f.label}, other than \`exceptId\`. */\n  findBy${cap(f.name)}(value: ${valueType(f)}, exceptId?: number): ${n.pascal} | undefined;`)
  .join("\n")}
}

/**
 * Reads a ${n.human} from a submitted form. Throws a \`MultiError\` with one message per wrong field,
 * which the page shows beside the field. \`id\` is the ${n.human} being edited (for unique checks).
 */
export function ${n.camel}FromForm(data: ActionData, repository: ${n.pascal}Repository, id?: number): ${n.pascal}Input {
  const errors: ValidationError[] = [];
${fields.flatMap((f) => readField(f, n)).join("\n")}
  if (errors.length > 0) throw new MultiError(errors);
  return { ${fields.map((f) => (f.type === "int" || f.type === "float") && f.required ? `${f.name}: ${f.name}!` : f.name).join(", ")} };
}
${hasDate ? `\n/** True for a real calendar date written YYYY-MM-DD. */\nfunction isDate(s: string): boolean {\n  return /^\\d{4}-\\d{2}-\\d{2}$/.test(s) && !Number.isNaN(Date.parse(s)) && new Date(s).toISOString().startsWith(s);\n}\n` : ""}`;
}

function memoryRepository(n: Names, fields: readonly Field[]): string {
  const searchable = fields.filter((f) => f.type === "string" || f.type === "text");
  const matches =
    searchable.length === 0
      ? "true"
      : searchable.map((f) => `r.${f.name}.toLowerCase().includes(needle)`).join(" ||\n        ");
  return `
/** Keeps ${n.humanPlural} in a Map, newest first in lists. */
export class Memory${n.pascal}Repository implements ${n.pascal}Repository {
  private readonly rows = new Map<number, ${n.pascal}>();
  private nextId = 1;

  list(search: string, offset: number, limit: number): ${n.pascal}Page {
    const needle = search.toLowerCase();
    const found = [...this.rows.values()]
      .filter((r) => needle === "" || ${matches})
      .reverse();
    return { rows: found.slice(offset, offset + limit), total: found.length };
  }

  get(id: number): ${n.pascal} | undefined {
    return this.rows.get(id);
  }

  create(input: ${n.pascal}Input): ${n.pascal} {
    const row = { id: this.nextId++, ...input };
    this.rows.set(row.id, row);
    return row;
  }

  update(id: number, input: ${n.pascal}Input): ${n.pascal} | undefined {
    if (!this.rows.has(id)) return undefined;
    const row = { id, ...input };
    this.rows.set(id, row);
    return row;
  }

  delete(id: number): boolean {
    return this.rows.delete(id);
  }
${fields
  .filter((f) => f.unique)
  .map(
    (f) => `
  findBy${cap(f.name)}(value: ${valueType(f)}, exceptId?: number): ${n.pascal} | undefined {
    return [...this.rows.values()].find((r) => r.${f.name} === value && r.id !== exceptId);
  }
`,
  )
  .join("")}}

export const ${n.camelPlural} = new Memory${n.pascal}Repository();
`;
}

function sqliteRepository(n: Names, fields: readonly Field[]): string {
  const searchable = fields.filter((f) => f.type === "string" || f.type === "text");
  const where = searchable.length === 0 ? "" : searchable.map((f) => `${f.column} LIKE @like ESCAPE '\\\\'`).join(" OR ");
  const columns = fields.map((f) => f.column).join(", ");
  const params = fields.map((f) => `@${f.name}`).join(", ");
  const sets = fields.map((f) => `${f.column} = @${f.name}`).join(", ");
  const selectCols = ["id", ...fields.map((f) => (f.column === f.name ? f.column : `${f.column} AS ${f.name}`))].join(", ");
  const bools = fields.filter((f) => f.type === "bool");
  const fromRow =
    bools.length === 0
      ? `(r: ${n.pascal}Row): ${n.pascal} => r`
      : `(r: ${n.pascal}Row): ${n.pascal} => ({ ...r, ${bools.map((f) => `${f.name}: r.${f.name} === 1`).join(", ")} })`;
  const toParams =
    bools.length === 0
      ? `(input: ${n.pascal}Input): ${n.pascal}Input => input`
      : `(input: ${n.pascal}Input): Omit<${n.pascal}Row, "id"> => ({ ...input, ${bools.map((f) => `${f.name}: input.${f.name} ? 1 : 0`).join(", ")} })`;
  const rowType =
    bools.length === 0
      ? `type ${n.pascal}Row = ${n.pascal};`
      : `/** A row as SQLite returns it: booleans are 0 or 1. */\ntype ${n.pascal}Row = Omit<${n.pascal}, ${bools.map((f) => `"${f.name}"`).join(" | ")}> & { ${bools.map((f) => `${f.name}: number`).join("; ")} };`;
  return `
${rowType}

const fromRow = ${fromRow};
const toParams = ${toParams};

/** Keeps ${n.humanPlural} in the \`${n.table}\` table (migrations/), newest first in lists. */
export class Sqlite${n.pascal}Repository implements ${n.pascal}Repository {
  list(search: string, offset: number, limit: number): ${n.pascal}Page {
    const db = database();${
      where === ""
        ? `
    const rows = db.prepare("SELECT ${selectCols} FROM ${n.table} ORDER BY id DESC LIMIT ? OFFSET ?").all(limit, offset) as ${n.pascal}Row[];
    const { total } = db.prepare("SELECT count(*) AS total FROM ${n.table}").get() as { total: number };`
        : `
    const like = "%" + search.replace(/[\\\\%_]/g, (c) => "\\\\" + c) + "%";
    const where = "${where}";
    const rows = db
      .prepare(\`SELECT ${selectCols} FROM ${n.table} WHERE \${where} ORDER BY id DESC LIMIT @limit OFFSET @offset\`)
      .all({ like, limit, offset }) as ${n.pascal}Row[];
    const { total } = db
      .prepare(\`SELECT count(*) AS total FROM ${n.table} WHERE \${where}\`)
      .get({ like }) as { total: number };`
    }
    return { rows: rows.map(fromRow), total };
  }

  get(id: number): ${n.pascal} | undefined {
    const row = database()
      .prepare("SELECT ${selectCols} FROM ${n.table} WHERE id = ?")
      .get(id) as ${n.pascal}Row | undefined;
    return row && fromRow(row);
  }

  create(input: ${n.pascal}Input): ${n.pascal} {
    const { lastInsertRowid } = database()
      .prepare("INSERT INTO ${n.table} (${columns}) VALUES (${params})")
      .run(toParams(input));
    return { id: Number(lastInsertRowid), ...input };
  }

  update(id: number, input: ${n.pascal}Input): ${n.pascal} | undefined {
    const { changes } = database()
      .prepare("UPDATE ${n.table} SET ${sets} WHERE id = @id")
      .run({ ...toParams(input), id });
    return changes === 0 ? undefined : { id, ...input };
  }

  delete(id: number): boolean {
    return database().prepare("DELETE FROM ${n.table} WHERE id = ?").run(id).changes > 0;
  }
${fields
  .filter((f) => f.unique)
  .map(
    (f) => `
  findBy${cap(f.name)}(value: ${valueType(f)}, exceptId?: number): ${n.pascal} | undefined {
    const row = database()
      .prepare("SELECT ${selectCols} FROM ${n.table} WHERE ${f.column} = ? AND id IS NOT ?")
      .get(${f.type === "bool" ? "value ? 1 : 0" : "value"}, exceptId ?? null) as ${n.pascal}Row | undefined;
    return row && fromRow(row);
  }
`,
  )
  .join("")}}

export const ${n.camelPlural} = new Sqlite${n.pascal}Repository();
`;
}

/** src/data/PLURAL.ts */
export function dataModule(n: Names, fields: readonly Field[], storage: Storage): string {
  return header(n, fields, storage) + (storage === "memory" ? memoryRepository(n, fields) : sqliteRepository(n, fields));
}

/** migrations/NNN_create_TABLE.sql */
export function createTableMigration(n: Names, fields: readonly Field[]): string {
  const cols = fields.map((f) => {
    const notNull = f.required || f.type === "bool" || f.type === "string" || f.type === "text" || f.type === "date";
    const dflt = f.type === "bool" ? " DEFAULT 0" : !f.required && notNull ? " DEFAULT ''" : "";
    return `  ${f.column} ${sqlType(f)}${notNull ? " NOT NULL" : ""}${dflt}${f.unique ? " UNIQUE" : ""}`;
  });
  return `-- ${n.humanPlural}: created by lvt gen resource\nCREATE TABLE ${n.table} (\n  id INTEGER PRIMARY KEY AUTOINCREMENT,\n${cols.join(",\n")}\n);\n`;
}

/** src/db.ts: opens the database once and applies the migrations it has not seen. */
export const DB_MODULE = `/**
 * The SQLite database (better-sqlite3): opened on first use at DATABASE_FILE (default app.db),
 * after applying every migrations/*.sql file not yet applied, in file name order. Each applied
 * file is recorded in the schema_migrations table.
 */
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";

const migrations = fileURLToPath(new URL("../migrations/", import.meta.url));
let db: Database.Database | undefined;

/** The open database. */
export function database(): Database.Database {
  if (db === undefined) {
    db = new Database(process.env["DATABASE_FILE"] ?? "app.db");
    db.pragma("journal_mode = WAL");
    db.pragma("foreign_keys = ON");
    migrate(db);
  }
  return db;
}

function migrate(db: Database.Database): void {
  db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)");
  const applied = new Set((db.prepare("SELECT name FROM schema_migrations").all() as { name: string }[]).map((r) => r.name));
  for (const name of readdirSync(migrations).filter((f) => f.endsWith(".sql")).sort()) {
    if (applied.has(name)) continue;
    db.transaction(() => {
      db.exec(readFileSync(migrations + name, "utf8"));
      db.prepare("INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)").run(name, new Date().toISOString());
    })();
  }
}
`;
