import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { FINDING_CODES } from '../../src/registry/findings.js';
// @ts-expect-error: a plain .mjs script without types
import { renderFindingsDoc } from '../../scripts/findings-doc.mjs';
import { ROOT } from './helpers.js';

it('docs/findings.md lists exactly the finding codes of the code (npm run docs regenerates it)', () => {
  expect(readFileSync(join(ROOT, 'docs/findings.md'), 'utf8')).toBe(renderFindingsDoc(FINDING_CODES));
});
