#!/usr/bin/env node
// Benchmark of the S3 artifact store against the real S3 test server (Ceph RGW, scripts/s3-server/),
// in one run on one server, each modelreg figure beside a limit measured in the same run:
//   register     beside a plain lib-storage `Upload` of the same file (same part size, queue size and
//                client settings, in its own node process);
//   pull         beside a plain `GetObject` streamed to a file and fsynced (as pull does), reading the
//                very object pull reads;
//   re-register  of the same bytes (dedup: hash + HEAD + commit, no upload) beside a node process that
//                only computes the file's sha256 (the one pass that dedup cannot avoid);
// and the peak RSS of every process at each size (modelreg's should not grow with the artifact).
// Every measurement is a whole process, timed from spawn to exit, its RSS from /proc VmHWM polled.
// The table shows medians of --reps runs; the JSON line at the end has every run.
//   node bench/s3.mjs [--sizes 1G,4G] [--reps 3] [--dir /tmp] [--if-server]
// --if-server (for scripts that run every benchmark): when no suitable server answers, print one line saying how to
// start one and exit 0 instead of 1.
// The server is found through $S3_TEST_DIR/env (default /tmp/modelreg-s3/env), written by up.sh. It needs
// room for about 2 × reps × the largest size (RGW frees deleted objects only after its garbage collection,
// 1-2 minutes later), which for GB sizes means bluestore (memstore keeps everything in RAM). A server of
// its own, beside the test server, e.g.:
//   OBJSTORE=bluestore S3_TEST_SIZE_GB=30 S3_TEST_PORT=7580 S3_TEST_MON_PORT=3400 S3_TEST_DIR=/tmp/modelreg-s3-bench bash scripts/s3-server/up.sh
//   S3_TEST_DIR=/tmp/modelreg-s3-bench npm run bench:s3
// and the same variables with scripts/s3-server/down.sh to stop it.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeFile, measure, median } from './measure.mjs';
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
const SIZES = opt('sizes', '1G,4G')
  .split(',')
  .map((s) => ({ label: s, bytes: Number.parseFloat(s) * { K: 1024, M: MiB, G: GiB }[s.slice(-1)] }));
if (SIZES.some((s) => !(s.bytes > 0))) {
  console.error(`bench/s3: --sizes takes sizes like 256M,1G,4G, not "${opt('sizes')}"`);
  process.exit(2);
}
const REPS = Math.max(1, Number.parseInt(opt('reps', '3'), 10));
const IF_SERVER = args.includes('--if-server');
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
const largest = SIZES.reduce((a, b) => (b.bytes > a.bytes ? b : a));
const needed = (2 * REPS * largest.bytes) / 0.9;
const SIZE_GB = Math.max(30, Math.ceil(needed / GiB));

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
    `the server of ${s3Dir} (${objectStore}, ${(capacity / GiB).toFixed(0)} GiB) is too small for ${REPS} runs at ${largest.label} (needs ~${Math.ceil(needed / GiB)} GiB)`,
    true,
  );
}

const runPrefix = `bench-${randomBytes(4).toString('hex')}`;
const base = mkdtempSync(join(opt('dir', tmpdir()), 'modelreg-s3-bench-'));
// Children see the test server's keys and nothing of the caller's AWS or MODELREG_S3_* configuration.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(AWS_|MODELREG_S3_)/.test(k)));
Object.assign(env, {
  AWS_ACCESS_KEY_ID: s3.accessKeyId,
  AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
  AWS_REGION: s3.region,
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  AWS_EC2_METADATA_DISABLED: 'true',
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
const run = (cmd, argv, cwd = base) => measure(cmd, argv, { cwd, env, label: argv.includes('-e') ? 'limit script' : undefined });

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

const mib = (b) => (b / MiB).toFixed(0);
const fmt = (ms) => (ms / 1000).toFixed(2);
const rows = [];
const t0 = Date.now();
const say = (msg) => process.stderr.write(`[${fmt(Date.now() - t0)}s] ${msg}\n`);
try {
  for (const [i, size] of SIZES.entries()) {
    // One registry per size, its store a prefix of its own in the test bucket.
    const prefix = `${runPrefix}/${size.label}`;
    const reg = join(base, `reg-${size.label}`);
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

    const file = join(base, `weights-${size.label}.safetensors`);
    say(`${size.label}: writing the test file…`);
    makeFile(file, size.bytes);
    spawnSync('sh', ['-c', `cat "${file}" > /dev/null`]); // same page-cache state for every reader

    // Each pair (modelreg, limit) runs REPS times, the order alternating from one run to the next (and
    // the first order from one size to the next), so drift in the server (its caches, RGW's garbage
    // collection of earlier objects) does not always favour the same side.
    const runs = [];
    let artifact;
    for (let r = 0; r < REPS; r++) {
      const modelregFirst = (r + i) % 2 === 0;
      const pair = async (a, b) => (modelregFirst ? [await a(), await b()] : [await b(), await a()].reverse());
      // Versions rise with each registration (modelreg refuses a lower one): run r registers r+1.0.0, then r+1.1.0.
      const version = `${r + 1}.0.0`;
      const againVersion = `${r + 1}.1.0`;
      if (artifact) await client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: keyOf(prefix, artifact.sha256) })); // else it would dedup
      const plainKey = `${prefix}/plain/${size.label}-${r}.bin`;
      say(`${size.label} run ${r + 1}/${REPS}: register / plain Upload (${modelregFirst ? 'modelreg first' : 'plain first'})…`);
      const [register, upload] = await pair(
        () => run(process.execPath, [BIN, 'register', 'bench', file, '--version', version, '--no-code', '--json'], reg),
        () => run(...node(PLAIN_UPLOAD, s3.bucket, plainKey, file)),
      );
      artifact = JSON.parse(register.out).artifacts[0];
      if (!artifact?.stored) oddities.push(`${size.label}: register ${version} did not upload the artifact`);
      const etag = JSON.parse(upload.out).etag;
      if (!etag) emptyEtag.add(size.label);
      await client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: plainKey })); // room for the next run

      say(`${size.label} run ${r + 1}/${REPS}: pull / plain GetObject…`);
      const pulled = join(base, 'pulled');
      const got = join(base, 'got.bin');
      const [pull, get] = await pair(
        () => run(process.execPath, [BIN, 'pull', `bench@${version}`, '-o', pulled, '--json'], reg),
        () => run(...node(PLAIN_GET, s3.bucket, keyOf(prefix, artifact.sha256), got)), // the very object pull reads
      );
      rmSync(pulled, { recursive: true, force: true });
      rmSync(got, { force: true });

      // The object of this run's register is in the store: registering the same bytes again finds it.
      say(`${size.label} run ${r + 1}/${REPS}: re-register (dedup) / sha256 of the file…`);
      const [again, hash] = await pair(
        () => run(process.execPath, [BIN, 'register', 'bench', file, '--version', againVersion, '--no-code', '--json'], reg),
        () => run(...node(PLAIN_HASH, '', '', file)),
      );
      const deduplicated = JSON.parse(again.out).artifacts.every((a) => !a.stored);
      if (!deduplicated) oddities.push(`${size.label}: re-register ${againVersion} uploaded the artifact again (not deduplicated)`);
      if (hash.out !== artifact.sha256) oddities.push(`${size.label}: the file's sha256 ${hash.out} is not the one register recorded (${artifact.sha256})`);

      for (const [who, x] of Object.entries({ register, 'plain Upload': upload, pull, 'plain GetObject': get, 're-register': again, sha256: hash }))
        noteStderr(`${size.label} ${who}`, x.err);
      runs.push({
        order: modelregFirst ? 'modelreg-first' : 'limit-first',
        register: register.ms,
        plainUpload: upload.ms,
        pull: pull.ms,
        plainGet: get.ms,
        reregister: again.ms,
        sha256: hash.ms,
        rssRegister: register.peak,
        rssPlainUpload: upload.peak,
        rssPull: pull.peak,
        rssPlainGet: get.peak,
        rssReregister: again.peak,
        rssSha256: hash.peak,
        deduplicated,
        plainUploadEtag: etag,
      });
    }
    rmSync(file, { force: true });
    const deleted = await deletePrefix(prefix);
    const med = (k) => median(runs.map((x) => x[k]));
    const peak = (k) => Math.max(...runs.map((x) => x[k]));
    rows.push({
      size: size.label,
      bytes: size.bytes,
      reps: REPS,
      register: med('register'),
      plainUpload: med('plainUpload'),
      pull: med('pull'),
      plainGet: med('plainGet'),
      reregister: med('reregister'),
      sha256: med('sha256'),
      rssRegister: peak('rssRegister'),
      rssPlainUpload: peak('rssPlainUpload'),
      rssPull: peak('rssPull'),
      rssPlainGet: peak('rssPlainGet'),
      rssReregister: peak('rssReregister'),
      rssSha256: peak('rssSha256'),
      objectsDeleted: deleted,
      runs,
    });
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
console.log(`S3 store, server ${s3.endpoint} (${objectStore}), part size ${mib(PART_SIZE)} MiB × ${QUEUE_SIZE} in flight; medians of ${REPS} run(s), seconds`);
print(
  [
    ['size', 'operation', 'limit', 'modelreg s', 'limit s', 'ratio'],
    ...rows.flatMap((r) => [
      [r.size, 'register', 'lib-storage Upload', fmt(r.register), fmt(r.plainUpload), ratio(r.register, r.plainUpload)],
      [r.size, 'pull', 'GetObject to a file', fmt(r.pull), fmt(r.plainGet), ratio(r.pull, r.plainGet)],
      [r.size, 're-register (dedup)', 'sha256 of the file', fmt(r.reregister), fmt(r.sha256), ratio(r.reregister, r.sha256)],
    ]),
  ],
  3,
);
console.log('\npeak RSS, MiB (the largest of the runs)');
print(
  [
    ['size', 'register', 're-register', 'pull', 'lib-storage Upload', 'GetObject', 'sha256'],
    ...rows.map((r) => [r.size, mib(r.rssRegister), mib(r.rssReregister), mib(r.rssPull), mib(r.rssPlainUpload), mib(r.rssPlainGet), mib(r.rssSha256)]),
  ],
  1,
);
const rate = (bytes, ms) => (bytes / MiB / (ms / 1000)).toFixed(0);
console.log(
  `\nthroughput, MiB/s: ${rows.map((r) => `${r.size} register ${rate(r.bytes, r.register)}, Upload ${rate(r.bytes, r.plainUpload)}, pull ${rate(r.bytes, r.pull)}, GetObject ${rate(r.bytes, r.plainGet)}, sha256 ${rate(r.bytes, r.sha256)}`).join('; ')}`,
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
