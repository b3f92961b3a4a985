// The two forms of a program on the command line are one language:
//   sluice where 'status >= 500' then head 5 f.ndjson   ==   sluice 'where status >= 500 | head 5' f.ndjson
// In the argument form every operator takes exactly one argument and `then` separates stages;
// the stages are joined into DSL text with ' | ' and parsed by the one parser. After `then`, one
// argument may also be a whole stage, which is how an aggregate ends the argument form:
//   sluice where 'status >= 500' then 'count() by service' f.ndjson

import { UsageError } from '../errors/errors.js';

export interface SplitArgs {
  program: string;
  inputs: string[];
  form: 'dsl' | 'args';
}

/**
 * `standsAlone(op)`: the operator is a whole program without an argument (dedupe, sort); then
 * `sluice dedupe app.ndjson` reads the file (`isFile`) rather than deduping on a field named
 * app.ndjson.
 */
export function splitProgramArgs(
  positionals: string[], isOperator: (word: string) => boolean,
  standsAlone: (op: string) => boolean = () => false, isFile: (word: string) => boolean = () => false,
): SplitArgs {
  if (positionals.length === 0) throw new UsageError('no program given; try: sluice \'where status >= 500\' app.ndjson  (sluice --help for more)');
  const first = positionals[0]!;
  if (isOperator(first) && positionals.length > 1 && !positionals.includes('then') && standsAlone(first) && isFile(positionals[1]!)) {
    return { program: first, inputs: positionals.slice(1), form: 'dsl' };
  }
  if (!isOperator(first) || positionals.length === 1) {
    if (positionals.includes('then')) {
      throw new UsageError("'then' joins stages in the argument form (sluice where 'x > 1' then head 5); inside a quoted program use '|'");
    }
    return { program: first, inputs: positionals.slice(1), form: 'dsl' };
  }
  const stages: string[] = [];
  let i = 0;
  for (;;) {
    const op = positionals[i]!;
    if (!isOperator(op)) {
      // a whole stage in one argument: 'count() by service', 'head 5'
      if (i > 0 && /[\s(]/.test(op)) {
        stages.push(op);
        i++;
        if (positionals[i] !== 'then') break;
        i++;
        if (i >= positionals.length) throw new UsageError("'then' must be followed by an operator and its argument");
        continue;
      }
      throw new UsageError(`expected an operator after 'then', found '${op}' (an aggregate goes in one argument: then 'count() by service')`);
    }
    const arg = positionals[i + 1];
    if (arg === undefined) throw new UsageError(`'${op}' needs an argument in the argument form (sluice ${op} ARG [then OP ARG ...] [INPUT ...])`);
    stages.push(`${op} ${arg}`);
    i += 2;
    if (positionals[i] !== 'then') break;
    i++;
    if (i >= positionals.length) throw new UsageError("'then' must be followed by an operator and its argument");
  }
  return { program: stages.join(' | '), inputs: positionals.slice(i), form: 'args' };
}
