// A monotonic clock in milliseconds, as performance.now() but without its cost at start-up: the
// first touch of the `performance` global loads node:perf_hooks and its dependencies (about 4 ms
// of CPU in every run), while process.hrtime is already there. Only differences are meaningful.

const hrtime = process.hrtime;

/** Milliseconds on a monotonic clock (with a fraction), for measuring elapsed time. */
export function monotonicMs(): number {
  const [s, ns] = hrtime();
  return s * 1e3 + ns / 1e6;
}
