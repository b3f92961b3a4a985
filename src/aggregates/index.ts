// The registry of aggregate functions: the compiler looks names up in `aggregates`, help
// and the manual list `aggregateList` in this order. Adding one: a file, a line here, tests.

import type { AggregateSpec } from './types.js';
import { approxDistinct } from './approx-distinct.js';
import { avg } from './avg.js';
import { collect } from './collect.js';
import { count } from './count.js';
import { rate } from './rate.js';
import { distinct } from './distinct.js';
import { first, last } from './first-last.js';
import { max, min } from './min-max.js';
import { p50, p90, p95, p99, percentile } from './percentile.js';
import { sum } from './sum.js';
import { top } from './top.js';
import { stddev, variance } from './variance.js';

export const aggregateList: AggregateSpec[] = [
  count, sum, avg, min, max, first, last, distinct, approxDistinct,
  p50, p90, p95, p99, percentile, stddev, variance, collect, top, rate,
];

export const aggregates: ReadonlyMap<string, AggregateSpec> = new Map(aggregateList.map((s) => [s.name, s]));

export type { Accumulator, AggregateSpec } from './types.js';
