#!/usr/bin/env node
// Benchmark of the S3 artifact store against the real S3 test server (Ceph RGW, scripts/s3-server/),
// in one run on one server, each modelreg figure beside limits measured in the same run:
//   register     beside a plain lib-storage `Upload` of the same file (same part size, queue size and
//                client settings, in its own node process), `aws s3 cp` and `rclone copyto`;
//   pull         beside a plain `GetObject` streamed to a file and fsynced (as pull does), `aws s3 cp`
//                and `rclone copyto` (neither fsyncs), all reading the very object pull reads;
//   re-register  of the same bytes (dedup: HEAD + commit, no upload; the digest cache knows the file's
//                sha256), and the same with the cache off (a hashing pass first), beside a node process
//                that only computes the file's sha256;
//   a model directory (--dir, default 8 shards of 256 MiB and 300 files of 1-100 KiB): register and
//                pull beside `aws s3 cp --recursive` and `rclone copy`, up and down, and the download also
//                beside `cp -r` + `sync` of the same files (the disk's floor: pull fsyncs, the peers do not);
// and the peak RSS of every process at each size (modelreg's should not grow with the artifact).
// The AWS CLI and rclone are Debian's (`awscli`, `rclone`), installed first by scripts/install-packages.sh.
// Every measurement is a whole process, timed from spawn to exit, its RSS from /proc VmHWM polled; in
// each run the order of the processes rotates. The tables show medians of --reps runs; the JSON line
// at the end has every run.
//   node bench/s3.mjs [--sizes 1G,4G | none] [--reps 3] [--dir 8x256M+300] [--no-dir] [--tmp /tmp] [--if-server]
// --if-server (for scripts that run every benchmark): when no suitable server answers, print one line saying how to
// start one and exit 0 instead of 1.
// The server is found through $S3_TEST_DIR/env (default /tmp/modelreg-s3/env), written by up.sh. It needs
// room for about 3 × reps × the largest size (RGW frees deleted objects only after its garbage collection,
// 1-2 minutes later), which for GB sizes means bluestore (memstore keeps everything in RAM). A server of
// its own, beside the test server, e.g.:
//   OBJSTORE=bluestore S3_TEST_SIZE_GB=40 S3_TEST_PORT=7580 S3_TEST_MON_PORT=3400 S3_TEST_DIR=/tmp/modelreg-s3-bench bash scripts/s3-server/up.sh
//   S3_TEST_DIR=/tmp/modelreg-s3-bench npm run bench:s3
// and the same variables with scripts/s3-server/down.sh to stop it.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeFile, measure, median, settled } from './measure.mjs';
import { AbortMultipartUploadCommand, DeleteObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const BIN = join(ROOT, 'bin/run.js');
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
// --sizes none: the model directory alone.
const SIZES = opt('sizes', '1G,4G')
  .split(',')
  .filter((s) => s !== 'none')
  .map((s) => ({ label: s, bytes: Number.parseFloat(s) * { K: 1024, M: MiB, G: GiB }[s.slice(-1)] }));
if (SIZES.some((s) => !(s.bytes > 0))) {
  console.error(`bench/s3: --sizes takes sizes like 256M,1G,4G, not "${opt('sizes')}"`);
  process.exit(2);
}
const REPS = Math.max(1, Number.parseInt(opt('reps', '3'), 10));
const IF_SERVER = args.includes('--if-server');
// The model directory: <shards>x<shard size>+<small files>.
const DIR_SPEC = args.includes('--no-dir') ? undefined : /^(\d+)x(\d+(?:\.\d+)?)([KMG])\+(\d+)$/.exec(opt('dir', '8x256M+300'));
if (!args.includes('--no-dir') && !DIR_SPEC) {
  console.error(`bench/s3: --dir takes <shards>x<size>+<small files>, like 8x256M+300, not "${opt('dir')}"`);
  process.exit(2);
}
const DIR = DIR_SPEC && {
  shards: Number(DIR_SPEC[1]),
  shardBytes: Number.parseFloat(DIR_SPEC[2]) * { K: 1024, M: MiB, G: GiB }[DIR_SPEC[3]],
  small: Number(DIR_SPEC[4]),
  label: `${DIR_SPEC[1]}×${DIR_SPEC[2]}${DIR_SPEC[3]}iB + ${DIR_SPEC[4]} files`,
};
const PART_SIZE = 16 * MiB; // S3Store's defaults (MODELREG_S3_PART_SIZE, MODELREG_S3_CONCURRENCY unset)
const QUEUE_SIZE = 4;

// The SDK warns once per process that its releases after January 2027 need Node >= 22. Keep this
// process's stderr for progress; the children's warning is reported once, as a note, at the end.
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (!/NodeVersionSupportWarning/.test(`${w.name} ${w.message}`)) process.stderr.write(`${w.name}: ${w.message}\n`);
});

// The server's capacity this run needs: 2 × reps × the largest size (each run's objects wait for RGW's
// garbage collection after they are deleted), with a margin since Ceph refuses writes at 95% full.
const needed = (3 * REPS * Math.max(0, ...SIZES.map((s) => s.bytes), DIR ? DIR.shards * DIR.shardBytes : 0)) / 0.9;
const SIZE_GB = Math.max(40, Math.ceil(needed / GiB));

// The server: address and keys from up.sh's env file, nothing else (not the caller's AWS profile).
const s3Dir = process.env.S3_TEST_DIR || '/tmp/modelreg-s3';
// How to start a suitable server: in S3_TEST_DIR when it is set, else one of the bench's own beside the
// test server (default port and directory), which a bench of GB sizes would fill.
const START = process.env.S3_TEST_DIR
  ? `OBJSTORE=bluestore S3_TEST_SIZE_GB=${SIZE_GB} S3_TEST_DIR=${s3Dir} bash scripts/s3-server/up.sh (with its S3_TEST_PORT and S3_TEST_MON_PORT if not the defaults)`
  : `OBJSTORE=bluestore S3_TEST_SIZE_GB=${SIZE_GB} S3_TEST_PORT=7580 S3_TEST_MON_PORT=3400 S3_TEST_DIR=/tmp/modelreg-s3-bench bash scripts/s3-server/up.sh, then run the bench with S3_TEST_DIR=/tmp/modelreg-s3-bench`;
/** No usable server: one line, then exit 0 under --if-server (so a script running every benchmark goes on) or 1. */
function unavailable(why, running = false) {
  const stop = running ? `stop it with S3_TEST_DIR=${s3Dir} bash scripts/s3-server/down.sh, then ` : '';
  console.error(`bench/s3: ${IF_SERVER ? 'skipped: ' : ''}${why}; ${stop}start one with: ${START}`);
  process.exit(IF_SERVER ? 0 : 1);
}
let s3;
try {
  const vars = Object.fromEntries(
    readFileSync(join(s3Dir, 'env'), 'utf8')
      .split('\n')
      .map((l) => /^([A-Za-z_]\w*)=(.*)$/.exec(l.trim()))
      .filter(Boolean)
      .map((m) => [m[1], m[2]]),
  );
  s3 = {
    endpoint: vars.MODELREG_TEST_S3_ENDPOINT.replace(/\/+$/, ''),
    bucket: vars.MODELREG_TEST_S3_BUCKET || 'modelreg-test',
    accessKeyId: vars.AWS_ACCESS_KEY_ID,
    secretAccessKey: vars.AWS_SECRET_ACCESS_KEY,
    region: vars.AWS_REGION || 'us-east-1',
  };
} catch {
  unavailable(`no S3 test server (no ${join(s3Dir, 'env')})`);
}
try {
  await (await fetch(`${s3.endpoint}/`, { signal: AbortSignal.timeout(4000) })).arrayBuffer(); // any status will do
} catch {
  unavailable(`the S3 test server of ${s3Dir} does not answer at ${s3.endpoint}`);
}
// Which object store the OSD uses and its capacity, when up.sh's ceph.conf says. RGW answers 507 once the
// OSD is full, which would stop the run half-way after minutes: refuse a server too small at the start.
let objectStore = 'unknown';
let capacity;
try {
  const conf = readFileSync(join(s3Dir, 'ceph.conf'), 'utf8');
  objectStore = /^osd objectstore = (\S+)/m.exec(conf)?.[1] ?? 'unknown';
  const setting = { memstore: 'memstore device bytes', bluestore: 'bluestore block size' }[objectStore];
  if (setting) capacity = Number(new RegExp(`^${setting} = (\\d+)`, 'm').exec(conf)?.[1]) || undefined;
} catch {}
if (capacity !== undefined && capacity < needed) {
  unavailable(
    `the server of ${s3Dir} (${objectStore}, ${(capacity / GiB).toFixed(0)} GiB) is too small for ${REPS} runs of these sizes (needs ~${Math.ceil(needed / GiB)} GiB)`,
    true,
  );
}

const runPrefix = `bench-${randomBytes(4).toString('hex')}`;
const base = mkdtempSync(join(opt('tmp', tmpdir()), 'modelreg-s3-bench-'));
// Children see the test server's keys and nothing of the caller's AWS or MODELREG_S3_* configuration.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(AWS_|MODELREG_S3_)/.test(k)));
Object.assign(env, {
  AWS_ACCESS_KEY_ID: s3.accessKeyId,
  AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
  AWS_REGION: s3.region,
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  AWS_EC2_METADATA_DISABLED: 'true',
  MODELREG_DIGEST_CACHE: join(base, 'digests'), // the bench's own: nothing remembered from elsewhere
  GIT_AUTHOR_NAME: 'bench',
  GIT_AUTHOR_EMAIL: 'bench@example.com',
  GIT_COMMITTER_NAME: 'bench',
  GIT_COMMITTER_EMAIL: 'bench@example.com',
  CI: '1',
});
// The client settings S3Store makes from the registry.yaml written below (checksums: when_required).
const clientConfig = {
  endpoint: s3.endpoint,
  region: s3.region,
  forcePathStyle: true,
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
  maxAttempts: 5,
  credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
};

// The limits, each run as its own node process (`node --input-type=module -e`, started in the project
// root so it resolves the same @aws-sdk packages). argv: client config JSON, bucket, key, file.
const PLAIN_UPLOAD = `
import { createReadStream, statSync } from 'node:fs';
import { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
const [config, Bucket, Key, file] = process.argv.slice(1);
const client = new S3Client(JSON.parse(config));
const upload = new Upload({
  client, partSize: ${PART_SIZE}, queueSize: ${QUEUE_SIZE}, leavePartsOnError: false,
  params: { Bucket, Key, Body: createReadStream(file, { highWaterMark: 1 << 20 }), ContentLength: statSync(file).size, ContentType: 'application/octet-stream' },
});
const r = await upload.done();
process.stdout.write(JSON.stringify({ etag: r.ETag ?? null }));
`;
const PLAIN_GET = `
import { createWriteStream, openSync, fsyncSync, closeSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
const [config, Bucket, Key, file] = process.argv.slice(1);
const client = new S3Client(JSON.parse(config));
const r = await client.send(new GetObjectCommand({ Bucket, Key }));
await pipeline(r.Body, createWriteStream(file));
const fd = openSync(file, 'r'); fsyncSync(fd); closeSync(fd);
`;
// The file's sha256 as the store computes it (1 MiB reads through node's sha256), and nothing else.
const PLAIN_HASH = `
import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
const [, , , file] = process.argv.slice(1);
const h = createHash('sha256');
for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) h.update(chunk);
process.stdout.write(h.digest('hex'));
`;
const node = (script, ...argv) => [process.execPath, ['--input-type=module', '-e', script, JSON.stringify(clientConfig), ...argv], ROOT];

/** Wall time and the peak resident set (VmHWM, polled from /proc while it runs) of one process. */
const run = (cmd, argv, cwd = base, extraEnv = {}) =>
  measure(cmd, argv, { cwd, env: { ...env, ...extraEnv }, label: argv.includes('-e') ? 'limit script' : undefined });

const client = new S3Client(clientConfig);
/** Delete everything under a prefix (paging through ListObjectsV2) and abort its unfinished multipart uploads. */
async function deletePrefix(prefix) {
  let deleted = 0;
  let token;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `${prefix}/`, ...(token ? { ContinuationToken: token } : {}) }));
    for (const o of page.Contents ?? []) {
      await client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: o.Key }));
      deleted++;
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  let keyMarker;
  let uploadMarker;
  do {
    const page = await client.send(
      new ListMultipartUploadsCommand({
        Bucket: s3.bucket,
        Prefix: `${prefix}/`,
        ...(keyMarker ? { KeyMarker: keyMarker, UploadIdMarker: uploadMarker } : {}),
      }),
    );
    for (const u of page.Uploads ?? []) await client.send(new AbortMultipartUploadCommand({ Bucket: s3.bucket, Key: u.Key, UploadId: u.UploadId }));
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    uploadMarker = page.NextUploadIdMarker;
  } while (keyMarker);
  return deleted;
}

const keyOf = (prefix, sha256) => `${prefix}/sha256/${sha256.slice(0, 2)}/${sha256}`; // S3Store's layout
const oddities = [];
const emptyEtag = new Set();
let sdkNodeWarning = false;
/** Anything a child said on stderr beyond the SDK's warning that Node 20 support ends, kept as a note. */
function noteStderr(who, err) {
  const rest = err
    .replace(/\(node:\d+\) (Warning: )?NodeVersionSupportWarning[\s\S]*?More information can be found at: \S+\n?/g, () => ((sdkNodeWarning = true), ''))
    .split('\n')
    .filter((l) => l.trim() && !/--trace-warnings/.test(l));
  if (rest.length) oddities.push(`${who} stderr: ${rest[0]}`);
}

const git = (cwd, ...a) => {
  const r = spawnSync('git', a, { cwd, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${a.join(' ')} failed: ${r.stderr}`);
};

// The peers, as people run them: Debian's AWS CLI (by path: another `aws` may come first on PATH) and
// rclone, each with its defaults, configured by environment only. rclone fails on these machines when
// AWS_CA_BUNDLE is set, which `env` (above) never passes on.
const installed = spawnSync('bash', [join(ROOT, 'scripts/install-packages.sh'), 'awscli', 'rclone'], { encoding: 'utf8' });
if (installed.status !== 0) {
  console.error(`bench/s3: could not install the peers (awscli, rclone): ${installed.stderr.trim()}`);
  process.exit(1);
}
const AWS = '/usr/bin/aws';
const RCLONE = '/usr/bin/rclone';
// rclone's config file: an empty one of the run's own. (Not /dev/null: rclone saves its config by
// renaming a new file over the old, which would replace /dev/null with a regular file.)
const rcloneConfig = join(base, 'rclone.conf');
writeFileSync(rcloneConfig, '');
const peerEnv = {
  ...env,
  RCLONE_CONFIG: rcloneConfig,
  RCLONE_CONFIG_CEPH_TYPE: 's3',
  RCLONE_CONFIG_CEPH_PROVIDER: 'Ceph',
  RCLONE_CONFIG_CEPH_ENDPOINT: s3.endpoint,
  RCLONE_CONFIG_CEPH_ACCESS_KEY_ID: s3.accessKeyId,
  RCLONE_CONFIG_CEPH_SECRET_ACCESS_KEY: s3.secretAccessKey,
  RCLONE_CONFIG_CEPH_REGION: s3.region,
};
const peer = (cmd, argv, cwd = base) => measure(cmd, argv, { cwd, env: peerEnv });
const aws = (...a) => peer(AWS, ['--endpoint-url', s3.endpoint, 's3', 'cp', '--quiet', '--no-progress', ...a]);
const rclone = (verb, ...a) => peer(RCLONE, [verb, '--s3-no-check-bucket', ...a]);
const s3url = (key) => `s3://${s3.bucket}/${key}`;
const rcloneAt = (key) => `ceph:${s3.bucket}/${key}`;

const mib = (b) => (b / MiB).toFixed(0);
const fmt = (ms) => (ms / 1000).toFixed(2);
const t0 = Date.now();
const say = (msg) => process.stderr.write(`[${fmt(Date.now() - t0)}s] ${msg}\n`);

/** Run the named steps in an order rotated by `turn`, so that no side always goes first; results by name. */
async function rotated(turn, steps) {
  const names = Object.keys(steps);
  const out = {};
  for (let k = 0; k < names.length; k++) {
    const name = names[(k + turn) % names.length];
    out[name] = await steps[name]();
    // Untimed: what a process left in the page cache is written out before the next one starts, so no
    // process pays for the writeback of another (the AWS CLI and rclone do not fsync; pull does).
    spawnSync('sync');
  }
  return out;
}

/** A registry whose store is a prefix of its own in the test bucket. */
function s3Registry(label, prefix) {
  const reg = join(base, `reg-${label}`);
  const init = spawnSync(process.execPath, [BIN, 'init', reg], { env, encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`modelreg init failed: ${init.stderr}`);
  const policy = readFileSync(join(reg, 'registry.yaml'), 'utf8');
  if (!/^ {2}store: .*$/m.test(policy)) throw new Error('registry.yaml of the template has no artifacts.store line');
  writeFileSync(
    join(reg, 'registry.yaml'),
    policy.replace(
      /^ {2}store: .*$/m,
      `  store: s3://${s3.bucket}/${prefix}\n  s3:\n    endpoint: ${s3.endpoint}\n    region: ${s3.region}\n    force_path_style: true\n    checksums: when_required`,
    ),
  );
  git(reg, 'commit', '-qam', 'Store artifacts in S3');
  return reg;
}

const modelreg = (reg, ...a) => run(process.execPath, [BIN, ...a], reg);
/** The same command with the digest cache off: a re-register that reads the file again. */
const UNCACHED = 're-register, digest cache off';
const modelregUncached = (reg, ...a) => run(process.execPath, [BIN, ...a], reg, { MODELREG_DIGEST_CACHE: 'off' });
/** Every figure of a run: time and peak RSS by name, and stderr kept as notes. */
function record(label, results) {
  const row = {};
  for (const [who, x] of Object.entries(results)) {
    noteStderr(`${label} ${who}`, x.err);
    row[who] = { ms: x.ms, peak: x.peak };
  }
  return row;
}

const rows = [];
try {
  for (const [i, size] of SIZES.entries()) {
    const prefix = `${runPrefix}/${size.label}`;
    const reg = s3Registry(size.label, prefix);
    const file = join(base, `weights-${size.label}.safetensors`);
    say(`${size.label}: writing the test file…`);
    makeFile(file, size.bytes);
    spawnSync('sh', ['-c', `cat "${file}" > /dev/null`]); // same page-cache state for every reader
    await settled(file);

    const runs = [];
    let artifact;
    for (let r = 0; r < REPS; r++) {
      const turn = r + i;
      // Versions rise with each registration (modelreg refuses a lower one): run r registers r+1.0.0, then r+1.1.0.
      const version = `${r + 1}.0.0`;
      const againVersion = `${r + 1}.1.0`;
      if (artifact) await client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: keyOf(prefix, artifact.sha256) })); // else it would dedup
      const peerKey = (who) => `${prefix}/${who}/${size.label}-${r}.bin`;
      say(`${size.label} run ${r + 1}/${REPS}: register / plain Upload / aws s3 cp / rclone copyto…`);
      const up = await rotated(turn, {
        register: () => modelreg(reg, 'register', 'bench', file, '--version', version, '--no-code', '--json'),
        'lib-storage Upload': () => run(...node(PLAIN_UPLOAD, s3.bucket, peerKey('plain'), file)),
        'aws s3 cp': () => aws(file, s3url(peerKey('aws'))),
        'rclone copyto': () => rclone('copyto', file, rcloneAt(peerKey('rclone'))),
      });
      artifact = JSON.parse(up.register.out).artifacts[0];
      if (!artifact?.stored) oddities.push(`${size.label}: register ${version} did not upload the artifact`);
      if (!JSON.parse(up['lib-storage Upload'].out).etag) emptyEtag.add(size.label);
      for (const who of ['plain', 'aws', 'rclone']) await client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: peerKey(who) })); // room for the next run

      say(`${size.label} run ${r + 1}/${REPS}: pull / plain GetObject / aws s3 cp / rclone copyto…`);
      const key = keyOf(prefix, artifact.sha256); // the very object pull reads
      const got = (who) => join(base, `got-${who}.bin`);
      const down = await rotated(turn, {
        pull: () => modelreg(reg, 'pull', `bench@${version}`, '-o', join(base, 'pulled'), '--json'),
        'GetObject to a file': () => run(...node(PLAIN_GET, s3.bucket, key, got('plain'))),
        'aws s3 cp': () => aws(s3url(key), got('aws')),
        'rclone copyto': () => rclone('copyto', rcloneAt(key), got('rclone')),
      });
      for (const who of ['aws', 'rclone']) {
        const h = spawnSync('sha256sum', [got(who)], { encoding: 'utf8' }).stdout.split(' ')[0];
        if (h !== artifact.sha256) oddities.push(`${size.label}: ${who} downloaded bytes of sha256 ${h}, not ${artifact.sha256}`);
      }
      rmSync(join(base, 'pulled'), { recursive: true, force: true });
      for (const who of ['plain', 'aws', 'rclone']) rmSync(got(who), { force: true });

      // The object of this run's register is in the store: registering the same bytes again finds it.
      say(`${size.label} run ${r + 1}/${REPS}: re-register (dedup) / sha256 of the file…`);
      const again = await rotated(turn, {
        // --allow-lower: the two run in either order
        're-register': () => modelreg(reg, 'register', 'bench', file, '--version', againVersion, '--allow-lower', '--no-code', '--json'),
        [UNCACHED]: () => modelregUncached(reg, 'register', 'bench', file, '--version', `${r + 1}.2.0`, '--allow-lower', '--no-code', '--json'),
        'sha256 of the file': () => run(...node(PLAIN_HASH, '', '', file)),
      });
      for (const who of ['re-register', UNCACHED])
        if (!JSON.parse(again[who].out).artifacts.every((a) => !a.stored))
          oddities.push(`${size.label}: ${who} uploaded the artifact again (not deduplicated)`);
      if (again['sha256 of the file'].out !== artifact.sha256) oddities.push(`${size.label}: the file's sha256 is not the one register recorded`);
      runs.push({ turn, up: record(size.label, up), down: record(size.label, down), again: record(size.label, again) });
    }
    rmSync(file, { force: true });
    await deletePrefix(prefix);
    rows.push({ what: size.label, bytes: size.bytes, runs });
    say(`${size.label} done: ${JSON.stringify(runs)}`); // kept if a later size fails
  }

  if (DIR) {
    // A model directory as a checkpoint is laid out: a few large shards and hundreds of small files.
    const prefix = `${runPrefix}/dir`;
    const reg = s3Registry('dir', prefix);
    const dir = join(base, 'model');
    say(`directory: writing ${DIR.label}…`);
    mkdirSync(join(dir, 'tokenizer'), { recursive: true });
    for (let k = 0; k < DIR.shards; k++)
      makeFile(join(dir, `model-${String(k + 1).padStart(5, '0')}-of-${String(DIR.shards).padStart(5, '0')}.safetensors`), DIR.shardBytes);
    for (let k = 0; k < DIR.small; k++) makeFile(join(dir, 'tokenizer', `part-${String(k).padStart(4, '0')}.json`), 1024 + ((k * 7919) % 100) * 1024);
    spawnSync('sh', ['-c', `cat "${dir}"/*.safetensors "${dir}"/tokenizer/* > /dev/null`]);
    const bytes = Number(spawnSync('du', ['-sb', dir], { encoding: 'utf8' }).stdout.split('\t')[0]);
    const runs = [];
    for (let r = 0; r < REPS; r++) {
      const version = `${r + 1}.0.0`;
      await deletePrefix(prefix); // the previous run's objects, or register would dedup them
      say(`directory run ${r + 1}/${REPS}: register / aws s3 cp --recursive / rclone copy…`);
      const up = await rotated(r, {
        register: () => modelreg(reg, 'register', 'bench-dir', dir, '--version', version, '--no-code', '--json'),
        'aws s3 cp --recursive': () => aws('--recursive', dir, s3url(`${prefix}/aws/${r}`)),
        'rclone copy': () => rclone('copy', dir, rcloneAt(`${prefix}/rclone/${r}`)),
      });
      const stored = JSON.parse(up.register.out).artifacts;
      if (stored.length !== DIR.shards + DIR.small || !stored.every((a) => a.stored)) oddities.push(`directory: register ${version} did not upload every file`);
      say(`directory run ${r + 1}/${REPS}: pull / aws s3 cp --recursive / rclone copy…`);
      const out = (who) => join(base, `down-${who}`);
      const down = await rotated(r, {
        pull: () => modelreg(reg, 'pull', `bench-dir@${version}`, '-o', out('pull'), '--json'),
        'aws s3 cp --recursive': () => aws('--recursive', s3url(`${prefix}/aws/${r}`), out('aws')),
        'rclone copy': () => rclone('copy', rcloneAt(`${prefix}/rclone/${r}`), out('rclone')),
        // What the disk takes to hold the same bytes durably, as pull leaves them (fsynced before they are
        // named): the peers' figures do not include it, since their files are still in the page cache.
        'cp -r, then sync': () => run('sh', ['-c', `cp -r "${dir}" "${out('cp')}" && sync -f "${out('cp')}"`]),
      });
      for (const who of ['pull', 'aws', 'rclone', 'cp']) {
        const n = readdirSync(out(who), { recursive: true }).length;
        if (n !== DIR.shards + DIR.small + 1) oddities.push(`directory: ${who} brought down ${n} entries, not ${DIR.shards + DIR.small + 1}`);
        rmSync(out(who), { recursive: true, force: true });
      }
      runs.push({ turn: r, up: record('directory', up), down: record('directory', down) });
    }
    rows.push({ what: DIR.label, bytes, runs });
    say(`directory done: ${JSON.stringify(runs)}`);
  }
} finally {
  rmSync(base, { recursive: true, force: true });
  await deletePrefix(runPrefix).catch((e) => process.stderr.write(`bench/s3: could not delete s3://${s3.bucket}/${runPrefix}/: ${e.message}\n`));
}
say('done');

/** Columns padded to their widest cell; numeric columns (all but the first `left`) right-aligned. */
function print(table, left) {
  const widths = table[0].map((_, i) => Math.max(...table.map((r) => String(r[i]).length)));
  for (const r of table)
    console.log(
      r
        .map((c, i) => (i < left ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i])))
        .join('  ')
        .trimEnd(),
    );
}
const ratio = (a, b) => `${(a / b).toFixed(2)}×`;
const med = (row, group, who) => median(row.runs.map((x) => x[group][who].ms));
const peakOf = (row, group, who) => Math.max(...row.runs.map((x) => x[group][who].peak));
const table = [['size', 'operation', 'modelreg s', 'limit', 'limit s', 'ratio']];
for (const row of rows) {
  const groups = [['up', ['register']], ['down', ['pull']], ...(row.runs[0].again ? [['again', ['re-register', UNCACHED]]] : [])];
  for (const [group, ours] of groups)
    for (const who of ours) {
      const ms = med(row, group, who);
      for (const limit of Object.keys(row.runs[0][group]).filter((k) => !ours.includes(k)))
        table.push([
          row.what,
          who === 're-register' ? 're-register (dedup)' : who,
          fmt(ms),
          limit,
          fmt(med(row, group, limit)),
          ratio(ms, med(row, group, limit)),
        ]);
    }
}
console.log(
  `S3 store, server ${s3.endpoint} (${objectStore}), modelreg's part size ${mib(PART_SIZE)} MiB × ${QUEUE_SIZE} in flight (the lib-storage Upload the same); medians of ${REPS} run(s), seconds`,
);
print(table, 4);
console.log('\npeak RSS, MiB (the largest of the runs)');
const rssTable = [['size', 'process', 'peak RSS MiB']];
for (const row of rows)
  for (const group of ['up', 'down', 'again'])
    if (row.runs[0][group]) for (const who of Object.keys(row.runs[0][group])) rssTable.push([row.what, who, mib(peakOf(row, group, who))]);
print(rssTable, 2);
const rate = (bytes, ms) => (bytes / MiB / (ms / 1000)).toFixed(0);
console.log(
  `\nthroughput, MiB/s: ${rows.map((r) => `${r.what} register ${rate(r.bytes, med(r, 'up', 'register'))}, pull ${rate(r.bytes, med(r, 'down', 'pull'))}`).join('; ')}`,
);
if (emptyEtag.size)
  oddities.push(
    `RGW answered CompleteMultipartUpload with an empty <ETag></ETag> (the plain Upload's result had ETag '' at ${[...emptyEtag].join(', ')}); HeadObject reports the object's ETag`,
  );
if (sdkNodeWarning)
  oddities.push(
    `the AWS SDK warns (NodeVersionSupportWarning) in every process that its releases after early January 2027 need Node >= 22; this is Node ${process.versions.node}`,
  );
for (const o of oddities) console.log(`note: ${o}`);
console.log(
  JSON.stringify({
    bench: 's3',
    date: new Date().toISOString(),
    endpoint: s3.endpoint,
    objectStore,
    partSize: PART_SIZE,
    queueSize: QUEUE_SIZE,
    rows,
    oddities,
  }),
);
