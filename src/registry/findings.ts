/**
 * Findings are what every check returns: plain data with a stable code, so that the CLI, the
 * pull-request action and tests all speak the same language. Codes never change meaning once
 * released; docs/findings.md is generated from FINDING_CODES.
 */
export type Severity = 'error' | 'warning' | 'notice';

export interface Finding {
  code: FindingCode;
  severity: Severity;
  message: string;
  /** Path relative to the registry root, posix separators. */
  file?: string;
  line?: number;
  column?: number;
  /** JSON pointer of the field concerned, e.g. /artifacts/0/sha256. */
  field?: string;
  hint?: string;
}

interface CodeInfo {
  severity: Severity;
  summary: string;
  hint?: string;
}

export const FINDING_CODES = {
  // Reading the tree
  'tree-symlink': {
    severity: 'error',
    summary: 'A symbolic link inside the registry; links are never followed.',
    hint: 'Replace the link with the file it points to.',
  },
  'tree-submodule': { severity: 'error', summary: 'A Git submodule inside the registry.', hint: 'Remove the submodule; a registry holds only manifests.' },
  'tree-unexpected-file': {
    severity: 'warning',
    summary: 'A file under models/ that is not part of the registry layout.',
    hint: 'Move or delete it; see docs/format.md for the layout.',
  },
  'tree-bad-extension': { severity: 'error', summary: 'A manifest with the .yml extension.', hint: 'Rename it to .yaml.' },
  'tree-oversize': {
    severity: 'error',
    summary: 'A manifest larger than the size limit.',
    hint: 'Manifests describe artifacts; they do not hold them. Split or shorten the file.',
  },
  'tree-missing-policy': { severity: 'error', summary: 'registry.yaml is missing.', hint: 'Run `modelreg init` or restore registry.yaml.' },
  // YAML
  'yaml-syntax': { severity: 'error', summary: 'The file is not valid YAML.' },
  'yaml-duplicate-key': { severity: 'error', summary: 'A mapping has the same key twice.', hint: 'Keep one of them.' },
  'yaml-multiple-documents': {
    severity: 'error',
    summary: 'More than one YAML document in a file.',
    hint: 'Keep one document per file; remove the extra `---`.',
  },
  'yaml-empty': { severity: 'error', summary: 'The file holds no YAML document.' },
  'yaml-alias': { severity: 'error', summary: 'Anchors, aliases and merge keys are not allowed.', hint: 'Write the value out in full.' },
  'yaml-tag': {
    severity: 'error',
    summary: 'An explicit or unknown YAML tag.',
    hint: 'Remove the tag; manifests use plain strings, numbers, booleans, lists and mappings.',
  },
  'yaml-directive': {
    severity: 'error',
    summary: 'A %YAML or %TAG directive other than %YAML 1.2.',
    hint: 'Remove the directive; manifests are read as YAML 1.2.',
  },
  'yaml-key': { severity: 'error', summary: 'A mapping key that is not a plain string, or one that is reserved.', hint: 'Use a plain string key.' },
  'yaml-number': {
    severity: 'error',
    summary: 'A number that cannot be represented exactly, or is not finite.',
    hint: 'Use a finite number within ±2^53, or quote it as a string where a string is allowed.',
  },
  'yaml-control': {
    severity: 'error',
    summary: 'A control character or bidirectional mark in a string or key (terminal escapes, carriage returns, text-direction overrides).',
    hint: 'Remove it; only tabs and line breaks are kept in manifest text.',
  },
  'yaml-limits': { severity: 'error', summary: 'The document nests too deeply or has too many nodes.' },
  'yaml-1.1': {
    severity: 'warning',
    summary:
      'A plain value or key that YAML 1.1 readers (PyYAML, used by most Python pipelines) read as another type or number than YAML 1.2 does: a date or timestamp, yes/no/on/off, a base-60 or octal-looking number, an exponent without a dot.',
    hint: 'Quote it ("2026-12-01T07:52:25Z", "yes") so every reader gets the same string; modelreg writes its own manifests that way.',
  },
  // Schema
  schema: { severity: 'error', summary: 'A field does not match the schema of its file kind.' },
  // Consistency within one snapshot
  'name-invalid': {
    severity: 'error',
    summary: 'A model, stage or file name is not path-safe.',
    hint: 'Use lowercase letters, digits, ".", "_" and "-", starting with a letter or digit.',
  },
  'name-case-collision': {
    severity: 'error',
    summary: 'Two paths differ only by letter case.',
    hint: 'Rename one; case-insensitive file systems cannot hold both.',
  },
  'name-mismatch': { severity: 'error', summary: 'A field disagrees with the path of its file.' },
  'version-invalid': { severity: 'error', summary: 'A version is not valid semantic versioning without build metadata.' },
  'model-missing': { severity: 'error', summary: 'Versions or stages exist for a model without models/<name>/model.yaml.' },
  'stage-unknown': { severity: 'error', summary: 'A stage file names a stage that registry.yaml does not define.' },
  'stage-dangling': { severity: 'error', summary: 'A stage names a version that does not exist.' },
  'stage-deprecated': { severity: 'error', summary: 'A stage is held by a deprecated version.', hint: 'Promote another version or undeprecate this one.' },
  'stage-previous-dangling': { severity: 'warning', summary: 'A stage names a previous holder that does not exist.' },
  'split-weights': {
    severity: 'error',
    summary: 'The weighted arms of a split stage do not sum to 100 (each weight is a whole percentage from 1 to 100).',
    hint: 'Make the weights add up to 100; `modelreg promote <model>@<version> <stage> --weight N` writes them.',
  },
  'split-holder': {
    severity: 'error',
    summary: "The main holder of a split stage (its `version`) is not the split's last weighted arm, which the assignment rule needs it to be.",
    hint: 'List the arms in the order they joined the split with the main holder last (docs/assignment.md).',
  },
  'split-arm': {
    severity: 'error',
    summary: 'An arm of a split is not what an arm may be: a version named twice, a shadow with a weight, or a weighted arm without one.',
    hint: 'Name each version once; a shadow has `shadow: true` and no weight, every other arm a weight.',
  },
  'split-forbidden': {
    severity: 'error',
    summary: 'A stage is split, and the policy says that stage is never split (`split: false`).',
    hint: 'Give the stage one holder: roll back to end the split, or promote without --weight.',
  },
  'lineage-dangling': { severity: 'error', summary: 'A lineage parent names a model version that does not exist.' },
  'lineage-cycle': { severity: 'error', summary: 'The lineage graph has a cycle.' },
  'lineage-duplicate': { severity: 'error', summary: 'A version names the same lineage parent twice.', hint: 'Name each parent once.' },
  'url-credentials': {
    severity: 'error',
    summary:
      'A URL in a manifest carries a credential: user info (a token or password) or the signature of a presigned S3, GCS or Azure URL. Once merged it is in Git forever.',
    hint: 'Record the URL without it, and revoke the secret.',
  },
  'artifact-path': { severity: 'error', summary: 'An artifact path is not a safe relative path, or is repeated.' },
  'governance-unread': {
    severity: 'warning',
    summary:
      'The registry is in a subdirectory of its repository and its gate workflow or CODEOWNERS is where GitHub does not read it (only the top .github/workflows/; CODEOWNERS in .github/, the top or docs/), or no workflow at the top runs the gate for it.',
    hint: "Put the workflow and the code-owner lines at the top of the repository, with the registry's path in registry-path and in every pattern.",
  },
  'policy-invalid': { severity: 'error', summary: 'registry.yaml is inconsistent (unknown stage in `from`, repeated stage, ...).' },
  // Rules between a base and a head
  'version-immutable': {
    severity: 'error',
    summary: 'A merged version file was modified or deleted.',
    hint: 'Register a new version instead; only the `deprecated` mark may change.',
  },
  'policy-changed': {
    severity: 'warning',
    summary: 'registry.yaml changed; this change is judged by the base policy.',
    hint: 'Merge policy changes on their own, before changes that rely on them.',
  },
  'policy-unavailable': {
    severity: 'error',
    summary: 'The base has no valid registry.yaml, so a stage move cannot be judged; it fails closed.',
    hint: 'Fix registry.yaml in a change of its own first, then promote.',
  },
  'stage-order': { severity: 'error', summary: 'A promotion skips the stage order of the base policy.' },
  'stage-previous-mismatch': {
    severity: 'error',
    summary: 'A stage file records a previous holder other than the one in the base.',
    hint: 'Set `previous` to the version that held the stage in the base.',
  },
  'stage-removed': { severity: 'notice', summary: 'A stage assignment was removed (it needs the approvals of that stage, as entering it does).' },
  'stage-emptied': {
    severity: 'error',
    summary: 'A stage the base policy marks never_empty would be left without a holder.',
    hint: 'Promote another version to it, or roll it back.',
  },
  'stage-rewritten': {
    severity: 'error',
    summary: 'A stage file changed while its holder did not: who moved it, when and why are written only by the move itself.',
    hint: 'Restore the file as the base has it; promote or roll back to record a new move.',
  },
  'stage-provenance': {
    severity: 'error',
    summary:
      "A stage file records someone else, or a later time, than the commit that wrote it: moved_by must be the commit's author, and moved_at not after the commit.",
    hint: 'Let `modelreg promote` or `rollback` write the file, or set moved_by to your Git identity and moved_at to now.',
  },
  'gate-metric': { severity: 'error', summary: 'A metric threshold of the target stage does not hold.' },
  'split-move': {
    severity: 'error',
    summary: 'More than one version gains weight (or a place as a shadow) in one change to a split, so no one version can be judged by the gates.',
    hint: "Change one version's share at a time: `modelreg promote <model>@<version> <stage> --weight N`.",
  },
  'split-step': {
    severity: 'error',
    summary: "A version's weight grows by more than the stage's `split.max_step` in one change (entering a held stage outright grows it from 0 to 100).",
    hint: 'Ramp up in smaller steps: `modelreg promote <model>@<version> <stage> --weight N`.',
  },
  'split-soak': {
    severity: 'error',
    summary:
      "A version's weight grows before it has held its current weight for the stage's `split.soak`, counted from the base's last change of the stage file.",
    hint: 'Wait, then run the check again; lowering a weight or ending the split (rollback) needs no soak.',
  },
  'gate-regression': { severity: 'error', summary: 'The candidate regresses a metric against the current holder of the stage.' },
  'gate-tag': { severity: 'error', summary: 'A tag required by the target stage is missing or has another value.' },
  'gate-lineage': { severity: 'error', summary: 'A lineage field required by the target stage is missing.' },
  'gate-deprecated': { severity: 'error', summary: 'A deprecated version cannot be promoted.' },
  'gate-approvals-pending': {
    severity: 'notice',
    summary: 'The change needs pull-request approvals that only the pull-request check can judge (validate --base/--head cannot).',
    hint: 'Open the pull request; the check asks GitHub who approved its head commit.',
  },
  'gate-approvals': {
    severity: 'error',
    summary: 'The target stage needs more approvals of the head commit from the people its policy names.',
    hint: "Ask a reviewer the policy names to approve the latest commit; approvals of earlier commits and the author's own do not count.",
  },
  // Checks the pull-request action adds
  'merge-conflict': {
    severity: 'error',
    summary: 'The pull request does not merge cleanly into its base, so its result cannot be judged.',
    hint: 'Rebase or merge the base branch into the pull request.',
  },
  'artifact-missing': {
    severity: 'error',
    summary: 'A version the change adds names an artifact that is not in the store.',
    hint: 'Upload the artifacts first: `modelreg register` stores them before it writes the manifest.',
  },
  'artifact-size': {
    severity: 'error',
    summary: 'An artifact in the store has another size (or recorded hash) than its manifest says.',
    hint: 'The manifest or the stored object is wrong; re-register the files.',
  },
  'artifact-unchecked': {
    severity: 'warning',
    summary: 'The artifacts of a changed version could not be checked against the store.',
    hint: 'Give the job access to the store (for S3: credentials through the AWS default chain, e.g. OIDC).',
  },
} as const satisfies Record<string, CodeInfo>;

export type FindingCode = keyof typeof FINDING_CODES;

export function finding(code: FindingCode, message: string, at: Omit<Finding, 'code' | 'severity' | 'message'> & { severity?: Severity } = {}): Finding {
  const info: CodeInfo = FINDING_CODES[code];
  const f: Finding = { code, severity: at.severity ?? info.severity, message };
  if (at.file !== undefined) f.file = at.file;
  if (at.line !== undefined) f.line = at.line;
  if (at.column !== undefined) f.column = at.column;
  if (at.field !== undefined) f.field = at.field;
  const hint = at.hint ?? info.hint;
  if (hint !== undefined) f.hint = hint;
  return f;
}

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, notice: 2 };

/** Stable order: by file, line, column, then severity and code — so reports diff cleanly. */
export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      (a.file ?? '').localeCompare(b.file ?? '') ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0) ||
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      a.code.localeCompare(b.code),
  );
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}

/** file:line:column — the form editors and terminals make clickable. */
export function formatLocation(f: Pick<Finding, 'file' | 'line' | 'column'>): string {
  if (f.file === undefined) return '';
  if (f.line === undefined) return f.file;
  return `${f.file}:${f.line}${f.column !== undefined ? `:${f.column}` : ''}`;
}
