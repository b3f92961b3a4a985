// Known bugs that others are fixing (issue items #15.x, #16.x): a fuzz failure whose input
// holds one of these triggers is counted as known, apart from crashes, but only when the input
// with the trigger taken out ("cured") passes: a failure that stays after the cure is a new bug
// and is reported as one, with the cured input as its reproducer.
//
// When an item is fixed, delete its line here: the fuzzers then fail on what it used to hide.

export interface KnownBug {
  /** the issue item and a few words, as the fuzz report prints it */
  label: string;
  /** the input holds the trigger */
  matches(input: string, target: string): boolean;
  /** the input without the trigger (as close to the original as can be) */
  cure(input: string, target: string): string;
}

const UNICODE_SPACE = /[\u000b\u000c\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const NUMBER = /\d+(?:\.\d*)?(?:[eE][+-]?\d+)?/g;
/** 16 digits or more, or an exponent of 3 digits or more: beyond what a double holds exactly, or at all */
const isBig = (n: string) => /\d{16,}|[eE][+-]?\d{3,}/.test(n);

/** The deepest nesting of brackets in a text (strings not skipped: an upper bound is all we need). */
function depth(text: string): number {
  let d = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 91 || c === 123 || c === 40) max = Math.max(max, ++d);
    else if (c === 93 || c === 125 || c === 41) d = Math.max(0, d - 1);
  }
  return max;
}

/** The text without the brackets that open deeper than 16 levels, and without their closers. */
function shallow(text: string): string {
  let out = '';
  let d = 0;
  const kept: boolean[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 91 || c === 123 || c === 40) {
      kept.push(d < 16);
      if (d < 16) {
        d++;
        out += text[i];
      }
    } else if (c === 93 || c === 125 || c === 41) {
      const k = kept.pop();
      if (k !== false) {
        if (k) d--;
        out += text[i];
      }
    } else {
      out += text[i];
    }
  }
  return out;
}

export const knownBugs: KnownBug[] = [
  {
    label: '#15.1 deep nesting',
    matches: (s) => depth(s) >= 64,
    cure: shallow,
  },
  {
    label: '#15.4 numbers out of range',
    matches: (s) => (s.match(NUMBER) ?? []).some(isBig) || /\b(?:NaN|Infinity)\b/.test(s),
    cure: (s) => {
      // again until nothing changes: `1e400e400` is `1e400` once the first is replaced
      for (let prev = ''; prev !== s; ) {
        prev = s;
        s = s.replace(NUMBER, (n) => (isBig(n) ? '1' : n)).replace(/\b(?:NaN|Infinity)\b/g, '1');
      }
      return s;
    },
  },
  {
    label: '#15.5 CR-only line ends / Unicode-space lines / NUL in logfmt',
    matches: (s, target) => /\r(?!\n)/.test(s) || /[\u000b\u000c\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/.test(s) || (target.includes('logfmt') && s.includes('\0')),
    cure: (s, target) => {
      const t = s.replace(/\r(?!\n)/g, '\n').replace(UNICODE_SPACE, ' ');
      return target.includes('logfmt') ? t.replace(/\0/g, ' ') : t;
    },
  },
  {
    label: '#15.3 invalid UTF-8 / UTF-16',
    matches: (s) => /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|\ufffd/.test(s),
    cure: (s) => s.replace(LONE_SURROGATE, '?').replace(/\ufffd/g, '?'),
  },
  {
    label: '#15.8 control chars in messages',
    matches: (s) => /[\u0000-\u0008\u000e-\u001f\u007f]/.test(s),
    cure: (s) => s.replace(/[\u0000-\u0008\u000e-\u001f\u007f]/g, ' '),
  },
];

export type Explained = { labels: string[] } | { cured: string };

/**
 * Which known bugs explain a failure on `input`: the labels of the bugs whose cures (applied one
 * after another, in table order) make it pass, or the cured input when it still fails (a new bug;
 * the cured input is then the smaller reproducer). A generator that yields each text to try and
 * is told whether it still fails, so that one logic serves sync checks and spawned ones.
 */
function* explaining(input: string, target: string): Generator<string, Explained, boolean> {
  const cure = (bugs: KnownBug[]) => bugs.reduce((text, k) => (k.matches(text, target) ? k.cure(text, target) : text), input);
  const used: KnownBug[] = [];
  for (const k of knownBugs) {
    if (!k.matches(cure(used), target)) continue;
    used.push(k);
    if (yield cure(used)) continue;
    // name only the bugs it takes: drop each earlier cure that the pass does not need
    for (const other of used.slice(0, -1)) {
      if (!(yield cure(used.filter((u) => u !== other)))) used.splice(used.indexOf(other), 1);
    }
    return { labels: used.map((u) => u.label) };
  }
  return { cured: cure(used) };
}

export function explain(input: string, target: string, fails: (input: string) => boolean): Explained {
  const steps = explaining(input, target);
  for (let step = steps.next(); ; ) {
    if (step.done) return step.value;
    step = steps.next(fails(step.value));
  }
}

export async function explainAsync(input: string, target: string, fails: (input: string) => Promise<boolean>): Promise<Explained> {
  const steps = explaining(input, target);
  for (let step = steps.next(); ; ) {
    if (step.done) return step.value;
    step = steps.next(await fails(step.value));
  }
}
