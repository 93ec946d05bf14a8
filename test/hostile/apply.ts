/**
 * What the catalogue's runners share (validate in hostile-catalogue.test.ts, the action in
 * action-catalogue.test.ts, the writes in write-catalogue.test.ts): the canary file outside every
 * repository, writing a case into a checkout, checking that the findings a case expects are there,
 * and running cases two at a time.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { gitIn } from '../integration/helpers.js';
import { CANARY, type HostileCase } from './catalogue.js';

/** A file holding the canary, outside every repository, kept for the whole test file (tempDir's go after each test). */
export function outsideCanaryFile(): string {
  const outside = mkdtempSync(join(tmpdir(), 'modelreg-outside-'));
  const file = join(outside, 'secret.yaml');
  writeFileSync(file, `name: ${CANARY}\nowners: [${CANARY}]\n`);
  afterAll(() => rmSync(outside, { recursive: true, force: true }));
  return file;
}

/** Write a case into a checkout: files, symlinks, and submodules (embedded repositories, which `git add` records as gitlinks). */
export function applyCase(dir: string, c: HostileCase, canaryFile: string): void {
  for (const p of c.remove ?? []) rmSync(join(dir, p), { force: true });
  for (const [path, entry] of Object.entries(c.files)) {
    const abs = join(dir, path);
    rmSync(abs, { recursive: true, force: true });
    mkdirSync(dirname(abs), { recursive: true });
    if (typeof entry === 'string' || Buffer.isBuffer(entry)) writeFileSync(abs, entry);
    else if ('symlink' in entry) symlinkSync(entry.symlink === '@CANARY@' ? canaryFile : entry.symlink, abs);
    else {
      mkdirSync(abs);
      gitIn(abs, 'init', '-q');
      gitIn(abs, 'commit', '-q', '--allow-empty', '-m', 'vendored');
    }
  }
}

/** Every finding the case expects is among `findings`, on its line where the case names one. */
export function expectCaseFindings(findings: { code: string; file?: string; line?: number }[], c: HostileCase, where: string): void {
  for (const want of c.expect) {
    const found = findings.filter((f) => f.code === want.code && f.file === want.file);
    expect(
      found.length,
      `${where}: expected ${want.code} in ${want.file}; got ${JSON.stringify(findings.slice(0, 5).map((f) => [f.code, f.file, f.line]))}`,
    ).toBeGreaterThan(0);
    if (want.line !== undefined)
      expect(
        found.map((f) => f.line),
        where,
      ).toContain(want.line);
  }
}

/** Run cases two at a time (the machines have two cores); allSettled, so a failing case's repository is not removed under its neighbour. */
export async function pairwise<T>(items: readonly T[], run: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += 2) {
    const results = await Promise.allSettled(items.slice(i, i + 2).map(run));
    for (const r of results) if (r.status === 'rejected') throw r.reason;
  }
}
