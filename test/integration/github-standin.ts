/**
 * A loopback stand-in for the parts of the GitHub REST API modelreg calls. GitHub itself cannot be reached
 * from here, so every request body is checked against the operation's schema in GitHub's published
 * OpenAPI description (@octokit/openapi), and every response is built from the response schema and checked
 * against it before it is sent.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

type Json = any;
const require = createRequire(import.meta.url);
let spec: Json;
let ajv: Ajv;

function load(): void {
  if (spec) return;
  spec = JSON.parse(readFileSync(require.resolve('@octokit/openapi/generated/api.github.com.json'), 'utf8'));
  untypedNullable(spec);
  ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv) => void;
  addFormats(ajv);
  ajv.addSchema({ $id: 'https://github.openapi/spec', components: spec.components });
}

/**
 * A few webhook schemas say `nullable: true` beside no `type`, which ajv refuses to compile; such a node
 * already accepts null (it constrains no type), so the keyword is dropped.
 */
function untypedNullable(node: Json): void {
  if (Array.isArray(node)) return node.forEach(untypedNullable);
  if (!node || typeof node !== 'object') return;
  if (node.nullable !== undefined && node.type === undefined) delete node.nullable;
  for (const v of Object.values(node)) untypedNullable(v);
}

const rewrite = (schema: Json): Json => JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"https://github.openapi/spec#/components/'));
const cache = new Map<string, ValidateFunction>();
function validator(key: string, schema: Json): ValidateFunction {
  let v = cache.get(key);
  if (!v) cache.set(key, (v = ajv.compile(rewrite(schema))));
  return v;
}

function deref(schema: Json): Json {
  while (schema?.$ref)
    schema = schema.$ref
      .replace('#/', '')
      .split('/')
      .reduce((o: Json, k: string) => o[k], spec);
  return schema;
}

/** The smallest instance a schema accepts: required properties only, nulls where allowed. */
export function sample(schema: Json, depth = 0): Json {
  schema = deref(schema);
  if (depth > 12) return null;
  if (schema.allOf) return Object.assign({}, ...schema.allOf.map((s: Json) => sample(s, depth + 1)));
  if (schema.anyOf || schema.oneOf) return sample((schema.anyOf ?? schema.oneOf)[0], depth + 1);
  if (schema.nullable) return null;
  if (schema.enum) return schema.enum[0];
  switch (schema.type) {
    case 'object': {
      const out: Json = {};
      for (const k of schema.required ?? []) out[k] = sample(schema.properties?.[k] ?? {}, depth + 1);
      return out;
    }
    case 'array':
      return [];
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return false;
    case 'string':
      return schema.format === 'date-time'
        ? '2026-11-23T10:00:00Z'
        : schema.format === 'uri'
          ? 'https://github.com/acme/registry'
          : schema.format === 'email'
            ? 'octocat@example.com'
            : 'x';
    default:
      return null;
  }
}

/** Check a payload against a named component schema of GitHub's description; returns ajv's errors. */
export function schemaErrors(component: string, payload: Json): unknown[] {
  load();
  const v = validator(`component:${component}`, { $ref: `#/components/schemas/${component}` });
  return v(payload) ? [] : (v.errors ?? []);
}

export function componentSample(component: string): Json {
  load();
  return sample({ $ref: `#/components/schemas/${component}` });
}

/** The smallest non-null instance of a component declared nullable (nullable-collaborator, ...). */
export function objectSample(component: string): Json {
  load();
  const { nullable: _n, ...schema } = deref({ $ref: `#/components/schemas/${component}` });
  return sample(schema);
}

export interface Recorded {
  method: string;
  path: string;
  auth: string | undefined;
  body: Json;
  requestErrors: unknown[];
  responseErrors: unknown[];
  status: number;
}

/** What the stand-in knows about one repository and its organization; tests set it up and read it back. */
export interface StandInState {
  pulls: Json[];
  /** pull number → reviews in the order they were submitted */
  reviews: Map<number, { login: string; state: string; commit_id: string }[]>;
  /** issue number → comments */
  comments: Map<number, Json[]>;
  statuses: Json[];
  /** login → repository permission (absent: not a collaborator, 404) */
  permissions: Record<string, 'admin' | 'maintain' | 'write' | 'triage' | 'read'>;
  /** "org/team" → active members */
  teams: Record<string, string[]>;
  /** false: team membership answers 403, as it does for GITHUB_TOKEN */
  teamsReadable: boolean;
  /** The token's user for GET /user; null answers 403, as it does for GITHUB_TOKEN */
  user: string | null;
  /** The login comments are written under */
  commenter: string;
  /** true: every write answers 403, as for a fork's pull request */
  readOnly: boolean;
}

export interface StandIn {
  url: string;
  requests: Recorded[];
  state: StandInState;
  /** A pull request as GitHub would hold it (the full pull-request schema), for GET /pulls/{n}. */
  addPull(pr: { number: number; author: string; headSha: string; baseSha: string }): void;
  /** A comment someone else wrote (the issue-comment schema); returns its id. */
  addComment(issue: number, author: string, body: string): number;
  close(): Promise<void>;
}

type Handler = (ctx: { params: Record<string, string>; query: URLSearchParams; body: Json; responseSchema: (status: number) => Json }) => {
  status: number;
  payload: Json;
};

const notFound = { status: 404, payload: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } };
const forbidden = { status: 403, payload: { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest' } };

export async function startGitHubStandIn(options: { token: string }): Promise<StandIn> {
  load();
  const requests: Recorded[] = [];
  const state: StandInState = {
    pulls: [],
    reviews: new Map(),
    comments: new Map(),
    statuses: [],
    permissions: {},
    teams: {},
    teamsReadable: true,
    user: null,
    commenter: 'github-actions[bot]',
    readOnly: false,
  };
  let ids = 1000;
  const userObj = (login: string) => ({
    ...sample({ $ref: '#/components/schemas/simple-user' }),
    login,
    id: ids++,
    type: login.endsWith('[bot]') ? 'Bot' : 'User',
  });

  const routes: Record<string, Handler> = {
    'POST /repos/{owner}/{repo}/pulls': ({ params, body, responseSchema }) => {
      if (state.pulls.some((p) => p.head.ref === body.head && p.state === 'open')) {
        return {
          status: 422,
          payload: {
            message: 'Validation Failed',
            errors: [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${params.owner}:${body.head}.` }],
            documentation_url: 'https://docs.github.com/rest',
          },
        };
      }
      const number = state.pulls.length + 1;
      const pr = {
        ...sample(responseSchema(201)),
        number,
        state: 'open',
        title: body.title,
        body: body.body ?? null,
        html_url: `https://github.com/${params.owner}/${params.repo}/pull/${number}`,
        url: `https://api.github.com/repos/${params.owner}/${params.repo}/pulls/${number}`,
      };
      pr.head = { ...pr.head, ref: body.head };
      pr.base = { ...pr.base, ref: body.base };
      state.pulls.push(pr);
      return { status: 201, payload: pr };
    },
    'GET /repos/{owner}/{repo}/pulls': ({ query, responseSchema }) => {
      const item = sample(responseSchema(200).items);
      const head = query.get('head')?.split(':').pop();
      const list = state.pulls
        .filter((p) => (!head || p.head.ref === head) && p.state === 'open')
        .map((p) => ({
          ...item,
          number: p.number,
          html_url: p.html_url,
          url: p.url,
          state: p.state,
          title: p.title,
          head: { ...item.head, ref: p.head.ref, sha: p.head.sha ?? item.head.sha },
          base: { ...item.base, ref: p.base.ref },
        }));
      return { status: 200, payload: list };
    },
    'GET /repos/{owner}/{repo}/pulls/{pull_number}': ({ params }) => {
      const pr = state.pulls.find((p) => p.number === Number(params.pull_number));
      return pr ? { status: 200, payload: pr } : notFound;
    },
    'GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews': ({ params, responseSchema }) => {
      const item = responseSchema(200).items;
      const list = (state.reviews.get(Number(params.pull_number)) ?? []).map((r, i) => ({
        ...sample(item),
        id: i + 1,
        user: userObj(r.login),
        state: r.state,
        commit_id: r.commit_id,
        body: '',
      }));
      return { status: 200, payload: list };
    },
    'GET /repos/{owner}/{repo}/collaborators/{username}/permission': ({ params, responseSchema }) => {
      const permission = state.permissions[params.username!];
      if (!permission) return notFound;
      const schema = responseSchema(200);
      return {
        status: 200,
        payload: {
          ...sample(schema),
          permission: ['maintain', 'triage'].includes(permission) ? (permission === 'maintain' ? 'write' : 'read') : permission,
          role_name: permission,
          user: { ...objectSample('nullable-collaborator'), login: params.username!, role_name: permission },
        },
      };
    },
    'GET /orgs/{org}/teams/{team_slug}/memberships/{username}': ({ params, responseSchema }) => {
      if (!state.teamsReadable) return forbidden;
      const members = state.teams[`${params.org}/${params.team_slug}`];
      if (!members?.includes(params.username!)) return notFound;
      return {
        status: 200,
        payload: {
          ...sample(responseSchema(200)),
          url: `https://api.github.com/orgs/${params.org}/teams/${params.team_slug}/memberships/${params.username}`,
          role: 'member',
          state: 'active',
        },
      };
    },
    'POST /repos/{owner}/{repo}/statuses/{sha}': ({ params, body, responseSchema }) => {
      if (state.readOnly) return forbidden;
      const status = {
        ...sample(responseSchema(201)),
        id: ids++,
        sha: params.sha,
        state: body.state,
        context: body.context ?? 'default',
        description: body.description ?? null,
        target_url: body.target_url ?? null,
      };
      state.statuses.push(status);
      return { status: 201, payload: status };
    },
    'GET /repos/{owner}/{repo}/issues/{issue_number}/comments': ({ params }) => ({
      status: 200,
      payload: state.comments.get(Number(params.issue_number)) ?? [],
    }),
    'POST /repos/{owner}/{repo}/issues/{issue_number}/comments': ({ params, body, responseSchema }) => {
      if (state.readOnly) return forbidden;
      const schema = responseSchema(201);
      const comment = { ...sample(schema), id: ids++, body: body.body, user: userObj(state.commenter) };
      const n = Number(params.issue_number);
      state.comments.set(n, [...(state.comments.get(n) ?? []), comment]);
      return { status: 201, payload: comment };
    },
    'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}': ({ params, body }) => {
      if (state.readOnly) return forbidden;
      for (const list of state.comments.values()) {
        const c = list.find((x) => x.id === Number(params.comment_id));
        if (c) {
          c.body = body.body;
          return { status: 200, payload: c };
        }
      }
      return notFound;
    },
    'GET /user': ({ responseSchema }) => (state.user ? { status: 200, payload: { ...sample(responseSchema(200)), ...userObj(state.user) } } : forbidden),
  };
  const compiled = Object.entries(routes).map(([key, handler]) => {
    const [method, template] = key.split(' ') as [string, string];
    const re = new RegExp(`^${template.replace(/\{(\w+)\}/g, '(?<$1>[^/]+)')}$`);
    return { method, template, re, handler };
  });

  const server: Server = createServer(async (req, res) => {
    const body: Json = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const rec: Recorded = {
      method: req.method ?? '',
      path: url.pathname,
      auth: req.headers.authorization,
      body,
      requestErrors: [],
      responseErrors: [],
      status: 0,
    };
    requests.push(rec);
    const send = (status: number, payload: Json, schema?: Json, key?: string) => {
      if (schema && key) {
        const v = validator(key, schema);
        if (!v(payload)) rec.responseErrors.push(...(v.errors ?? []));
      }
      rec.status = status;
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(payload));
    };
    if (rec.auth !== `token ${options.token}` && rec.auth !== `Bearer ${options.token}`)
      return send(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
    for (const route of compiled) {
      const m = route.method === req.method ? route.re.exec(decodeURIComponent(url.pathname)) : null;
      if (!m) continue;
      const op = spec.paths[route.template]?.[route.method.toLowerCase()];
      if (!op) throw new Error(`the stand-in serves ${route.method} ${route.template}, which GitHub's description does not have`);
      const reqSchema = op.requestBody?.content?.['application/json']?.schema;
      if (reqSchema) {
        const v = validator(`${route.method} ${route.template} request`, reqSchema);
        // Called through a plain signature: ajv's type guard would narrow `body` to unknown.
        if (!(v as (data: unknown) => boolean)(body ?? {})) {
          rec.requestErrors.push(...(v.errors ?? []));
          return send(422, { message: 'Validation Failed', documentation_url: 'https://docs.github.com/rest' });
        }
      }
      const responseSchema = (status: number): Json => op.responses[String(status)]?.content?.['application/json']?.schema;
      const r = route.handler({ params: { ...m.groups }, query: url.searchParams, body, responseSchema });
      const schema = r.status < 300 ? responseSchema(r.status) : undefined;
      if (r.status < 300 && !schema) throw new Error(`GitHub's description has no ${r.status} response for ${route.method} ${route.template}`);
      return send(r.status, r.payload, schema, `${route.method} ${route.template} ${r.status}`);
    }
    return send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const addPull: StandIn['addPull'] = ({ number, author, headSha, baseSha }) => {
    const pr = componentSample('pull-request');
    state.pulls.push({
      ...pr,
      number,
      state: 'open',
      user: userObj(author),
      head: { ...pr.head, sha: headSha, ref: 'pr' },
      base: { ...pr.base, sha: baseSha, ref: 'main' },
    });
  };
  const addComment: StandIn['addComment'] = (issue, author, body) => {
    const comment = { ...componentSample('issue-comment'), id: ids++, body, user: userObj(author) };
    state.comments.set(issue, [...(state.comments.get(issue) ?? []), comment]);
    return comment.id;
  };
  return { url: `http://127.0.0.1:${port}`, requests, state, addPull, addComment, close: () => new Promise((r) => server.close(() => r())) };
}

async function readBody(req: IncomingMessage): Promise<Json> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}

/**
 * An event payload as GitHub delivers it: the smallest instance of the webhook's schema in GitHub's
 * description ("pull-request-opened", "merge-group-checks-requested", ...), filled in by `fill`, then
 * checked against that schema again.
 */
export function webhookPayload(event: string, fill: (p: Json) => void): { payload: Json; errors: unknown[] } {
  load();
  const schema = spec['x-webhooks'][event]?.post?.requestBody?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`GitHub's description has no webhook ${event}`);
  const payload = sample(schema);
  fill(payload);
  const v = validator(`webhook ${event}`, schema);
  return { payload, errors: v(payload) ? [] : (v.errors ?? []) };
}
