import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { FINDING_CODES } from '../../src/registry/findings.js';
// @ts-expect-error: a plain .mjs script without types
import { renderFindingsDoc } from '../../scripts/findings-doc.mjs';
import { writeFileSync } from 'node:fs';
import { CATALOGUE } from '../hostile/catalogue.js';
import { ROOT } from './helpers.js';

it('docs/findings.md lists exactly the finding codes of the code (npm run docs regenerates it)', () => {
  expect(readFileSync(join(ROOT, 'docs/findings.md'), 'utf8')).toBe(renderFindingsDoc(FINDING_CODES));
});

/**
 * The README's figures of the hostile catalogue come from the catalogue itself: this test fails when they
 * drift, and `npm run docs` (MODELREG_WRITE_DOCS=1) writes them.
 */
it("the README's catalogue figures are the catalogue's", () => {
  const groups: [string, string][] = [
    ['yaml', 'YAML'],
    ['names', 'names and paths'],
    ['values', 'values'],
    ['tree', 'tree'],
    ['output', 'output'],
  ];
  const figures = `a catalogue of ${CATALOGUE.length} cases ([test/hostile/catalogue.ts](test/hostile/catalogue.ts): ${groups.map(([g, name]) => `${name} ${CATALOGUE.filter((c) => c.group === g).length}`).join(', ')}`;
  const file = join(ROOT, 'README.md');
  const text = readFileSync(file, 'utf8');
  const want = text
    .replace(/(<!-- catalogue-figures -->)[^]*?(<!-- \/catalogue-figures -->)/, `$1${figures}$2`)
    .replace(/(<!-- catalogue-runs -->)[^]*?(<!-- \/catalogue-runs -->)/, `$1${CATALOGUE.length * 3}$2`);
  if (process.env.MODELREG_WRITE_DOCS === '1') writeFileSync(file, want);
  expect(text, 'README.md: run `npm run docs`').toBe(want);
});
