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

/** None open: #15.4 (numbers out of range), the last, was fixed; test/fuzz/engine.test.ts keeps its cure as an example. */
export const knownBugs: KnownBug[] = [];

export type Explained = { labels: string[] } | { cured: string };

/**
 * Which known bugs explain a failure on `input`: the labels of the bugs whose cures (applied one
 * after another, in table order) make it pass, or the cured input when it still fails (a new bug;
 * the cured input is then the smaller reproducer). A generator that yields each text to try and
 * is told whether it still fails, so that one logic serves sync checks and spawned ones.
 */
function* explaining(input: string, target: string, bugs: KnownBug[]): Generator<string, Explained, boolean> {
  const cure = (bugs: KnownBug[]) => bugs.reduce((text, k) => (k.matches(text, target) ? k.cure(text, target) : text), input);
  const used: KnownBug[] = [];
  for (const k of bugs) {
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

export function explain(input: string, target: string, fails: (input: string) => boolean, bugs: KnownBug[] = knownBugs): Explained {
  const steps = explaining(input, target, bugs);
  for (let step = steps.next(); ; ) {
    if (step.done) return step.value;
    step = steps.next(fails(step.value));
  }
}

export async function explainAsync(input: string, target: string, fails: (input: string) => Promise<boolean>, bugs: KnownBug[] = knownBugs): Promise<Explained> {
  const steps = explaining(input, target, bugs);
  for (let step = steps.next(); ; ) {
    if (step.done) return step.value;
    step = steps.next(await fails(step.value));
  }
}
