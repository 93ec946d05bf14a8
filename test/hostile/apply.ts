/** Writing a catalogue case into a checkout: files, symlinks, and submodules (embedded repositories, which `git add` records as gitlinks). */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { HostileCase } from './catalogue.js';

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
      for (const args of [['init', '-q'], ['-c', 'user.name=x', '-c', 'user.email=x@example.com', 'commit', '-q', '--allow-empty', '-m', 'vendored']]) {
        const r = spawnSync('git', args, { cwd: abs, encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
      }
    }
  }
}
