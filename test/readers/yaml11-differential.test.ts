/**
 * schema/yaml11.ts says how a YAML 1.1 reader reads a plain scalar; PyYAML, the reader Python pipelines
 * use, is the judge. Thousands of plain scalars — the spec's edge cases and generated ones made of the
 * characters that matter (digits, signs, dots, colons, dashes, underscores, letters of booleans) — are
 * read by Debian's PyYAML, and every reading must be the one yaml11Reading predicts.
 */
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { yaml11Reading } from '../../src/schema/yaml11.js';

const EDGE = [
  'yes',
  'Yes',
  'YES',
  'no',
  'on',
  'Off',
  'y',
  'n',
  'Y',
  'true',
  'False',
  'null',
  'Null',
  '~',
  '0',
  '00',
  '010',
  '08',
  '0x1F',
  '0o17',
  '0b101',
  '-0b1',
  '+12',
  '1_000',
  '1:30',
  '-1:30',
  '190:20:30',
  '1:30.5',
  '1.5',
  '1.',
  '.5',
  '1e3',
  '1.0e+3',
  '1.0e3',
  '1.5E-7',
  '.inf',
  '-.Inf',
  '.NaN',
  '2026-12-01',
  '2026-1-2',
  '2026-12-01T07:52:25Z',
  '2026-12-01 07:52:25',
  '2026-12-01t07:52:25.123+01:00',
  '2026-1-2 3:04:05 -5',
  '=',
  '<<',
  'abc',
  '1.2.3',
  '12:60',
  '1:2:3:4',
];
const PY = `import json, sys, datetime, yaml
out = []
for s in json.load(sys.stdin):
    try:
        v = yaml.safe_load(s + "\\n")
    except Exception:
        out.append(["unloadable"]); continue
    if isinstance(v, bool): out.append(["bool", v])
    elif v is None: out.append(["null"])
    elif isinstance(v, int): out.append(["int", v])
    elif isinstance(v, float): out.append(["float", None if v != v else (str(v) if v in (float("inf"), float("-inf")) else v)])
    elif isinstance(v, (datetime.date, datetime.datetime)): out.append(["timestamp"])
    elif isinstance(v, str): out.append(["str"] if v == s else ["other-str", v])
    else: out.append(["other", type(v).__name__])
print(json.dumps(out))`;

it('yaml11Reading reads every plain scalar as PyYAML does', { timeout: 120_000 }, () => {
  const chars = fc.constantFrom(...'0123456789012345:-+._eExXbBoOnNyYtTzZ '.split(''));
  const generated = fc.sample(
    fc
      .array(chars, { minLength: 1, maxLength: 12 })
      .map((a) => a.join('').trim())
      .filter((s) => s !== '' && !/^[-:?#]( |$)/.test(s) && !/ #|: /.test(s)),
    { numRuns: 4000, seed: 14 },
  );
  const scalars = [...new Set([...EDGE, ...generated])];
  const r = spawnSync('/usr/bin/python3', ['-c', PY], { input: JSON.stringify(scalars), encoding: 'utf8', maxBuffer: 1 << 26 });
  expect(r.stderr).toBe('');
  const py = JSON.parse(r.stdout) as [string, unknown?][];
  const mismatches: string[] = [];
  scalars.forEach((s, i) => {
    const ours = yaml11Reading(s);
    const [type, value] = py[i]!;
    if (type === 'other-str' || type === 'other') return; // a scalar YAML itself reads as other text (e.g. trailing spaces folded): not about types
    const numeric = ours.type === 'int' || ours.type === 'float';
    const same =
      ours.type === type &&
      (ours.type === 'bool'
        ? ours.value === value
        : numeric
          ? value === null
            ? Number.isNaN(ours.value)
            : typeof value === 'string'
              ? String(ours.value).replace('Infinity', 'inf') === value
              : ours.value === value
          : true);
    if (!same) mismatches.push(`${JSON.stringify(s)}: PyYAML ${JSON.stringify(py[i])}, ours ${JSON.stringify(ours)}`);
  });
  expect(mismatches).toEqual([]);
  expect(scalars.length).toBeGreaterThan(1000);
});
