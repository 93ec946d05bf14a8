/**
 * Pull requests written to get past the gate. Each one fails closed with a finding that names the file,
 * nothing outside the registry (environment, .git/config, files elsewhere) reaches any output, and no
 * text the pull request wrote becomes a workflow command, a mention, HTML, or the sticky comment's marker.
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gitIn, write } from './helpers.js';
import { approve, CANARY, codes, comments, expectNoLeak, gh, prEvent, promote, pullRequest, runAction, useStandIn, type Run } from './action-harness.js';

useStandIn();

const version = (d: string) => readFileSync(join(d, 'models/sentiment/versions/1.2.0.yaml'), 'utf8').replace('version: 1.2.0', 'version: 1.3.0');
const addVersion = (text: string) => (d: string) => write(d, 'models/sentiment/versions/1.3.0.yaml', text);

function expectRejected(run: Run, code: string, file: string): void {
  expect(run.code, run.stdout + run.stderr).toBe(1);
  expect(run.outputs.verdict).toBe('fail');
  const f = run.report.findings.find((x: any) => x.code === code);
  expect(f, JSON.stringify(run.report.findings)).toBeDefined();
  expect(f.file).toBe(file);
  expect(run.stderr).not.toMatch(/TypeError|RangeError|at .*\.mjs:\d+/); // no uncaught exception
  expectNoLeak(run);
}

describe('a pull request that weakens the policy it is judged by', () => {
  it('is judged by the base policy: dropping the approvals and lowering a gate in the same diff does not help', async () => {
    const pr = pullRequest((d) => {
      const policy = readFileSync(join(d, 'registry.yaml'), 'utf8')
        .replace('approvals: { count: 1 }', '')
        .replace('accuracy: { min: 0.85 }', 'accuracy: { min: 0.1 }');
      write(d, 'registry.yaml', policy);
      promote(d);
    });
    const run = await runAction(pr, prEvent(pr));
    expectRejected(run, 'gate-approvals', 'models/sentiment/stages/production.yaml');
    expect(codes(run)).toContain('policy-changed');
  });
});

describe('symlinks and submodules are never followed', () => {
  it('a version that is a link to /proc/self/environ', async () => {
    const pr = pullRequest((d) => symlinkSync('/proc/self/environ', join(d, 'models/sentiment/versions/1.3.0.yaml')));
    expectRejected(await runAction(pr, prEvent(pr)), 'tree-symlink', 'models/sentiment/versions/1.3.0.yaml');
  });

  it('a model manifest that is a link to .git/config (which holds a secret)', async () => {
    const pr = pullRequest((d) => {
      gitIn(d, 'rm', '-q', 'models/sentiment/model.yaml');
      symlinkSync('../../.git/config', join(d, 'models/sentiment/model.yaml'));
    });
    const run = await runAction(pr, prEvent(pr));
    expectRejected(run, 'tree-symlink', 'models/sentiment/model.yaml');
  });

  it('a model directory that is a link outside the repository', async () => {
    const pr = pullRequest((d) => {
      writeFileSync('/tmp/modelreg-outside.yaml', `name: evil\nowners: [${CANARY}@example.com]\n`);
      symlinkSync('/tmp', join(d, 'models/evil'));
    });
    expectRejected(await runAction(pr, prEvent(pr)), 'tree-symlink', 'models/evil');
  });

  it('a submodule inside the registry', async () => {
    const pr = pullRequest((d) => {
      const commit = gitIn(d, 'rev-parse', 'HEAD');
      gitIn(d, 'update-index', '--add', '--cacheinfo', `160000,${commit},models/sentiment/versions/vendored`);
      mkdirSync(join(d, 'models/sentiment/versions/vendored')); // an unpopulated submodule, as a clone leaves it
    });
    expectRejected(await runAction(pr, prEvent(pr)), 'tree-submodule', 'models/sentiment/versions/vendored');
  });
});

describe('hostile YAML', () => {
  it('an alias bomb is refused at once, not expanded', async () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      ...Array.from(
        { length: 9 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`,
      ),
    ].join('\n');
    const pr = pullRequest(addVersion(`${bomb}\n`));
    const started = Date.now();
    const run = await runAction(pr, prEvent(pr));
    expect(Date.now() - started).toBeLessThan(20_000);
    expectRejected(run, 'yaml-alias', 'models/sentiment/versions/1.3.0.yaml');
  });

  it('duplicate keys, with the line of the second', async () => {
    const pr = pullRequest((d) => addVersion(version(d).replace('framework: transformers', 'framework: transformers\nframework: onnx'))(d));
    const run = await runAction(pr, prEvent(pr));
    expectRejected(run, 'yaml-duplicate-key', 'models/sentiment/versions/1.3.0.yaml');
    expect(run.report.findings.find((f: any) => f.code === 'yaml-duplicate-key').line).toBe(5);
  });

  it('a huge file is refused without being read', async () => {
    const pr = pullRequest(addVersion(`description: "${'x'.repeat(3 * 1024 * 1024)}"\n`));
    expectRejected(await runAction(pr, prEvent(pr)), 'tree-oversize', 'models/sentiment/versions/1.3.0.yaml');
  });

  it('NaN and infinite metrics', async () => {
    const pr = pullRequest((d) =>
      addVersion(version(d).replace('metrics: { accuracy: 0.91, latency_ms: 35 }', 'metrics: { accuracy: .nan, latency_ms: -.inf }'))(d),
    );
    const run = await runAction(pr, prEvent(pr));
    expectRejected(run, 'yaml-number', 'models/sentiment/versions/1.3.0.yaml');
    expect(run.report.findings.filter((f: any) => f.code === 'yaml-number')).toHaveLength(2);
  });
});

describe('path traversal', () => {
  it('in a model name', async () => {
    const pr = pullRequest((d) => write(d, 'models/..evil/model.yaml', 'name: ../../etc\nowners: [x@example.com]\n'));
    const run = await runAction(pr, prEvent(pr));
    expectRejected(run, 'name-invalid', 'models/..evil/model.yaml');
  });

  it('in an artifact path', async () => {
    const pr = pullRequest((d) => addVersion(version(d).replace('path: model.safetensors', 'path: ../../../.ssh/id_rsa'))(d));
    const run = await runAction(pr, prEvent(pr));
    expectRejected(run, 'artifact-path', 'models/sentiment/versions/1.3.0.yaml');
    expect(run.report.findings.find((f: any) => f.code === 'artifact-path').line).toBe(8);
  });
});

describe('output injection', () => {
  it('workflow commands in file names and values stay text', async () => {
    const pr = pullRequest((d) => {
      write(d, 'models/sentiment/versions/x\n::add-mask::leak\n::error::pwned.yaml', 'x: 1\n');
      write(d, 'models/sentiment/notes::set-output name=verdict::pass', 'x');
      addVersion(
        version(d)
          .replace('framework: transformers', 'framework: "\\n::error file=a::forged\\n%0A::add-mask::x"')
          .replace('version: 1.3.0', 'version: "1.3.0\\n::warning::forged"'),
      )(d);
    });
    const run = await runAction(pr, prEvent(pr));
    expect(run.code).toBe(1);
    expectNoLeak(run);
    // Each forged command sits inside the data of one of ours, its newlines escaped, so it is text.
    const forged = run.stdout.split('\n').filter((l) => /pwned|forged|add-mask|set-output/.test(l));
    expect(forged.length).toBeGreaterThan(0);
    for (const l of forged) expect(l).toMatch(/^::(error|warning|notice) [^:]*::\S/);
    expect(run.stdout).toContain('file=models/sentiment/versions/x%0A%3A%3Aadd-mask%3A%3Aleak%0A%3A%3Aerror%3A%3Apwned.yaml,');
    expect(run.outputs.verdict).toBe('fail'); // the planted "set-output" did not set it
  });

  it('HTML, mentions, links and the sticky marker in pull-request text are escaped; a planted comment is not ours', async () => {
    const evil = '<!-- modelreg:report v1 --><img src=x onerror=alert(1)> @acme/admins [click](https://evil.example) `code`';
    const pr = pullRequest((d) => write(d, `models/sentiment/${evil.replace(/\//g, '_')}.txt`, 'x'));
    const planted = gh.addComment(1, 'mallory', '<!-- modelreg:report v1 -->\nplanted by mallory');
    const run = await runAction(pr, prEvent(pr));
    expect(run.report.findings.some((f: any) => f.code === 'tree-unexpected-file')).toBe(true);
    const ours = comments().filter((c: any) => c.id !== planted);
    expect(ours).toHaveLength(1);
    expect(comments().find((c: any) => c.id === planted).body).toBe('<!-- modelreg:report v1 -->\nplanted by mallory');
    for (const text of [run.summary, ours[0].body]) {
      expect(text.split('<!-- modelreg:report v1 -->').length - 1).toBe(text === run.summary ? 0 : 1);
      expect(text).not.toContain('<img');
      expect(text).not.toContain('@acme/admins');
      expect(text).not.toContain('](https://evil');
      expect(text).toContain('&lt;img src=x onerror=alert\\(1\\)\\>');
      expect(text).toContain('@&#8203;acme\\_admins');
    }
    // A second run updates our comment, never mallory's.
    approve('bob', pr.head);
    await runAction(pr, prEvent(pr));
    expect(comments().map((c: any) => c.id)).toEqual([planted, ours[0].id]);
    expect(comments()[0].body).toContain('planted by mallory');
  });

  it("oversize text is cut, and the summary and comment stay within GitHub's limits", async () => {
    const pr = pullRequest((d) => {
      for (let i = 0; i < 400; i++) write(d, `models/sentiment/junk-${i}-${'y'.repeat(200)}.txt`, 'x');
    });
    const run = await runAction(pr, prEvent(pr));
    expect(run.summary.length).toBeLessThanOrEqual(1024 * 1024);
    expect(comments()[0].body.length).toBeLessThanOrEqual(65_536);
    expect(run.commands.filter((c) => c.startsWith('::warning')).length).toBeLessThanOrEqual(10);
    expect(run.commands).toContainEqual(expect.stringMatching(/^::notice title=modelreg::390 more warning\(s\) are listed in the job summary/));
    expect(run.report.findings.filter((f: any) => f.code === 'tree-unexpected-file')).toHaveLength(400);
  });
});
