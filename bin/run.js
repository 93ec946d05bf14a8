#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';

// Whole-registry commands allocate hundreds of thousands of small objects; a larger young generation
// halves the scavenges (measured: `list` at 10k models 4.5 → 3.9 s). Commands that read little never
// grow into it, so it costs them nothing.
setFlagsFromString('--max-semi-space-size=32');

// The AWS SDK warns, on every command that touches S3 under Node 20, that its releases after early
// January 2027 will need Node 22. That is for whoever picks the SDK's version (we pin it: see
// docs/architecture.md, Toolchain), not for someone registering a model; the CLI does not print it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// `resolve`, the command deploy pipelines run on every deploy, is answered without loading oclif when
// its arguments are the common ones (src/cli/fast-path.ts); everything else, help and errors included,
// goes to oclif. MODELREG_NO_FAST_PATH=1 sends everything to oclif (the tests compare the two).
const fast = process.argv[2] === 'resolve' && !process.env.MODELREG_NO_FAST_PATH && (await import('../dist/src/cli/fast-path.js')).runFast;
if (!fast || !(await fast(process.argv.slice(2)))) {
  const { execute } = await import('@oclif/core');
  await execute({ dir: import.meta.url });
}
