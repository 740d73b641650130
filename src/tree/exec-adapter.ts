/**
 * The template executor seen through {@link TreeExec}: one ExecState per hydration, so that every
 * pipeline, truth test, range and invocation behaves exactly as in a plain render.
 */
import { WALK_NEXT, type ExecState } from "../template/exec.js";
import type { PipePlan } from "../template/fast-pipe.js";
import type { ActionNode, Node, PipeNode, RangeNode, TemplateNode } from "../template/node.js";
import type { TreeExec } from "./hydrate.js";

/** Adapts an ExecState (after `begin`) to what hydration needs. */
export class ExecAdapter implements TreeExec {
  constructor(readonly st: ExecState) {}

  evalPipeline(dot: unknown, pipe: PipeNode): unknown {
    return this.st.evalPipeline(dot, pipe);
  }

  evalPlanned(dot: unknown, pipe: PipeNode, plan: PipePlan): unknown {
    return this.st.evalPlanned(dot, pipe, plan);
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

  rangeValue(node: RangeNode, dot: unknown): unknown {
    return this.st.rangeValue(dot, node);
  }

  rangeOver(node: RangeNode, value: unknown, body: (elem: unknown, key: unknown) => void, orElse: (() => void) | null): void {
    this.st.rangeOver(
      node,
      value,
      (elem, key) => {
        body(elem, key);
        return WALK_NEXT;
      },
      orElse === null
        ? null
        : () => {
            orElse();
            return WALK_NEXT;
          },
    );
  }

  rangeIndex<T>(node: RangeNode, i: number, elem: unknown, body: (elem: unknown) => T): T {
    return this.st.rangeIndex(node, i, elem, body);
  }

  withDot<T>(body: () => T): T {
    const st = this.st;
    const iface = st.dotIface;
    st.dotIface = false;
    // Not restored when body throws: the execution is over (as in the executor's own walk).
    const out = body();
    st.dotIface = iface;
    return out;
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
