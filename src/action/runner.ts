/**
 * The GitHub Actions runner's side of the contract, written out rather than taken from @actions/core
 * (a handful of file appends; one dependency fewer in the bundle): inputs from INPUT_* variables,
 * outputs and the job summary appended to the files the runner names, commands on stdout.
 */
import { appendFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { commandData, logLine } from '../review/escape.js';

export class Runner {
  constructor(
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly out: (text: string) => void = (t) => void process.stdout.write(t),
  ) {}

  /** An input as the runner passes it: INPUT_<NAME>, spaces as underscores, upper case, hyphens kept. */
  input(name: string, fallback = ''): string {
    return (this.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim() || fallback;
  }

  /** A multi-line-safe output: name<<delimiter, with a delimiter the value cannot contain. */
  output(name: string, value: string): void {
    const file = this.env.GITHUB_OUTPUT;
    if (!file) {
      this.log(`output ${name}: ${value.length > 200 ? `${value.slice(0, 200)}…` : value}`);
      return;
    }
    let delimiter = `ghadelimiter_${randomUUID()}`;
    while (value.includes(delimiter)) delimiter = `ghadelimiter_${randomUUID()}`;
    appendFileSync(file, `${name}<<${delimiter}\n${value}\n${delimiter}\n`);
  }

  summary(markdown: string): void {
    const file = this.env.GITHUB_STEP_SUMMARY;
    if (file) appendFileSync(file, markdown.endsWith('\n') ? markdown : `${markdown}\n`);
  }

  /** A line of the log; text from a pull request can never become a command this way. */
  log(text: string): void {
    this.out(`${logLine(text)}\n`);
  }

  /** A workflow command already built from escaped parts (see escape.ts and render.ts). */
  command(line: string): void {
    this.out(`${line}\n`);
  }

  warning(text: string): void {
    this.command(`::warning title=modelreg::${commandData(text)}`);
  }

  error(text: string): void {
    this.command(`::error title=modelreg::${commandData(text)}`);
  }
}
