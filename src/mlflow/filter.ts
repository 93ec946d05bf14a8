/**
 * MLflow's search filter strings, for the fields a modelreg registry has:
 *
 *   name = 'fraud'   name LIKE 'fraud-%'   name ILIKE '%Fraud%'   name != 'x'
 *   tags.team = 'risk'   tags.`owner team` = 'a'   run_id IN ('a1', 'b2')   version_number = 3
 *   … AND …
 *
 * The grammar follows MLflow's (mlflow/utils/search_utils.py): comparisons joined by AND (no OR, no
 * parentheses other than an IN list), identifiers optionally in backticks or double quotes, values in
 * single or double quotes, LIKE and ILIKE with SQL's `%` and `_`. A field or operator MLflow would refuse,
 * or one this registry cannot answer, is an INVALID_PARAMETER_VALUE error, never silently ignored. Pure.
 */
import { invalid } from './errors.js';

export type FilterField = { kind: 'name' } | { kind: 'run_id' } | { kind: 'version_number' } | { kind: 'tag'; key: string };
export type FilterOp = '=' | '!=' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN' | '<' | '<=' | '>' | '>=';

export interface Comparison {
  field: FilterField;
  op: FilterOp;
  /** One value, or the list of an IN. Numbers only for version_number. */
  values: (string | number)[];
  /** LIKE and ILIKE: the pattern, compiled once. */
  pattern?: RegExp;
}

/** What a search is run on: `registered-models/search` knows names and tags, `model-versions/search` more. */
export type FilterTarget = 'registered-models' | 'model-versions';

const STRING_OPS: FilterOp[] = ['=', '!=', 'LIKE', 'ILIKE'];
const NUMBER_OPS: FilterOp[] = ['=', '!=', '<', '<=', '>', '>=', 'IN', 'NOT IN'];

type Token = { t: 'ident'; v: string } | { t: 'string'; v: string } | { t: 'number'; v: number } | { t: 'op'; v: string } | { t: 'punct'; v: '(' | ')' | ',' };

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) throw invalid(`Invalid filter '${text}': unterminated ${c === '`' ? 'identifier' : 'string'} starting at ${i}`);
      const v = text.slice(i + 1, end);
      // Backticks quote identifiers (tags.`my key`); double quotes quote either, as in MLflow.
      out.push(c === "'" ? { t: 'string', v } : c === '`' ? { t: 'ident', v } : { t: 'string', v });
      i = end + 1;
      continue;
    }
    if (c === '(' || c === ')' || c === ',') {
      out.push({ t: 'punct', v: c });
      i++;
      continue;
    }
    const op = /^(!=|<>|<=|>=|=|<|>)/.exec(text.slice(i));
    if (op) {
      out.push({ t: 'op', v: op[1] === '<>' ? '!=' : op[1]! });
      i += op[1]!.length;
      continue;
    }
    const num = /^-?\d+(?![\w.])/.exec(text.slice(i));
    if (num) {
      out.push({ t: 'number', v: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    const word = /^[A-Za-z_][\w]*/.exec(text.slice(i));
    if (word) {
      // `tags.` (or `tag.`, which MLflow's own client sends) followed by a quoted key: one identifier.
      const quotedTag = /^tags?\.(?=[`"])/i.exec(text.slice(i));
      if (quotedTag) {
        const start = i + quotedTag[0].length;
        const q = text[start]!;
        const end = text.indexOf(q, start + 1);
        if (end < 0) throw invalid(`Invalid filter '${text}': unterminated tag key`);
        out.push({ t: 'ident', v: `tags.${text.slice(start + 1, end)}` });
        i = end + 1;
        continue;
      }
      const dotted = /^[A-Za-z_][\w]*(?:\.[\w.:/-]+)?/.exec(text.slice(i))![0];
      out.push({ t: 'ident', v: dotted });
      i += dotted.length;
      continue;
    }
    throw invalid(`Invalid filter '${text}': unexpected character ${JSON.stringify(c)} at ${i}`);
  }
  return out;
}

function fieldOf(ident: string, target: FilterTarget, text: string): FilterField {
  const lower = ident.toLowerCase();
  if (lower === 'name') return { kind: 'name' };
  if (lower.startsWith('tags.') || lower.startsWith('tag.')) return { kind: 'tag', key: ident.slice(ident.indexOf('.') + 1) };
  if (target === 'model-versions' && lower === 'run_id') return { kind: 'run_id' };
  if (target === 'model-versions' && lower === 'version_number') return { kind: 'version_number' };
  const allowed = target === 'model-versions' ? "'name', 'run_id', 'version_number', 'tags.<key>'" : "'name', 'tags.<key>'";
  throw invalid(`Invalid attribute key '${ident}' specified in filter '${text}'. Valid keys are ${allowed}`);
}

/** Parse a filter string; empty or absent means "everything". */
export function parseFilter(text: string | undefined, target: FilterTarget): Comparison[] {
  if (text === undefined || text.trim() === '') return [];
  const tokens = tokenize(text);
  const out: Comparison[] = [];
  let i = 0;
  const next = () => tokens[i++];
  const peekWord = (w: string) => {
    const t = tokens[i];
    return t && t.t === 'ident' && t.v.toUpperCase() === w;
  };
  for (;;) {
    const id = next();
    if (!id || id.t !== 'ident') throw invalid(`Invalid filter '${text}': expected a field name${id ? `, got ${JSON.stringify(String(id.v))}` : ''}`);
    const field = fieldOf(id.v, target, text);
    let op: FilterOp;
    const o = next();
    if (o?.t === 'op') op = o.v as FilterOp;
    else if (o?.t === 'ident' && ['LIKE', 'ILIKE', 'IN'].includes(o.v.toUpperCase())) op = o.v.toUpperCase() as FilterOp;
    else if (o?.t === 'ident' && o.v.toUpperCase() === 'NOT' && peekWord('IN')) {
      i++;
      op = 'NOT IN';
    } else throw invalid(`Invalid filter '${text}': expected a comparison operator after '${id.v}'`);
    const values: (string | number)[] = [];
    if (op === 'IN' || op === 'NOT IN') {
      if (next()?.v !== '(') throw invalid(`Invalid filter '${text}': ${op} takes a list in parentheses`);
      for (;;) {
        const v = next();
        if (!v || (v.t !== 'string' && v.t !== 'number')) throw invalid(`Invalid filter '${text}': expected a value in the ${op} list`);
        values.push(v.v);
        const sep = next();
        if (sep?.v === ')') break;
        if (sep?.v !== ',') throw invalid(`Invalid filter '${text}': expected ',' or ')' in the ${op} list`);
      }
    } else {
      const v = next();
      if (!v || (v.t !== 'string' && v.t !== 'number')) throw invalid(`Invalid filter '${text}': expected a quoted value after '${id.v} ${op}'`);
      values.push(v.v);
    }
    checkTypes(field, op, values, text);
    out.push({ field, op, values, ...(op === 'LIKE' || op === 'ILIKE' ? { pattern: likeToRegExp(String(values[0]), op === 'ILIKE') } : {}) });
    if (i >= tokens.length) return out;
    if (!peekWord('AND')) {
      const t = tokens[i]!;
      if (t.t === 'ident' && t.v.toUpperCase() === 'OR')
        throw invalid(`Invalid filter '${text}': OR is not supported; MLflow's search joins comparisons with AND only`);
      throw invalid(`Invalid filter '${text}': expected AND, got ${JSON.stringify(String(t.v))}`);
    }
    i++;
  }
}

function checkTypes(field: FilterField, op: FilterOp, values: (string | number)[], text: string): void {
  if (field.kind === 'version_number') {
    if (!NUMBER_OPS.includes(op)) throw invalid(`Invalid comparator '${op}' for version_number in filter '${text}'`);
    if (values.some((v) => typeof v !== 'number')) throw invalid(`Invalid filter '${text}': version_number takes integers`);
    return;
  }
  const ops = field.kind === 'run_id' ? [...STRING_OPS, 'IN', 'NOT IN'] : STRING_OPS;
  if (!ops.includes(op))
    throw invalid(`Invalid comparator '${op}' for ${field.kind === 'tag' ? 'tags' : field.kind} in filter '${text}'. Valid comparators: ${ops.join(', ')}`);
  if (values.some((v) => typeof v !== 'string'))
    throw invalid(`Invalid filter '${text}': ${field.kind === 'tag' ? `tags.${field.key}` : field.kind} takes quoted strings`);
}

/** SQL LIKE: `%` any run, `_` one character; everything else literal. */
export function likeToRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  const body = [...pattern].map((c) => (c === '%' ? '[\\s\\S]*' : c === '_' ? '[\\s\\S]' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`, caseInsensitive ? 'iu' : 'u');
}

/** What a comparison is evaluated on. */
export interface FilterSubject {
  name: string;
  tags: Record<string, string>;
  runId?: string;
  versionNumber?: number;
}

export function matches(filter: readonly Comparison[], s: FilterSubject): boolean {
  return filter.every((c) => test(c, s));
}

function test(c: Comparison, s: FilterSubject): boolean {
  const f = c.field;
  const actual: string | number | undefined =
    f.kind === 'name'
      ? s.name
      : f.kind === 'run_id'
        ? s.runId
        : f.kind === 'version_number'
          ? s.versionNumber
          : Object.hasOwn(s.tags, f.key)
            ? s.tags[f.key]
            : undefined;
  // A missing value (a tag the version lacks, a run never recorded) is unequal to everything and matches
  // no pattern: MLflow's own client filters prompts out with `tag.\`mlflow.prompt.is_prompt\` != 'true'`,
  // which must keep every model without that tag.
  if (actual === undefined) return c.op === '!=' || c.op === 'NOT IN';
  const v = c.values[0]!;
  switch (c.op) {
    case '=':
      return actual === v;
    case '!=':
      return actual !== v;
    case 'LIKE':
    case 'ILIKE':
      return (c.pattern ?? likeToRegExp(String(v), c.op === 'ILIKE')).test(String(actual));
    case 'IN':
      return c.values.includes(actual);
    case 'NOT IN':
      return !c.values.includes(actual);
    case '<':
      return actual < v;
    case '<=':
      return actual <= v;
    case '>':
      return actual > v;
    case '>=':
      return actual >= v;
  }
}
