/**
 * Errors that reach the user: a stable code, where (file, line), and what to do. The CLI prints
 * `error[code]: message` then the hint, and exits with `exitCode` (1 rejected input, 2 usage).
 */
export type ErrorCode =
  | 'ref-invalid'
  | 'ref-not-found'
  | 'model-not-found'
  | 'version-not-found'
  | 'stage-not-held'
  | 'no-latest'
  | 'registry-not-found'
  | 'registry-invalid'
  | 'revision-not-found'
  | 'git-failed'
  | 'git-missing'
  | 'artifact-missing'
  | 'artifact-corrupt'
  | 'artifact-changed'
  | 'artifact-unreadable'
  | 'store-full'
  | 'store-unavailable'
  | 'conflict'
  | 'rejected'
  | 'push-rejected'
  | 'dirty-worktree'
  | 'source-unavailable'
  /** A remote read (--remote) could not reach the remote, or it went away midway. */
  | 'remote-unavailable'
  /** The remote does not allow what a read without a clone needs (partial fetches). */
  | 'remote-unsupported'
  | 'source-invalid'
  | 'stage-not-found'
  /** The command line is right, but the state it runs in is not: a detached HEAD, no remote, no identity, … */
  | 'precondition'
  /** A wrong command line: an unknown flag, a missing argument, a value of the wrong form. Exit code 2. */
  | 'output-refused'
  | 'usage';

export class ModelregError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  readonly file?: string;
  readonly line?: number;
  readonly exitCode: number;

  constructor(code: ErrorCode, message: string, options: { hint?: string; file?: string; line?: number; exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ModelregError';
    this.code = code;
    if (options.hint !== undefined) this.hint = options.hint;
    if (options.file !== undefined) this.file = options.file;
    if (options.line !== undefined) this.line = options.line;
    this.exitCode = options.exitCode ?? (code === 'usage' || code === 'ref-invalid' ? 2 : 1);
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, hint: this.hint, file: this.file, line: this.line };
  }
}

/** The one way to say a model is not in the registry (references, plans and the API alike). */
export function modelNotFound(model: string): ModelregError {
  return new ModelregError('model-not-found', `no model named "${model}"`, { hint: 'Run `modelreg list` to see the models.' });
}
