// The AST of the language. Every node carries the span of source text it came from, so that
// errors can point at it and the printer/--explain can show it.

import type { Value } from '../core/event.js';

export interface Span {
  start: number;
  end: number;
}

export type Expr =
  | { kind: 'lit'; value: Value; text?: string; span: Span }
  | { kind: 'regex'; source: string; flags: string; span: Span }
  | { kind: 'name'; name: string; span: Span }
  | { kind: 'meta'; name: string; span: Span }
  | { kind: 'member'; object: Expr; name: string; span: Span }
  | { kind: 'index'; object: Expr; index: Expr; span: Span }
  | { kind: 'unary'; op: '!' | '-' | 'not'; operand: Expr; span: Span }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr; span: Span }
  | { kind: 'cond'; test: Expr; then: Expr; else: Expr; span: Span }
  | { kind: 'call'; name: string; nameSpan: Span; args: Expr[]; span: Span }
  | { kind: 'array'; items: Expr[]; span: Span }
  | { kind: 'object'; entries: { key: string; value: Expr }[]; span: Span }
  /** the whole record, whatever its type (an object, an array, a number…) */
  | { kind: 'this'; span: Span }
  /** a lambda's parameter, inside its body */
  | { kind: 'local'; name: string; span: Span }
  /** `x => EXPR`: only as the last argument of a function that takes one (map, filter) */
  | { kind: 'lambda'; param: string; body: Expr; span: Span };

export type BinaryOp =
  | '==' | '!=' | '<' | '<=' | '>' | '>=' | '=~' | '!~' | 'in'
  | '+' | '-' | '*' | '/' | '%' | '??' | '&&' | '||';

/** An expression with an optional `as NAME` (select, aggregate, by keys). */
export interface Named {
  expr: Expr;
  alias: string | null;
}

export interface StageNode {
  /** the operator's canonical name (aliases resolved) */
  op: string;
  /** operator-specific parsed argument */
  args: unknown;
  span: Span;
}

export interface Program {
  text: string;
  stages: StageNode[];
}
