/**
 * `resolve` without oclif. Deploy pipelines run `modelreg resolve name@stage` on every deploy, and
 * importing @oclif/core alone takes longer than the answer (~75 ms of a ~160 ms `--version`, against ~8 ms
 * to resolve from the cache). bin/run.js sends `resolve` here first; the common invocations (a reference,
 * --json, -r/--registry, --remote, --at, --store, --prerelease) are parsed with node:util's parseArgs and answered
 * by the same code as the oclif command (cli/resolve-output.ts). Anything else — --help, --presign, an
 * unknown flag, a missing argument — returns false and goes to oclif, which owns help and usage errors.
 */
import { parseArgs } from 'node:util';
import { ModelregError } from '../registry/errors.js';
import { printError } from './report.js';
import { resolveResult, resolveText } from './resolve-output.js';
import { jsonText, printable } from './terminal.js';

export async function runFast(argv: readonly string[]): Promise<boolean> {
  if (argv[0] !== 'resolve') return false;
  let parsed;
  try {
    parsed = parseArgs({
      args: argv.slice(1),
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean' },
        registry: { type: 'string', short: 'r' },
        at: { type: 'string' },
        store: { type: 'string' },
        remote: { type: 'string' },
        prerelease: { type: 'boolean' },
      },
    });
  } catch {
    return false;
  }
  // Both --registry and --remote is a usage error, which oclif words.
  if (parsed.positionals.length !== 1 || (parsed.values.registry !== undefined && parsed.values.remote !== undefined)) return false;
  const flags = parsed.values;
  try {
    const r = await resolveResult(parsed.positionals[0]!, flags);
    process.stdout.write(flags.json ? jsonText(r) + '\n' : printable(resolveText(r)));
  } catch (e) {
    if (!(e instanceof ModelregError)) throw e;
    printError(e, !!flags.json);
    process.exitCode = e.exitCode;
  }
  return true;
}
