/**
 * The template executor seen through {@link TreeExec}: one ExecState per hydration, so that every
 * pipeline, truth test, range and invocation behaves exactly as in a plain render.
 */
import { ExecState } from "../template/exec.js";
import { printValue as fmtPrintValue } from "../template/fmt.js";
import type { ActionNode, Node, PipeNode, RangeNode, TemplateNode } from "../template/node.js";
import type { TreeExec } from "./hydrate.js";

/** Adapts an ExecState (after `begin`) to what hydration needs. */
export class ExecAdapter implements TreeExec {
  constructor(readonly st: ExecState) {}

  evalPipeline(dot: unknown, pipe: PipeNode): unknown {
    return this.st.evalPipeline(dot, pipe);
  }

  print(node: ActionNode, value: unknown): string {
    this.st.node = node;
    return this.st.printValue(value);
  }

  isTrue(value: unknown): boolean {
    return this.st.isTrue(value);
  }

  mark(): number {
    return this.st.mark();
  }

  pop(mark: number): void {
    this.st.pop(mark);
  }

  rangeEntries(node: RangeNode, value: unknown): [unknown, unknown][] {
    const st = this.st;
    st.node = node;
    if (Array.isArray(value)) {
      const arr: unknown[] = value;
      const out = new Array<[unknown, unknown]>(arr.length);
      for (let i = 0; i < arr.length; i++) out[i] = [i, arr[i] === undefined ? null : arr[i]];
      return out;
    }
    if ((typeof value === "number" || typeof value === "bigint") && node.pipe.decl.length > 1) {
      if (typeof value === "number" && !Number.isInteger(value)) st.fail(`range can't iterate over ${fmtPrintValue(value)}`);
      st.fail(`can't use ${fmtPrintValue(value)} to iterate over more than one variable`);
    }
    return Array.from(st.rangeItems(value), ([k, v]) => [k, v]);
  }

  setRangeVars(node: RangeNode, key: unknown, elem: unknown): void {
    this.st.setRangeVars(node.pipe, key, elem);
  }

  walk(dot: unknown, node: Node): string {
    const st = this.st;
    const saved = st.out;
    st.out = "";
    try {
      st.walk(dot, node);
      return st.out;
    } finally {
      st.out = saved;
    }
  }

  invoke<T>(node: TemplateNode, dot: unknown, body: (dot: unknown) => T): T {
    const st = this.st;
    const frame = st.enterTemplate(dot, node);
    try {
      return body(frame.dot);
    } finally {
      st.leaveTemplate(frame);
    }
  }
}
