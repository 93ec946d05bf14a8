import { Flags } from '@oclif/core';
import { BaseCommand, atFlag } from '../cli/base.js';
import { bytes } from '../cli/progress.js';
import { ModelregError } from '../registry/errors.js';
import { buildSite } from '../site/build.js';

export default class Site extends BaseCommand {
  static override summary = 'Write a static registry browser: every model, version, stage and its history.';
  static override description = [
    'Pages for the overview (search, filters, sort), each model (card, versions, metric charts, stage timeline), each version (manifest, artifacts, lineage graph, gates), comparing versions, and the history, from the registry at a revision (default: the work tree) and its git log.',
    'The site is plain files: open index.html from the disk, or serve the directory from any static host (GitHub Pages, an S3 website, nginx). Nothing is fetched from the network; a Content-Security-Policy forbids inline script and other origins.',
    'Run it again into the same directory to update it: only files whose facts changed are rewritten. The directory must be new, empty, or a site modelreg wrote before. See docs/site.md.',
  ].join('\n\n');
  static override examples = [
    '<%= config.bin %> site',
    '<%= config.bin %> site -o _site --base-url https://acme.github.io/registry/',
    '<%= config.bin %> site --at v2026.11 -o /tmp/registry-site --json',
  ];
  static override flags = {
    at: atFlag,
    output: Flags.string({
      char: 'o',
      description: 'Directory to write the site to: new, empty, or a site written before.',
      default: '_site',
      helpValue: '<dir>',
    }),
    'base-url': Flags.string({
      description: 'Where the site will be served (a URL or a path like /registry/), for shared links and the not-found page.',
      helpValue: '<url>',
    }),
  };

  async run() {
    const { flags } = await this.parse(Site);
    const base = flags['base-url'];
    if (base !== undefined && !/^(https?:\/\/[^\s"'<>]+|\/[^\s"'<>]*)$/.test(base)) {
      throw new ModelregError('usage', `--base-url must be an http(s) URL or a path starting with /, got "${base}"`);
    }
    const reg = await this.openRegistry(flags);
    const r = await buildSite(reg, {
      out: flags.output,
      baseUrl: base ?? null,
      progress: this.progress(),
      ...(process.env.GITHUB_SERVER_URL ? { serverUrl: process.env.GITHUB_SERVER_URL } : {}),
    });
    const what = r.fresh ? 'Wrote' : r.written.length === 0 && r.removed.length === 0 ? 'Nothing changed in' : 'Updated';
    this.print(
      `${what} the registry browser in ${r.out}: ${r.models} models, ${r.versions} versions, ${r.events} history events; ${r.files} files, ${bytes(r.bytes)}.\n`,
    );
    if (!r.fresh) this.print(`${r.written.length} file(s) written, ${r.removed.length} removed, ${r.unchanged} unchanged.\n`);
    if (r.problems > 0)
      this.print(
        process.stderr,
        `warning: ${r.problems} finding(s) from reading the registry; files with errors are left out (see the Problems page, or run \`modelreg validate\`)\n`,
      );
    this.print(
      `Open ${r.index}${r.url ? `\nServed at ${r.url}` : ''}\nPreview over HTTP: python3 -m http.server -d ${JSON.stringify(r.out)} 8000 (then http://127.0.0.1:8000/)\n`,
    );
    return r;
  }
}
