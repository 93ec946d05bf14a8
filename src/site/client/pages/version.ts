/**
 * A version: every field of its manifest, its artifacts with their store URIs, its lineage as a graph,
 * and what each stage's gates would say of promoting it now.
 */
import { nodeId } from '../../../registry/lineage.js';
import type { SiteMeta } from '../../types.js';
import { bytes, httpUrl, num, scalar } from '../../view/format.js';
import { gitFacts, orderedStages } from '../../view/model.js';
import { compareHref } from '../../view/routes.js';
import { artifactRows, neighbourhood, versionGates } from '../../view/version.js';
import { isPrerelease } from '../../../registry/versions.js';
import { badge, h, section, table, type Child } from '../dom.js';
import { lineageGraph } from '../graph.js';
import { markdown } from '../markdown.js';
import { breadcrumb, date, definitions, modelLink, modelOrNotFound, notFound, stageBadges, stageNames, versionLink, whoOf, type View } from '../parts.js';
import { attribute } from '../../../registry/provenance.js';

export async function versionPage(name: string, version: string, meta: SiteMeta): Promise<View> {
  const data = await modelOrNotFound(name);
  if (!('local' in data)) return data;
  const { local } = data;
  const v = local.versions.find((x) => x.version === version);
  if (!v) return notFound(`${name} has no version ${version}.`, 'See the model’s page for its versions.');
  // Who and when from the commits; what the manifest says beside, where it differs.
  const facts = gitFacts(data.history);
  const registered = attribute(facts.registered.get(version), { by: v.created_by, at: v.created_at });
  const deprecated = v.deprecated ? attribute(facts.deprecated.get(version), { by: v.deprecated.by, at: v.deprecated.at }) : undefined;
  const stages = orderedStages(
    stageNames(meta),
    local.stages.map((s) => s.stage),
  );
  const held = local.stages.filter((s) => s.version === version).map((s) => s.stage);
  const id = nodeId(name, version);
  const around = neighbourhood(data.lineage, id);
  const parents = around.edges.filter((e) => e.child === id);
  const children = around.edges.filter((e) => e.parent === id);
  const ref = (node: string) => {
    const at = node.lastIndexOf('@');
    return versionLink(node.slice(0, at), node.slice(at + 1), node);
  };
  const gates = meta.policy ? versionGates(meta.policy, local, v) : [];
  const holders = local.stages.filter((s) => s.version !== version);
  const lin = v.lineage ?? {};

  const kv = (title: string, id: string, obj: Record<string, unknown> | undefined, fmt: (x: unknown) => string = scalar) =>
    obj && Object.keys(obj).length
      ? section(
          title,
          id,
          table(
            null,
            ['Name', 'Value'],
            Object.entries(obj)
              .sort(([a], [b]) => (a < b ? -1 : 1))
              .map(([k, x]) => [h('th', { scope: 'row' }, k), h('td', { class: typeof x === 'number' ? 'num' : '' }, fmt(x))]),
            { aria: { label: title } },
          ),
        )
      : null;

  const body = h(
    'div',
    null,
    breadcrumb(h('a', { href: '#/' }, 'Models'), modelLink(name), h('span', { aria: { current: 'page' } }, version)),
    h(
      'h1',
      { tabindex: -1 },
      `${name}@${version} `,
      stageBadges(held, stages),
      v.deprecated ? badge('deprecated', 'deprecated') : null,
      isPrerelease(version) ? badge('pre-release', 'pre') : null,
    ),
    v.description ? markdown(v.description, 'prose lead') : null,
    definitions([
      ['Framework', v.framework ?? ''],
      ['Type', v.type ?? ''],
      ['Registered', [date(registered.at), ' by ', whoOf(registered)]],
      ['Deprecated', v.deprecated && deprecated ? [date(deprecated.at), ' by ', whoOf(deprecated), v.deprecated.reason ? `: ${v.deprecated.reason}` : ''] : ''],
      ['Stages', held.length ? stageBadges(held, stages) : 'none'],
    ]),
    holders.length || parents.length
      ? h(
          'p',
          { class: 'actions' },
          'Compare with ',
          [
            ...holders.map((s) => h('a', { href: compareHref([`${name}@${s.version}`, `${name}@${version}`]) }, `${s.stage} (${s.version})`)),
            ...parents.map((p) => h('a', { href: compareHref([p.parent, id]) }, `its parent ${p.parent}`)),
          ].flatMap((a, i) => (i ? [', ', a] : [a])),
        )
      : null,
    kv('Metrics', 'metrics', v.metrics, (x) => num(x as number)),
    kv('Parameters', 'params', v.params),
    kv('Tags', 'tags', v.tags),
    section(
      'Artifacts',
      'artifacts',
      table(
        null,
        ['Path', 'Role', 'Format', 'Size', 'sha256', 'Store URI'],
        artifactRows(v, meta.store).map((a) => [
          h('th', { scope: 'row' }, a.path),
          a.role ?? '',
          a.format ?? '',
          h('span', { title: `${a.size} bytes` }, bytes(a.size)),
          h('code', { class: 'sha' }, a.sha256),
          a.uri ? h('code', { class: 'uri' }, a.uri) : '—',
        ]),
        { class: 'artifacts', aria: { label: 'Artifacts' } },
      ),
      meta.store?.startsWith('file://') ? h('p', { class: 'note' }, 'The store is a directory; its path is relative to the registry.') : null,
    ),
    section(
      'Lineage',
      'lineage',
      around.edges.length ? lineageGraph(around) : h('p', null, 'No recorded parents or descendants.'),
      around.truncated ? h('p', { class: 'note' }, 'The lineage is larger than this site draws; some relatives are left out.') : null,
      parents.length
        ? [
            h('h3', null, 'Derived from'),
            h(
              'ul',
              null,
              parents.map((p) => h('li', null, ref(p.parent), p.relation ? ` (${p.relation})` : '')),
            ),
          ]
        : null,
      children.length
        ? [
            h('h3', null, 'Versions derived from it'),
            h(
              'ul',
              null,
              children.map((c) => h('li', null, ref(c.child), c.relation ? ` (${c.relation})` : '')),
            ),
          ]
        : null,
      lin.datasets?.length
        ? [
            h('h3', null, 'Datasets'),
            table(
              null,
              ['URI', 'Name', 'Split', 'sha256'],
              lin.datasets.map((d) => [uriCell(d.uri), d.name ?? '', d.split ?? '', d.sha256 ? h('code', { class: 'sha' }, d.sha256) : '—']),
              { aria: { label: 'Datasets' } },
            ),
          ]
        : null,
      lin.code
        ? [
            h('h3', null, 'Code'),
            h(
              'p',
              null,
              uriCell(lin.code.repository),
              ' at ',
              h('code', null, lin.code.commit),
              lin.code.path ? [' (', h('code', null, lin.code.path), ')'] : null,
            ),
          ]
        : null,
      lin.environment
        ? [
            h('h3', null, 'Environment'),
            definitions([
              ['Python', lin.environment.python ?? ''],
              ['Image', lin.environment.image ?? ''],
              ['Hardware', lin.environment.hardware ?? ''],
              [
                'Packages',
                Object.entries(lin.environment.packages ?? {})
                  .map(([p, ver]) => `${p} ${ver}`)
                  .join(', '),
              ],
            ]),
          ]
        : null,
    ),
    v.signature?.inputs?.length || v.signature?.outputs?.length
      ? section(
          'Signature',
          'signature',
          table(
            null,
            ['', 'Name', 'Type', 'Shape', 'Description'],
            (['inputs', 'outputs'] as const).flatMap((dir) =>
              (v.signature?.[dir] ?? []).map((t) => [
                dir === 'inputs' ? 'input' : 'output',
                t.name,
                t.dtype ?? '',
                t.shape ? JSON.stringify(t.shape) : '',
                t.description ?? '',
              ]),
            ),
            { aria: { label: 'Signature' } },
          ),
        )
      : null,
    section(
      'Promotion gates',
      'gates',
      meta.policy
        ? h(
            'p',
            null,
            'What each stage’s gates say of promoting this version now, against the stage’s current holder (the same checks as ',
            h('code', null, 'modelreg promote'),
            ' and the pull-request check).',
          )
        : h('p', null, 'registry.yaml could not be read, so the gates are unknown.'),
      gates.map((g) =>
        h(
          'div',
          { class: `gate ${g.passed ? 'pass' : 'fail'}`, data: { stage: g.stage } },
          h(
            'h3',
            null,
            stageBadges([g.stage], stages),
            g.holds ? ' holds it now' : g.passed ? ' would pass' : ' would fail',
            g.holder && !g.holds ? h('small', null, ` (held by ${g.holder})`) : null,
          ),
          g.results.length
            ? h(
                'ul',
                null,
                g.results.map((r) =>
                  h(
                    'li',
                    { class: r.passed ? 'pass' : 'fail' },
                    h('span', { class: 'mark', aria: { label: r.passed ? 'passes' : 'fails' } }, r.passed ? '✓ ' : '✗ '),
                    `${r.gate}: ${r.message}`,
                  ),
                ),
              )
            : h('p', null, 'No gates.'),
          g.approvals
            ? h(
                'p',
                { class: 'note' },
                `Also needs ${g.approvals.count} approval(s)${g.approvals.from ? ` from ${g.approvals.from.join(', ')}` : ''} of the pull request, counted by the pull-request check.`,
              )
            : null,
        ),
      ),
    ),
    h('details', { class: 'manifest' }, h('summary', null, 'The whole manifest'), h('pre', null, h('code', null, JSON.stringify(v, null, 2)))),
  );
  return { title: `${name}@${version}`, body };
}

/** A URI from a manifest: a link when it is http(s), text otherwise (s3://, hf://, …). */
function uriCell(uri: string): Child {
  const href = httpUrl(uri);
  return href ? h('a', { href }, uri) : h('code', null, uri);
}
