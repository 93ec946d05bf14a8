/**
 * What `register` is told in text — `k=v` pairs, metrics and params files, `name@version:relation`,
 * `uri#sha256`, `<repo>@<commit>` — turned into a RegisterInput, for the CLI and for any library caller
 * that takes the same forms (a training script's wrapper, a CI step). URLs lose their credentials here,
 * before anything is recorded: the notes say what was removed.
 */
import { readFileSync } from 'node:fs';
import { ModelregError } from '../registry/errors.js';
import type { Lineage, Scalar } from '../registry/types.js';
import { urlCredentials } from '../registry/urls.js';
import { parseManifestYaml } from '../schema/yaml.js';

export interface RegisterText {
  metric?: string[];
  metricsFile?: string;
  param?: string[];
  paramsFile?: string;
  tag?: string[];
  parent?: string[];
  dataset?: string[];
  /** `<repo>@<commit>`; absent: the caller decides (the CLI uses the current directory's Git repository). */
  code?: string;
  role?: string[];
  format?: string[];
}

export interface ParsedRegisterText {
  metrics: Record<string, number>;
  params: Record<string, Scalar>;
  tags?: Record<string, string>;
  lineage: Lineage;
  roles?: Record<string, string>;
  formats?: Record<string, string>;
  /** What was changed on the way in (credentials removed from a URL), for the user to read. */
  notes: string[];
}

export function parseRegisterText(t: RegisterText): ParsedRegisterText {
  const notes: string[] = [];
  const metrics = { ...(t.metricsFile ? numbersFrom(t.metricsFile) : {}), ...numbers(keyValues(t.metric, 'metric')) };
  const params = { ...(t.paramsFile ? scalarsFrom(t.paramsFile) : {}), ...scalars(keyValues(t.param, 'param')) };
  const lineage: Lineage = {};
  if (t.parent?.length) lineage.parents = uniqueParents(t.parent.map(parseParent));
  if (t.dataset?.length) lineage.datasets = t.dataset.map((d) => parseDataset(d, notes));
  if (t.code) lineage.code = parseCode(t.code, notes);
  const tags = keyValues(t.tag, 'tag');
  const roles = keyValues(t.role, 'role');
  const formats = keyValues(t.format, 'format');
  return { metrics, params, lineage, notes, ...(tags ? { tags } : {}), ...(roles ? { roles } : {}), ...(formats ? { formats } : {}) };
}

/** Parse repeated k=v flags into a record, refusing malformed pairs as a usage error. */
export function keyValues(pairs: string[] | undefined, flag: string): Record<string, string> | undefined {
  if (!pairs || pairs.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new ModelregError('usage', `--${flag} expects key=value, got "${p}"`);
    Object.defineProperty(out, p.slice(0, eq), { value: p.slice(eq + 1), enumerable: true });
  }
  return out;
}

/** A URL as it may be recorded: without user info or a signature, saying what was removed. */
export function recordableUrl(url: string, flag: string, notes: string[]): string {
  const c = urlCredentials(url);
  if (!c) return url;
  notes.push(`removed ${c.found.join(', ')} from the --${flag} URL before recording it as ${c.url}; a credential in a manifest would stay in Git's history`);
  return c.url;
}

function numbers(kv: Record<string, string> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(kv ?? {})) {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) throw new ModelregError('usage', `--metric ${k}=${v}: the value must be a finite number`);
    out[k] = n;
  }
  return out;
}

function scalars(kv: Record<string, string> | undefined): Record<string, Scalar> {
  const out: Record<string, Scalar> = {};
  for (const [k, v] of Object.entries(kv ?? {})) {
    const n = Number(v);
    out[k] = v === 'true' ? true : v === 'false' ? false : v === 'null' ? null : v.trim() !== '' && Number.isFinite(n) ? n : v;
  }
  return out;
}

/** A JSON or YAML file, read with the same safe parser as manifests; nested mappings are flattened with /. */
function readFlat(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ModelregError('rejected', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code}`);
  }
  const parsed = parseManifestYaml(file, text);
  if (!parsed.doc) {
    const f = parsed.findings[0]!;
    throw new ModelregError('rejected', `${f.message}`, { file, ...(f.line ? { line: f.line } : {}) });
  }
  const value = parsed.doc.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ModelregError('rejected', `${file} must hold a mapping of names to values`, { file, line: 1 });
  const out: Record<string, unknown> = {};
  const walk = (obj: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(obj)) {
      if (v && typeof v === 'object' && !Array.isArray(v)) walk(v as Record<string, unknown>, `${prefix}${k}/`);
      else out[`${prefix}${k}`] = v;
    }
  };
  walk(value as Record<string, unknown>, '');
  return out;
}

function numbersFrom(file: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(readFlat(file))) {
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new ModelregError('rejected', `${file}: metric ${k} is ${JSON.stringify(v)}, not a finite number`, { file });
    out[k] = v;
  }
  return out;
}

function scalarsFrom(file: string): Record<string, Scalar> {
  const out: Record<string, Scalar> = {};
  for (const [k, v] of Object.entries(readFlat(file))) {
    if (Array.isArray(v)) out[k] = JSON.stringify(v);
    else out[k] = v as Scalar;
  }
  return out;
}

export function parseParent(s: string): NonNullable<Lineage['parents']>[number] {
  const m = /^([^@:]+)@([^:]+)(?::(.+))?$/.exec(s);
  if (!m) throw new ModelregError('usage', `--parent expects name@version[:relation], got "${s}"`);
  return { model: m[1]!, version: m[2]!.replace(/^v/, ''), ...(m[3] ? { relation: m[3] } : {}) };
}

export function parseDataset(s: string, notes: string[] = []): NonNullable<Lineage['datasets']>[number] {
  const hash = s.lastIndexOf('#');
  if (hash > 0 && /^[0-9a-f]{64}$/.test(s.slice(hash + 1))) return { uri: recordableUrl(s.slice(0, hash), 'dataset', notes), sha256: s.slice(hash + 1) };
  return { uri: recordableUrl(s, 'dataset', notes) };
}

/** The same parent given twice is a slip of the command line: refused, as the schema refuses it. */
function uniqueParents(parents: NonNullable<Lineage['parents']>): NonNullable<Lineage['parents']> {
  const seen = new Set<string>();
  for (const p of parents) {
    const key = `${p.model}@${p.version}`;
    if (seen.has(key)) throw new ModelregError('usage', `--parent ${key} is given twice`, { hint: 'Name each parent once.' });
    seen.add(key);
  }
  return parents;
}

export function parseCode(s: string, notes: string[] = []): { repository: string; commit: string } {
  const at = s.lastIndexOf('@');
  if (at <= 0) throw new ModelregError('usage', `--code expects <repo>@<commit>, got "${s}"`);
  return { repository: recordableUrl(s.slice(0, at), 'code', notes), commit: s.slice(at + 1) };
}
