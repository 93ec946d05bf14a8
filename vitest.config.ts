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
  // Every fast YAML read is judged by the full parser (src/schema/yaml.ts), in tests and the processes they spawn.
  env: { MODELREG_TEST_WRITTEN: written, MODELREG_YAML_JUDGE: '1' },
};

export default defineConfig({
  test: {
    projects: [
      // The core's unit tests are pure (no disk, no processes, no globals they change), so one thread runs
      // file after file with the modules loaded once: the inner loop in ~19 s instead of ~35 s.
      { test: { ...shared, name: 'unit', include: ['test/unit/**/*.test.ts'], pool: 'threads', isolate: false, sequence: { groupOrder: 0 } } },
      { test: { ...shared, name: 'suite', include: ['test/**/*.test.ts'], exclude: ['test/readers/**', 'test/unit/**'], sequence: { groupOrder: 0 } } },
      { test: { ...shared, name: 'readers', include: ['test/readers/**/*.test.ts'], sequence: { groupOrder: 1 } } },
    ],
  },
});
