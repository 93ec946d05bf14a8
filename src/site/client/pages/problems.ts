/** Files the site could not use: parse and schema findings, and what it left out. `modelreg validate` checks the rest. */
import type { SiteMeta } from '../../types.js';
import { loadProblems } from '../data.js';
import { h, table } from '../dom.js';
import type { View } from '../parts.js';

export async function problemsPage(meta: SiteMeta): Promise<View> {
  const p = await loadProblems();
  return {
    title: 'Problems',
    body: h(
      'div',
      null,
      h('h1', { tabindex: -1 }, 'Problems'),
      p.total === 0
        ? h('p', null, 'Every manifest could be read.')
        : [
            h(
              'p',
              null,
              `${p.total} finding${p.total === 1 ? '' : 's'} from reading the registry${p.total > p.findings.length ? ` (the first ${p.findings.length} shown)` : ''}. Files with errors are left out of the other pages. Run `,
              h('code', null, 'modelreg validate'),
              ` for every check, with hints.`,
            ),
            table(
              null,
              ['File', 'Line', 'Severity', 'Code', 'Message'],
              p.findings.map((f) => [h('th', { scope: 'row' }, h('code', null, f.file ?? '')), f.line ?? '', f.severity, h('code', null, f.code), f.message]),
              { class: 'problems', id: 'problems-table', aria: { label: 'Problems' } },
            ),
          ],
      h('p', { class: 'note' }, `Built from ${meta.revision.label}.`),
    ),
  };
}
