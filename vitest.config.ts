import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// What modelreg writes during the run is kept here (test/readers/collect.ts) for the YAML readers'
// check, which runs after everything else (its project's groupOrder is higher).
const written = process.env.MODELREG_TEST_WRITTEN || mkdtempSync(join(tmpdir(), 'modelreg-written-'));
process.env.MODELREG_TEST_WRITTEN = written;

const shared = {
  // Integration tests spawn git and the CLI many times; on a loaded 2-core machine that takes seconds.
  testTimeout: 120_000,
  hookTimeout: 60_000,
  env: { MODELREG_TEST_WRITTEN: written },
};

export default defineConfig({
  test: {
    projects: [
      { test: { ...shared, name: 'suite', include: ['test/**/*.test.ts'], exclude: ['test/readers/**'], sequence: { groupOrder: 0 } } },
      { test: { ...shared, name: 'readers', include: ['test/readers/**/*.test.ts'], sequence: { groupOrder: 1 } } },
    ],
  },
});
