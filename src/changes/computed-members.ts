/**
 * The getters and methods of user state objects: a template reading one depends on state below
 * the object it belongs to, so the journal names them in its hints next to the written paths.
 */

/** Prototypes whose members are never template-visible computed values of user state. */
const BUILTIN_PROTOTYPES: ReadonlySet<object | null> = new Set<object | null>([
  null,
  Object.prototype,
  Array.prototype,
  Map.prototype,
  Set.prototype,
  Date.prototype,
  RegExp.prototype,
]);

const membersOfPrototype = new WeakMap<object, readonly string[]>();

/** Names of getters and methods `obj` has (own accessors, then its class chain), cached per class. */
export function computedMembers(obj: object): readonly string[] {
  const own: string[] = [];
  if (!Array.isArray(obj) && !ArrayBuffer.isView(obj)) {
    for (const key of Object.keys(obj)) {
      const d = Object.getOwnPropertyDescriptor(obj, key);
      if (d !== undefined && (d.get !== undefined || typeof d.value === "function")) own.push(key);
    }
  }
  const proto = Object.getPrototypeOf(obj) as object | null;
  if (BUILTIN_PROTOTYPES.has(proto)) return own;
  let names = membersOfPrototype.get(proto!);
  if (names === undefined) {
    const found = new Set<string>();
    for (let p: object | null = proto; p !== null && !BUILTIN_PROTOTYPES.has(p); p = Object.getPrototypeOf(p) as object | null) {
      for (const key of Object.getOwnPropertyNames(p)) {
        if (key === "constructor") continue;
        const d = Object.getOwnPropertyDescriptor(p, key);
        if (d !== undefined && (d.get !== undefined || typeof d.value === "function")) found.add(key);
      }
    }
    names = [...found];
    membersOfPrototype.set(proto!, names);
  }
  return own.length === 0 ? names : [...own, ...names];
}

