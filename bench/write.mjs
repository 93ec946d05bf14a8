#!/usr/bin/env node
/**
 * Writes that stay quick (issue 19, item 4): `register` of a 3-byte file and `promote` in a clone of the
 * bench registry, each beside a plain `git add && git commit` of the same file in the same clone.
 *
 *   npm run bench:write                      # build, then 5 rounds at 10k
 *   node bench/write.mjs --size 1k --runs 3  # after `npm run build`
 *
 * The limit commits what the modelreg command just committed, again: the manifest `register` wrote,
 * under another version, and the stage file `promote` wrote, with a comment changed. Which of the two goes
 * first alternates round by round. Nothing is asserted: this is a report.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, ensureRegistry } from './generate.mjs';
import { measure, median, parseOptions } from './measure.mjs';

const BIN = join(ROOT, 'bin/run.js');
const NODE = process.execPath;
const log = (m) => process.stderr.write(`${m}\n`);
const opts = parseOptions(process.argv.slice(2), { size: '10k', runs: 5 }, 'usage: node bench/write.mjs [--size 10k] [--runs 5]');
const IDENTITY = { GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'bench@example.com', GIT_COMMITTER_NAME: 'Bench', GIT_COMMITTER_EMAIL: 'bench@example.com' };
const env = { ...process.env, ...IDENTITY };

async function main() {
  const reg = ensureRegistry(opts.size, { log });
  const model = reg.info.resolveModel;
  const work = mkdtempSync(join(tmpdir(), 'modelreg-write-'));
  const clone = join(work, 'registry');
  spawnSync('git', ['clone', '-q', reg.dir, clone], { stdio: 'inherit' });
  const bytes = join(work, 'w.bin');
  writeFileSync(bytes, 'abc');
  // One command unmeasured first, as in any clone that has been used: git's index and modelreg's caches warm.
  spawnSync(NODE, [BIN, 'list', '--json'], { cwd: clone, env, stdio: 'ignore' });
  const load0 = loadavg()[0];
  const t = { register: [], registerLimit: [], promote: [], promoteLimit: [] };
  const gitCommit = (path) => measure('sh', ['-c', `git add -- "$1" && git commit -q -m bench`, 'sh', path], { cwd: clone, env });
  try {
    for (let round = 0; round < opts.runs; round++) {
      const version = `9.${round}.0`;
      const manifest = `models/${model}/versions/${version}.yaml`;
      const copy = `models/${model}/versions/8.${round}.0.yaml`;
      const stage = `models/${model}/stages/development.yaml`;
      const register = async () => {
        t.register.push((await measure(NODE, [BIN, 'register', model, bytes, '--version', version, '--no-code'], { cwd: clone, env })).ms);
      };
      const registerLimit = async () => {
        const text = round % 2 === 0 ? readFileSync(join(clone, manifest), 'utf8') : readFileSync(join(clone, `models/${model}/versions/1.0.0.yaml`), 'utf8');
        writeFileSync(join(clone, copy), text.replace(/^version: .*$/m, `version: 8.${round}.0`));
        t.registerLimit.push((await gitCommit(copy)).ms);
      };
      const promote = async () => {
        t.promote.push((await measure(NODE, [BIN, 'promote', `${model}@${version}`, 'development', '--no-verify'], { cwd: clone, env })).ms);
      };
      const promoteLimit = async () => {
        const text = readFileSync(join(clone, stage), 'utf8');
        writeFileSync(join(clone, stage), `${text.replace(/^# bench .*\n/m, '')}# bench ${round}\n`);
        t.promoteLimit.push((await gitCommit(stage)).ms);
      };
      if (round % 2 === 0) {
        await register();
        await registerLimit();
        await promoteLimit();
        await promote();
      } else {
        await registerLimit();
        await register();
        await promote();
        await promoteLimit();
      }
      log(
        `bench: round ${round + 1}/${opts.runs}: register ${Math.round(t.register.at(-1))} ms, git commit ${Math.round(t.registerLimit.at(-1))} ms; promote ${Math.round(t.promote.at(-1))} ms, git commit ${Math.round(t.promoteLimit.at(-1))} ms`,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const fmt = (x, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  console.log(`\nWrites in a clone of the ${opts.size} bench registry (${reg.info.files.toLocaleString('en-US')} manifests), medians of ${opts.runs} rounds`);
  console.log(`${cpus().length} cores, Node ${process.version}; load average ${load0.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end\n`);
  console.log('| write | time | plain `git add && git commit` of the same file | ratio | target |');
  console.log('|---|---|---|---|---|');
  for (const [op, a, b] of [
    ['register of a 3-byte file (local store)', t.register, t.registerLimit],
    ['promote', t.promote, t.promoteLimit],
  ]) {
    const ratio = median(a) / median(b);
    console.log(`| ${op} | ${fmt(median(a))} ms | ${fmt(median(b))} ms | ${fmt(ratio, 2)}× | ≤ 3× — ${ratio <= 3 ? 'met' : 'not met'} |`);
  }
}

await main();
