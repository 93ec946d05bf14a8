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
  ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv) => void;
  addFormats(ajv);
  ajv.addSchema({ $id: 'https://github.openapi/spec', components: spec.components });
}

const rewrite = (schema: Json): Json => JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"https://github.openapi/spec#/components/'));
const cache = new Map<string, ValidateFunction>();
function validator(key: string, schema: Json): ValidateFunction {
  let v = cache.get(key);
  if (!v) cache.set(key, (v = ajv.compile(rewrite(schema))));
  return v;
}

function deref(schema: Json): Json {
  while (schema?.$ref) schema = schema.$ref.replace('#/', '').split('/').reduce((o: Json, k: string) => o[k], spec);
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
      return schema.format === 'date-time' ? '2026-11-23T10:00:00Z' : schema.format === 'uri' ? 'https://github.com/acme/registry' : schema.format === 'email' ? 'octocat@example.com' : 'x';
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

export interface Recorded {
  method: string;
  path: string;
  auth: string | undefined;
  body: Json;
  requestErrors: unknown[];
  responseErrors: unknown[];
  status: number;
}

export interface StandIn {
  url: string;
  requests: Recorded[];
  close(): Promise<void>;
}

export async function startGitHubStandIn(options: { token: string }): Promise<StandIn> {
  load();
  const pulls: Json[] = [];
  const requests: Recorded[] = [];
  const server: Server = createServer(async (req, res) => {
    const body: Json = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const rec: Recorded = { method: req.method ?? '', path: url.pathname, auth: req.headers.authorization, body, requestErrors: [], responseErrors: [], status: 0 };
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
    if (rec.auth !== `token ${options.token}` && rec.auth !== `Bearer ${options.token}`) return send(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
    const m = /^\/repos\/([^/]+)\/([^/]+)\/pulls$/.exec(url.pathname);
    if (!m) return send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
    const op = spec.paths['/repos/{owner}/{repo}/pulls'];
    if (req.method === 'POST') {
      const reqSchema = op.post.requestBody.content['application/json'].schema;
      const v = validator('pulls.create.request', reqSchema);
      // Called through a plain signature: ajv's type guard would narrow `body` to unknown.
      if (!(v as (data: unknown) => boolean)(body)) {
        rec.requestErrors.push(...(v.errors ?? []));
        return send(422, { message: 'Validation Failed', documentation_url: 'https://docs.github.com/rest' });
      }
      if (pulls.some((p) => p.head.ref === body.head && p.state === 'open')) {
        return send(422, { message: 'Validation Failed', errors: [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${m[1]}:${body.head}.` }], documentation_url: 'https://docs.github.com/rest' });
      }
      const schema = op.post.responses['201'].content['application/json'].schema;
      const number = pulls.length + 1;
      const pr = { ...sample(schema), number, state: 'open', title: body.title, body: body.body ?? null, html_url: `https://github.com/${m[1]}/${m[2]}/pull/${number}`, url: `https://api.github.com/repos/${m[1]}/${m[2]}/pulls/${number}` };
      pr.head = { ...pr.head, ref: body.head };
      pr.base = { ...pr.base, ref: body.base };
      pulls.push(pr);
      return send(201, pr, schema, 'pulls.create.201');
    }
    if (req.method === 'GET') {
      const schema = op.get.responses['200'].content['application/json'].schema;
      const head = url.searchParams.get('head')?.split(':').pop();
      const list = pulls.filter((p) => (!head || p.head.ref === head) && p.state === 'open').map((p) => ({ ...sample(schema.items), number: p.number, html_url: p.html_url, url: p.url, state: p.state, title: p.title, head: { ...sample(schema.items).head, ref: p.head.ref }, base: { ...sample(schema.items).base, ref: p.base.ref } }));
      return send(200, list, schema, 'pulls.list.200');
    }
    return send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((r) => server.close(() => r())) };
}

async function readBody(req: IncomingMessage): Promise<Json> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}
