/**
 * Fields of `lvt gen resource NAME field:type[:modifier...]`: `title:string:required`,
 * `email:string:required:unique`, `price:float`, `done:bool`, `due:date`, `body:text`, `count:int`.
 */
import { UsageError } from "../args.js";
import { words } from "../names.js";

export const FIELD_TYPES = ["string", "text", "int", "float", "bool", "date"] as const;
export type FieldType = (typeof FIELD_TYPES)[number];
export const FIELD_MODIFIERS = ["required", "unique"] as const;

export interface Field {
  /** camelCase, the TypeScript property and form field name. */
  readonly name: string;
  /** snake_case, the SQL column. */
  readonly column: string;
  /** Words for labels and messages, e.g. `due date`. */
  readonly label: string;
  readonly type: FieldType;
  readonly required: boolean;
  readonly unique: boolean;
}

const RESERVED = new Set(["id", "lvt", "constructor", "prototype"]);
/** SQL keywords that cannot be bare column names (the generated SQL does not quote them). */
const SQL_KEYWORDS = new Set(
  "add all alter and as asc between by case check column constraint create default delete desc distinct drop else end escape except exists foreign from group having in index insert intersect into is join key like limit not null offset on or order primary references select set table then to union unique update using values when where".split(" "),
);

/** Parses one `name:type[:modifier...]` argument. */
export function parseField(arg: string): Field {
  const [rawName, type = "string", ...mods] = arg.split(":");
  if (rawName === undefined || rawName === "") throw new UsageError(`field "${arg}" has no name: write name:type, e.g. title:string`);
  if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(rawName)) {
    throw new UsageError(`field name "${rawName}" must start with a letter and use only letters, digits, "-" and "_"`);
  }
  // Field names keep their number: \`views\` stays views, \`tags\` stays tags.
  const w = words(rawName);
  const name = w[0]! + w.slice(1).map((x) => x.charAt(0).toUpperCase() + x.slice(1)).join("");
  if (RESERVED.has(name)) throw new UsageError(`field "${rawName}" is reserved (every resource has an id)`);
  if (SQL_KEYWORDS.has(w.join("_"))) throw new UsageError(`field "${rawName}" is an SQL keyword, which the generated SQL cannot use as a column: choose another name`);
  if (!(FIELD_TYPES as readonly string[]).includes(type)) {
    throw new UsageError(`field "${rawName}": unknown type "${type}" (types: ${FIELD_TYPES.join(", ")})`);
  }
  for (const m of mods) {
    if (!(FIELD_MODIFIERS as readonly string[]).includes(m)) {
      throw new UsageError(`field "${rawName}": unknown modifier "${m}" (modifiers: ${FIELD_MODIFIERS.join(", ")})`);
    }
  }
  if (type === "bool" && mods.length > 0) throw new UsageError(`field "${rawName}": a bool field cannot be ${mods.join(" or ")}`);
  return {
    name,
    column: w.join("_"),
    label: w.join(" "),
    type: type as FieldType,
    required: mods.includes("required"),
    unique: mods.includes("unique"),
  };
}

/** The TypeScript type of a field's value. */
export function tsType(f: Field): string {
  switch (f.type) {
    case "string":
    case "text":
    case "date":
      return "string";
    case "int":
    case "float":
      return f.required ? "number" : "number | null";
    case "bool":
      return "boolean";
    default: {
      const never: never = f.type;
      return never;
    }
  }
}

/** The SQLite column type. */
export function sqlType(f: Field): string {
  switch (f.type) {
    case "string":
    case "text":
    case "date":
      return "TEXT";
    case "int":
    case "bool":
      return "INTEGER";
    case "float":
      return "REAL";
    default: {
      const never: never = f.type;
      return never;
    }
  }
}
