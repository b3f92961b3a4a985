// The operator registry: the one table that the parser, `sluice help`, --help, the manual
// and the README read. Adding an operator means one file, one line here, and its tests.

import { aggregates } from '../aggregates/index.js';
import type { StageGrammar } from '../lang/parser.js';
import { aggregate } from './aggregate.js';
import { assert } from './assert.js';
import { dedupe } from './dedupe.js';
import { drop } from './drop.js';
import { flatten } from './flatten.js';
import { head } from './head.js';
import { join } from './join.js';
import { map } from './map.js';
import { parse } from './parse.js';
import { rename } from './rename.js';
import { running } from './running.js';
import { sample } from './sample.js';
import { select } from './select.js';
import { set } from './set.js';
import { sort } from './sort.js';
import { tail } from './tail.js';
import { tee } from './tee.js';
import { top } from './top.js';
import type { AnyOperator } from './types.js';
import { unnest } from './unnest.js';
import { where } from './where.js';
import { window } from './window.js';

export const operatorList: readonly AnyOperator[] = [
  where, select, set, map, drop, rename, unnest, flatten, parse, aggregate, window, dedupe, running, head, tail, sample, sort, top, tee, assert,
  join,
];

const byName = new Map<string, AnyOperator>();
for (const op of operatorList) {
  for (const n of [op.name, ...op.aliases]) {
    if (byName.has(n)) throw new Error(`operator name ${n} registered twice`);
    byName.set(n, op);
  }
}

export function findOperator(name: string): AnyOperator | undefined {
  return byName.get(name);
}

/** A stage written without its keyword (`count() by k` is `aggregate count() by k`), as the user would write it. */
export function stageText(op: string, args: unknown): string {
  const spec = findOperator(op)!;
  const implicit = spec === aggregate;
  return `${implicit ? '' : spec.name + ' '}${spec.print(args)}`.trim();
}

export const grammar: StageGrammar = {
  lookup: (word) => byName.get(word),
  implicitStage: (word) => (aggregates.has(word) ? aggregate : undefined),
  names: () => [...byName.keys(), ...aggregates.keys()],
};
