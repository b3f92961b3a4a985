// From parsed stages to runnable ones. Most stages build on their own; a `window` is fused
// with the aggregate right after it into one stateful stage (the window decides which
// groups a record joins and when they are emitted; the aggregate says what is computed).

import { UsageError } from '../errors/errors.js';
import { caret } from '../errors/diagnostic.js';
import type { Program } from '../lang/ast.js';
import type { AggregateArgs } from './aggregate.js';
import { findOperator } from './index.js';
import type { BuildContext, Stage } from './types.js';
import { windowedAggregate, type WindowArgs } from './window.js';

export function buildStages(program: Program, ctx: BuildContext): Stage[] {
  const out: Stage[] = [];
  const nodes = program.stages;
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    if (node.op === 'window') {
      const next = nodes[i + 1];
      if (next === undefined || next.op !== 'aggregate') {
        throw new UsageError('a window must be followed by an aggregate, as in: window tumbling 1m on ts | count() by service', caret(program.text, node.span));
      }
      out.push(windowedAggregate(node.args as WindowArgs, next.args as AggregateArgs, ctx));
      i++;
      continue;
    }
    out.push(findOperator(node.op)!.build(node.args, ctx));
  }
  return out;
}
