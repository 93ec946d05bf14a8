#!/usr/bin/env node
// Writes docs/findings.md from FINDING_CODES (run after `npm run build`: `npm run docs`).
// A test compares the committed file with this output, so the list never drifts from the code.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function renderFindingsDoc(codes) {
  const lines = [
    '# Finding codes',
    '',
    'Every check returns findings with one of these stable codes. A code never changes meaning once released.',
    'Generated from `src/registry/findings.ts` by `npm run docs`; do not edit by hand.',
    '',
    '| code | severity | meaning | what to do |',
    '|---|---|---|---|',
  ];
  for (const [code, info] of Object.entries(codes)) {
    lines.push(`| \`${code}\` | ${info.severity} | ${info.summary.replace(/\|/g, '\\|')} | ${(info.hint ?? '').replace(/\|/g, '\\|')} |`);
  }
  return lines.join('\n') + '\n';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { FINDING_CODES } = await import('../dist/src/index.js');
  writeFileSync(new URL('../docs/findings.md', import.meta.url), renderFindingsDoc(FINDING_CODES));
}
