/** What a pull and a register of many files share: how many move at once, and one progress bar for all. */
import type { ProgressReporter } from '../cli/progress.js';

/** Files transferred at once by a pull or a register of many files. */
export const FILES_AT_ONCE = 8;

/**
 * One progress bar for several files moving at once: `tick(i)` is file i's own progress callback, and
 * the bar shows the bytes of all of them. Undefined when there is no reporter.
 */
export function progressOfMany(
  reporter: ProgressReporter | undefined,
  label: string,
  files: readonly { size: number }[],
): ((i: number) => (done: number) => void) | undefined {
  if (!reporter) return undefined;
  const bar = reporter.start(
    label,
    files.reduce((n, f) => n + f.size, 0),
  );
  const done = files.map(() => 0);
  let total = 0;
  return (i) => (bytes) => {
    total += bytes - done[i]!;
    done[i] = bytes;
    bar(total);
  };
}
