// --explain: the plan as sluice will run it — each stage in canonical form, its kind, and
// the JavaScript its expressions compiled to.

import type { Program } from '../lang/ast.js';
import { findOperator } from '../operators/index.js';

export function explainPlan(program: Program): string {
  const rows = program.stages.map((s, i) => {
    const op = findOperator(s.op)!;
    const text = `${op.name} ${op.print(s.args)}`.trim();
    return `  ${i + 1}. ${text.padEnd(40)}  ${op.kind}`;
  });
  const canonical = program.stages.map((s) => {
    const op = findOperator(s.op)!;
    return `${op.name} ${op.print(s.args)}`.trim();
  }).join(' | ');
  return `program: ${canonical}\nplan (records flow top to bottom, in batches):\n  0. read inputs, decode to records\n${rows.join('\n')}\n  ${rows.length + 1}. encode and write\n`;
}
