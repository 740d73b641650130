/**
 * Finds objects reachable at more than one place of the state. A write to such an object through
 * one path changes what the template shows at the other path too, which a path-based change hint
 * cannot express; the handler renders unhinted when an action wrote to one of them.
 */

/**
 * Every object reachable from `roots` by two or more property paths, plus everything reachable
 * from those. Walks own enumerable properties of objects and arrays, and the keys and values of
 * Maps and Sets; functions are not walked. Iterative, so deep states cannot overflow the stack.
 */
export function aliasedObjects(roots: Iterable<object>): Set<object> {
  const seen = new Set<object>();
  const aliased = new Set<object>();
  const stack: unknown[] = [...roots];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== "object" || v === null) continue;
    if (seen.has(v)) {
      if (!aliased.has(v)) markAll(v, aliased);
      continue;
    }
    seen.add(v);
    pushChildren(v, stack);
  }
  return aliased;
}

function markAll(start: object, aliased: Set<object>): void {
  const stack: unknown[] = [start];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== "object" || v === null || aliased.has(v)) continue;
    aliased.add(v);
    pushChildren(v, stack);
  }
}

/**
 * Live resources a store may hold (sockets, emitters, timers, promises) are not template data and
 * can link to large object graphs: they are not walked.
 */
function isResource(v: object): boolean {
  const o = v as { emit?: unknown; hasRef?: unknown; then?: unknown };
  return typeof o.emit === "function" || typeof o.hasRef === "function" || typeof o.then === "function";
}

function pushChildren(v: object, stack: unknown[]): void {
  if (isResource(v)) return;
  if (v instanceof Map) {
    for (const [k, x] of v) stack.push(k, x);
  } else if (v instanceof Set) {
    for (const x of v) stack.push(x);
  } else if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) stack.push(v[i]);
  } else if (!ArrayBuffer.isView(v) && !(v instanceof Date) && !(v instanceof RegExp) && !(v instanceof Promise)) {
    for (const k of Object.keys(v)) stack.push((v as Record<string, unknown>)[k]);
  }
}
