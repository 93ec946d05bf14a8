import { Flags } from '@oclif/core';
import { BaseCommand, atFlag } from '../cli/base.js';
import { validateRevisions } from '../api/registry.js';
import type { Finding } from '../registry/findings.js';

export default class Validate extends BaseCommand {
  static override summary = 'Check the registry: schemas, consistency, and with --base the rules a pull request is judged by.';
  static override description = `Without --base: every manifest of the work tree (or --at <rev>) against its schema and the consistency rules.
With --base: the change from --base to --head (default: the work tree) exactly as the pull-request action judges it — immutability, stage order, the gates of the base policy, and the bytes of every version the change adds or moves into a stage looked up in the store (MODELREG_STORE, else the base policy's); approvals, which only the pull request can give, are listed.
Exits 1 when there is an error.`;
  static override examples = [
    '<%= config.bin %> validate',
    '<%= config.bin %> validate --at main',
    '<%= config.bin %> validate --base origin/main --head HEAD',
    '<%= config.bin %> validate --base main --json',
  ];
  static override flags = {
    at: atFlag,
    base: Flags.string({ description: 'Judge the change from this revision (the policy comes from here).', helpValue: '<rev>', exclusive: ['at'] }),
    head: Flags.string({ description: 'The revision to judge (default: the work tree).', helpValue: '<rev>', dependsOn: ['base'] }),
  };

  async run() {
    const { flags } = await this.parse(Validate);
    let findings: Finding[];
    let json: Record<string, unknown>;
    if (flags.base) {
      const r = await validateRevisions({ ...(flags.registry ? { dir: flags.registry } : {}), base: flags.base, ...(flags.head ? { head: flags.head } : {}) });
      findings = r.findings;
      json = { ok: r.ok, base: r.base, head: r.head, checked: r.checked, ...counts(findings), findings, change: r.change };
    } else {
      const reg = await this.openRegistry(flags);
      const r = await reg.validate();
      findings = r.findings;
      json = { ok: r.ok, ...counts(findings), models: r.models, versions: r.versions, findings };
    }
    this.printFindings(findings);
    const c = counts(findings);
    const what = flags.base ? `change ${flags.base}..${flags.head ?? 'work tree'}` : `registry (${json.models} models, ${json.versions} versions)`;
    this.print(
      c.errors ? `✗ ${what}: ${c.errors} error(s), ${c.warnings} warning(s)\n` : `✓ ${what} is valid${c.warnings ? ` (${c.warnings} warning(s))` : ''}\n`,
    );
    if (!json.ok) this.failWith(1);
    return json;
  }
}

function counts(findings: Finding[]): { errors: number; warnings: number } {
  return { errors: findings.filter((f) => f.severity === 'error').length, warnings: findings.filter((f) => f.severity === 'warning').length };
}
