/**
 * What every command shares: --registry, --at and --json; one way to print findings and errors; exit
 * codes 0 (fine), 1 (rejected input or failed check), 2 (usage).
 *
 * A command returns its result and prints its human text with `print`; the base class owns --json
 * (oclif's enableJsonFlag): with it, the returned result is printed through `jsonText` — the shape
 * docs/cli.md documents — and human text is not, so no command branches on the flag.
 */
import { Command, Flags, Errors } from '@oclif/core';
import { ModelregError } from '../registry/errors.js';
import type { Registry } from '../api/registry.js';
import type { Finding } from '../registry/findings.js';
import { findingsText, printError } from './report.js';
import { openRegistry, type RegistryFlags } from './registry-flags.js';
import { jsonText, printable } from './terminal.js';
import { progressReporter, type ProgressReporter } from './progress.js';

export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true;
  static override baseFlags = {
    json: Flags.boolean({ description: 'Print machine-readable JSON (shape documented in docs/cli.md).', default: false }),
    registry: Flags.string({
      char: 'r',
      description: 'Registry directory (default: MODELREG_REGISTRY, else the nearest directory upward with registry.yaml).',
      helpValue: '<dir>',
    }),
  };

  protected openRegistry(flags: RegistryFlags): Promise<Registry> {
    return openRegistry(flags);
  }

  /** The result a command returns, as --json prints it (oclif calls this after `run`). */
  override logJson(json: unknown): void {
    process.stdout.write(jsonText(json) + '\n');
  }

  /** Human output, to stdout unless a stream is named; nothing with --json. What manifests say is made safe for a terminal (cli/terminal.ts). */
  protected print(text: string): void;
  protected print(stream: NodeJS.WritableStream, text: string): void;
  protected print(a: string | NodeJS.WritableStream, b?: string): void {
    if (!this.jsonEnabled()) this.write(a, b);
  }

  /** A warning or note on stderr that holds with --json too (what was left out, what was changed on the way in). */
  protected notice(text: string): void {
    this.write(process.stderr, text);
  }

  /** Progress of long work on stderr, silent with --json (cli/progress.ts says when else). */
  protected progress(): ProgressReporter {
    return progressReporter(!this.jsonEnabled());
  }

  /**
   * The exit code once the result is printed: a failed check still prints what it found (as text or
   * JSON), so it cannot end the command by throwing.
   */
  protected failWith(code: number): void {
    process.exitCode = code;
  }

  /** An error no one foresaw, with --json: what it says, in the shape of every other error (oclif then sets exit code 1). */
  override toErrorJson(err: unknown): { error: Record<string, unknown> } {
    return { error: { code: 'internal', message: err instanceof Error ? err.message : String(err) } };
  }

  private write(a: string | NodeJS.WritableStream, b?: string): void {
    const [stream, text] = typeof a === 'string' ? [process.stdout, a] : [a, b!];
    stream.write(printable(text));
  }

  protected printFindings(findings: readonly Finding[], out: NodeJS.WritableStream = process.stdout): void {
    this.print(out, findingsText(findings));
  }

  protected override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    if (err instanceof ModelregError) {
      printError(err, this.jsonEnabled());
      this.exit(err.exitCode);
    }
    // oclif's own parse errors (unknown flag, missing argument) are usage errors: exit 2.
    if (err instanceof Errors.CLIError && !(err instanceof Errors.ExitError)) {
      this.notice(`error[usage]: ${usageMessage(err.message)}\n  hint: see \`modelreg ${this.id?.replace(/:/g, ' ') ?? ''} --help\`\n`);
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
  const lines = message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !noise.some((n) => n.test(l)));
  return lines.join('\n  ');
}

export { atFlag, keyValues, remoteFlag, storeFlag } from './flags.js';
