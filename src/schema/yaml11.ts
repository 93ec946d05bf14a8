/**
 * How a YAML 1.1 reader reads a plain scalar. Python pipelines read manifests with PyYAML
 * (`yaml.safe_load`), which implements YAML 1.1's implicit types: there `2026-12-01T07:52:25Z` is a
 * datetime, `yes` and `off` are booleans, `1:30` is 90 and `010` is 8, while YAML 1.2 (what modelreg
 * reads) takes the first three as strings and the last as 10. The writer quotes every string a 1.1
 * reader would take for something else, and `validate` warns where a hand-written plain scalar reads
 * differently in the two (checks/… via the parser's `yaml-1.1` finding).
 *
 * The patterns are PyYAML's resolver's (yaml/resolver.py), the reader people actually use; a test
 * (test/readers/yaml11-differential.test.ts) holds them against PyYAML itself. The writer also quotes the
 * one-letter booleans of the YAML 1.1 type repository (y, n), which PyYAML reads as strings but other
 * 1.1 readers may not.
 */

export type Yaml11Reading =
  | { type: 'str' }
  | { type: 'bool'; value: boolean }
  | { type: 'null' }
  | { type: 'int' | 'float'; value: number }
  | { type: 'timestamp' }
  /** `=` and `<<` resolve to tags PyYAML's safe loader cannot construct: it fails on them. */
  | { type: 'unloadable' };

const BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const TRUE = /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/;
const ONE_LETTER_BOOL = /^[yYnN]$/;
const NULL = /^(?:~|null|Null|NULL|)$/;
const INT = /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const FLOAT =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const TIMESTAMP =
  /^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$/;

/** What a YAML 1.1 reader (PyYAML) makes of `text` written as a plain scalar. */
export function yaml11Reading(text: string): Yaml11Reading {
  if (BOOL.test(text)) return { type: 'bool', value: TRUE.test(text) };
  if (NULL.test(text)) return { type: 'null' };
  if (INT.test(text)) return { type: 'int', value: int11(text) };
  if (FLOAT.test(text)) return { type: 'float', value: float11(text) };
  if (TIMESTAMP.test(text)) return { type: 'timestamp' };
  if (text === '=' || text === '<<') return { type: 'unloadable' };
  return { type: 'str' };
}

/** Whether a YAML 1.1 reader may read plain `text` as anything but the string `text`: the writer quotes such strings. */
export function notAStringIn11(text: string): boolean {
  return yaml11Reading(text).type !== 'str' || ONE_LETTER_BOOL.test(text);
}

/**
 * Whether a plain scalar that YAML 1.2 (core schema) read as `value` reads as something else in 1.1:
 * another type, or another number.
 */
export function readsDifferentlyIn11(text: string, value: unknown): boolean {
  const r = yaml11Reading(text);
  switch (r.type) {
    case 'str':
      return typeof value !== 'string';
    case 'bool':
      return value !== r.value;
    case 'null':
      return value !== null;
    case 'int':
    case 'float':
      return typeof value !== 'number' || !(value === r.value || (Number.isNaN(value) && Number.isNaN(r.value)));
    default:
      return true;
  }
}

/** A short name for what 1.1 reads, for the warning's message. */
export function describe11(text: string): string {
  const r = yaml11Reading(text);
  switch (r.type) {
    case 'str':
      return 'a string';
    case 'bool':
      return `the boolean ${r.value ? 'true' : 'false'}`;
    case 'null':
      return 'null';
    case 'int':
    case 'float':
      return `the number ${r.value}`;
    case 'timestamp':
      return 'a date or timestamp';
    default:
      return 'a tag that safe loaders refuse';
  }
}

function int11(text: string): number {
  let s = text.replace(/_/g, '');
  let sign = 1;
  if (s[0] === '-' || s[0] === '+') {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s.startsWith('0b')) return sign * parseInt(s.slice(2), 2);
  if (s.startsWith('0x')) return sign * parseInt(s.slice(2), 16);
  if (s.startsWith('0')) return sign * parseInt(s.slice(1), 8);
  if (s.includes(':')) return sign * sexagesimal(s);
  return sign * Number(s);
}

function float11(text: string): number {
  let s = text.replace(/_/g, '').toLowerCase();
  let sign = 1;
  if (s[0] === '-' || s[0] === '+') {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '.inf') return sign * Infinity;
  if (s === '.nan') return NaN;
  if (s.includes(':')) return sign * sexagesimal(s);
  return sign * Number(s);
}

/** 1:30 → 90, 1:02:03.5 → 3723.5 (base 60, the last part may carry a fraction). */
function sexagesimal(s: string): number {
  return s.split(':').reduce((n, part) => n * 60 + Number(part), 0);
}
