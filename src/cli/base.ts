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
      this.print(process.stderr, `error[usage]: ${usageMessage(err.message)}\n  hint: see \`modelreg ${this.id?.replace(/:/g, ' ') ?? ''} --help\`\n`);
      this.exit(err.oclif?.exit === 1 ? 1 : 2);
    }
    return super.catch(err);
  }
}

/**
 * oclif's parse errors say the essential part after the first line (which argument is missing, with its
 * description; which values a flag allows): keep every line but oclif's own pointer to --help, which the
 * hint replaces, and its note that repeatable flags must come after the arguments — ours take one value
 * each (cli/flags.ts `repeatable`), so they may come anywhere.
 */
export function usageMessage(message: string): string {
  const noise = [/^See more help with --help$/i, /^Note: .* allow multiple values\./, /^Alternatively, you can use "--" to signify the end of the flags/];
  const lines = message.split('\n').map((l) => l.trim()).filter((l) => l && !noise.some((n) => n.test(l)));
  return lines.join('\n  ');
}

export { atFlag, keyValues, storeFlag } from './flags.js';
