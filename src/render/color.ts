// The terminal's colours: the only module that imports chalk. Colour is used only on a
// terminal and never under NO_COLOR (FORCE_COLOR and --color always force it on).

import type { ChalkInstance } from 'chalk';

export type ColorMode = 'auto' | 'always' | 'never';

export function colorEnabled(mode: ColorMode, isTerminal: boolean, env: NodeJS.ProcessEnv): boolean {
  if (mode === 'always') return true;
  if (mode === 'never') return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true;
  return isTerminal && env.TERM !== 'dumb';
}

export async function loadChalk(): Promise<ChalkInstance> {
  const { Chalk } = await import('chalk');
  return new Chalk({ level: 1 });
}

const TOKEN = /("(?:[^"\\]|\\.)*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)|\b(true|false)\b|\b(null)\b/g;

/** Colour one line of JSON as jq does: keys blue, strings green, numbers and booleans plain-ish, null grey. */
export function colorJsonLine(c: ChalkInstance, line: string): string {
  return line.replace(TOKEN, (m, str: string | undefined, colon: string | undefined, num: string | undefined, bool: string | undefined, nul: string | undefined) => {
    if (str !== undefined) return colon !== undefined ? c.blue.bold(str) + colon : c.green(str);
    if (num !== undefined) return c.cyan(num);
    if (bool !== undefined) return c.yellow(bool);
    if (nul !== undefined) return c.gray(nul);
    return m;
  });
}

/** Colour the header row of a table. */
export function colorTable(c: ChalkInstance, text: string): string {
  const nl = text.indexOf('\n');
  if (nl < 0) return text;
  return c.bold(text.slice(0, nl)) + text.slice(nl);
}

export function colorError(c: ChalkInstance, text: string): string {
  return text.replace(/^sluice: /, c.red.bold('sluice: ')).replace(/(\^+)$/m, (m) => c.red.bold(m));
}
