/**
 * What every command shares: --registry, --at and --json; one way to print findings and errors; exit
 * codes 0 (fine), 1 (rejected input or failed check), 2 (usage).
 */
import { Command, Flags, Errors } from '@oclif/core';
import { ModelregError } from '../registry/errors.js';
import type { Registry } from '../api/registry.js';
import type { Finding } from '../registry/findings.js';
import { findingsText, printError } from './report.js';
import { openRegistry, type RegistryFlags } from './registry-flags.js';
import { jsonText, printable } from './terminal.js';

export abstract class BaseCommand extends Command {
  static override baseFlags = {
    json: Flags.boolean({ description: 'Print machine-readable JSON (shape documented in docs/cli.md).', default: false }),
    registry: Flags.string({ char: 'r', description: 'Registry directory (default: MODELREG_REGISTRY, else the nearest directory upward with registry.yaml).', helpValue: '<dir>' }),
  };

  protected jsonMode = false;

  protected openRegistry(flags: RegistryFlags): Promise<Registry> {
    return openRegistry(flags);
  }

  protected printJson(value: unknown): void {
    process.stdout.write(jsonText(value) + '\n');
  }

  /** Human output, to stdout unless a stream is named; what manifests say is made safe for a terminal (cli/terminal.ts). */
  protected print(text: string): void;
  protected print(stream: NodeJS.WritableStream, text: string): void;
  protected print(a: string | NodeJS.WritableStream, b?: string): void {
    const [stream, text] = typeof a === 'string' ? [process.stdout, a] : [a, b!];
    stream.write(printable(text));
  }

  protected printFindings(findings: readonly Finding[], out: NodeJS.WritableStream = process.stdout): void {
    this.print(out, findingsText(findings));
  }

  protected override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    if (err instanceof ModelregError) {
      printError(err, this.jsonMode);
      this.exit(err.exitCode);
    }
    // oclif's own parse errors (unknown flag, missing argument) are usage errors: exit 2.
    if (err instanceof Errors.CLIError && !(err instanceof Errors.ExitError)) {
      this.print(process.stderr, `error[usage]: ${err.message.split('\n')[0]}\n  hint: see \`modelreg ${this.id?.replace(/:/g, ' ') ?? ''} --help\`\n`);
      this.exit(err.oclif?.exit === 1 ? 1 : 2);
    }
    return super.catch(err);
  }
}

export const atFlag = Flags.string({ description: 'Read the registry at this Git revision (commit, branch or tag) instead of the work tree.', helpValue: '<rev>' });

/** Parse repeated k=v flags into a record, refusing malformed pairs as a usage error. */
export function keyValues(pairs: string[] | undefined, flag: string): Record<string, string> | undefined {
  if (!pairs || pairs.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new ModelregError('usage', `--${flag} expects key=value, got "${p}"`);
    Object.defineProperty(out, p.slice(0, eq), { value: p.slice(eq + 1), enumerable: true });
  }
  return out;
}
