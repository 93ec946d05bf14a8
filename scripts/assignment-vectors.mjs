#!/usr/bin/env node
// Writes docs/assignment-vectors.json: the published test vectors of the assignment rule of a weighted
// stage (docs/assignment.md), computed by modelreg's own implementation (src/registry/assignment.ts).
// The tests check the file is what this script writes today, and check the vectors with an independent
// implementation in Python (the one docs/assignment.md shows), so a change to the rule cannot go unseen.
//   node scripts/assignment-vectors.mjs            (after npm run build)
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { assignArm, assignmentBucket } from '../dist/src/registry/assignment.js';

const splits = [
  [{ version: '1.0.0', weight: 100 }],
  [
    { version: '1.3.0', weight: 10 },
    { version: '1.2.0', weight: 90 },
  ],
  [
    { version: '1.3.0', weight: 50 },
    { version: '1.2.0', weight: 50 },
  ],
  [
    { version: '1.3.0', weight: 100 },
    { version: '1.2.0', weight: 0 },
  ],
  [
    { version: '1.3.0', weight: 19 },
    { version: '2.0.0-rc.1', weight: 1 },
    { version: '1.2.0', weight: 80 },
  ],
];
const keys = ['', 'user-1', 'user-2', 'user-42', 'alice@example.com', '550e8400-e29b-41d4-a716-446655440000', 'Zoë', '用户', '🙂', 'a\nb', ' leading space'];
const places = [
  ['fraud', 'production'],
  ['fraud', 'staging'],
  ['sentiment', 'production'],
];

const vectors = [];
for (const [model, stage] of places) {
  for (const key of keys) {
    const bucket = assignmentBucket(model, stage, key);
    for (const arms of splits) vectors.push({ model, stage, key, bucket, arms, version: assignArm(model, stage, key, arms).version });
  }
}
const out = fileURLToPath(new URL('../docs/assignment-vectors.json', import.meta.url));
// One vector a line: a reader (or a diff) sees each case whole.
writeFileSync(out, `{"rule": "docs/assignment.md", "vectors": [\n${vectors.map((v) => `  ${JSON.stringify(v)}`).join(',\n')}\n]}\n`);
console.log(`wrote ${vectors.length} vectors to docs/assignment-vectors.json`);
