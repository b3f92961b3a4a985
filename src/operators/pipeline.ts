// From parsed stages to runnable ones. Most stages build on their own; a spec with `fuses` is
// built together with the stage right after it (a `window` with its aggregate: the window
// decides which groups a record joins and when they are emitted; the aggregate says what is
// computed).

import { UsageError } from '../errors/errors.js';
import { caret } from '../errors/diagnostic.js';
import type { Program } from '../lang/ast.js';
import { findOperator } from './index.js';
import type { BuildContext, Stage } from './types.js';

export function buildStages(program: Program, ctx: BuildContext): Stage[] {
  const out: Stage[] = [];
  const nodes = program.stages;
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    const spec = findOperator(node.op)!;
    if (spec.fuses) {
      const next = nodes[i + 1];
      if (next === undefined || next.op !== spec.fuses.next) throw new UsageError(spec.fuses.missing, caret(program.text, node.span));
      out.push(spec.fuses.build(node.args, next.args, ctx));
      i++;
      continue;
    }
    out.push(spec.build(node.args, ctx));
  }
  return out;
}
