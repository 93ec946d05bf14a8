/**
 * What is refused before any parser runs: a file too large, or brackets nested so deep that a parser
 * would recurse without end. Shared by the full parser (yaml.ts) and the fast reader's callers, so both
 * refuse exactly the same files.
 */
import { finding, type Finding } from '../registry/findings.js';
import type { YamlLimits } from './parsed.js';

/** Before parsing: a file too large, or brackets nested so deep that the parser would recurse without end. */
export function beyondLimits(file: string, text: string, limits: YamlLimits): Finding | undefined {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > limits.maxBytes) return finding('tree-oversize', `${file} is ${bytes} bytes; the limit is ${limits.maxBytes}`, { file, line: 1 });
  const deep = flowNestingBeyond(text, limits.maxDepth * 4);
  if (deep >= 0)
    return finding('yaml-limits', `${file}: brackets nest deeper than ${limits.maxDepth} levels`, { file, line: text.slice(0, deep).split('\n').length });
  return undefined;
}

/**
 * A cheap scan before parsing: thousands of nested `[` or `{` make the parser recurse until the stack
 * overflows, slowly. Quoted strings and comments are skipped; the exact depth limit is enforced on the
 * syntax tree afterwards, so this only needs a generous bound. Returns the offset where it is crossed, or -1.
 */
function flowNestingBeyond(text: string, bound: number): number {
  if (openersAtMost(text, bound)) return -1; // nearly every file: too few brackets to nest that deep
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      for (i++; i < text.length && text[i] !== c; i++) if (c === '"' && text[i] === '\\') i++;
    } else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '[' || c === '{') {
      if (++depth > bound) return i;
    } else if ((c === ']' || c === '}') && depth > 0) depth--;
  }
  return -1;
}

function openersAtMost(text: string, bound: number): boolean {
  let n = 0;
  for (let i = text.indexOf('['); i >= 0 && n <= bound; i = text.indexOf('[', i + 1)) n++;
  for (let i = text.indexOf('{'); i >= 0 && n <= bound; i = text.indexOf('{', i + 1)) n++;
  return n <= bound;
}
