import { AccelmapError } from '../util/errors.js';
import type { Attrs } from './graph.js';
import type { OpKind } from './op.js';

/** An explicit op registry: each op kind registered once; duplicates are refused. */
export class OpRegistry {
  private readonly kinds = new Map<string, OpKind>();

  register(kind: OpKind<any>): this {
    if (this.kinds.has(kind.op)) throw new Error(`op kind ${kind.op} is registered twice`);
    this.kinds.set(kind.op, kind as OpKind<Attrs>);
    return this;
  }

  has(op: string): boolean {
    return this.kinds.has(op);
  }

  get(op: string): OpKind {
    const k = this.kinds.get(op);
    if (!k) throw new AccelmapError('unknown-op', `unknown op '${op}'`, {}, 'run `accelmap ops` for the supported op kinds');
    return k;
  }

  list(): OpKind[] {
    return [...this.kinds.values()];
  }
}
