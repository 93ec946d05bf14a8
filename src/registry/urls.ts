/**
 * Credentials in URLs. A URL recorded in a manifest is in Git forever once merged, and CI systems hand
 * out URLs that carry secrets: GitLab's CI_REPOSITORY_URL has the job token as its user info, a presigned
 * S3, GCS or Azure URL carries a signature in its query. modelreg removes them from what it records and
 * `validate` reports them in hand-written manifests.
 */

/** Query parameters that are (or travel with) a signature or a secret, by the systems that issue them. */
const SECRET_PARAMS = [
  // AWS S3 presigned URLs, SigV4 and SigV2, and temporary credentials
  /^x-amz-(signature|credential|security-token|algorithm|date|expires|signedheaders)$/i,
  /^(awsaccesskeyid|signature)$/i,
  // Google Cloud Storage signed URLs, V4 and V2
  /^x-goog-(signature|credential|algorithm|date|expires|signedheaders)$/i,
  /^googleaccessid$/i,
];
/** Azure shared access signatures: `sig` is the secret; the other fields say what it grants. */
const AZURE_SAS = /^(sig|sv|ss|srt|sp|se|st|spr|sip|sr|si|skoid|sktid|skt|ske|sks|skv|sdd|ses|rscc|rscd|rsce|rscl|rsct)$/i;
/** Schemes whose user name is an account, not a secret: ssh://git@github.com/… is how everyone clones. */
const USER_IS_NOT_SECRET = /^(ssh|git\+ssh|sftp)$/i;

export interface UrlCredentials {
  /** The URL without them. */
  url: string;
  /** The URL as a message may show it: each of them replaced by ***, so a reader sees that something was there. */
  redacted: string;
  /** What was found, for the message: 'user info', 'X-Amz-Signature', … */
  found: string[];
}

/** The credentials `text` carries if it is a URL, and the URL without them; undefined when it carries none. */
export function urlCredentials(text: string): UrlCredentials | undefined {
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/i.exec(text.trim());
  if (!m) return undefined;
  const [, scheme, authority, path, query, fragment] = m as unknown as [string, string, string, string, string | undefined, string | undefined];
  const found: string[] = [];
  let host = authority;
  let user = '';
  const at = authority.lastIndexOf('@');
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    if (userinfo.includes(':') || !USER_IS_NOT_SECRET.test(scheme)) {
      found.push(userinfo.includes(':') ? 'a user name and password' : 'user info (often a token)');
      host = authority.slice(at + 1);
      user = '***@';
    }
  }
  let kept = query;
  let masked = query;
  if (query) {
    const params = query.slice(1).split('&').filter(Boolean);
    const name = (p: string) => decodeSafe(p.split('=')[0]!);
    const azure = params.some((p) => name(p).toLowerCase() === 'sig');
    const secret = (p: string) => SECRET_PARAMS.some((r) => r.test(name(p))) || (azure && AZURE_SAS.test(name(p)));
    const removed = params.filter(secret);
    if (removed.length) {
      found.push(...removed.map(name));
      const rest = params.filter((p) => !secret(p));
      kept = rest.length ? `?${rest.join('&')}` : undefined;
      masked = `?${params.map((p) => (secret(p) ? `${p.split('=')[0]}=***` : p)).join('&')}`;
    }
  }
  if (found.length === 0) return undefined;
  return {
    url: `${scheme}://${host}${path}${kept ?? ''}${fragment ?? ''}`,
    redacted: `${scheme}://${user}${host}${path}${masked ?? ''}${fragment ?? ''}`,
    found,
  };
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** A URL inside free text: it ends at white space, a quote or a bracket. */
const URL_IN_TEXT = /[a-z][a-z0-9+.-]*:\/\/[^\s"'<>()[\]{}`]+/gi;

/** Every URL inside free text (a description, a card) that carries credentials. */
export function credentialsInText(text: string): UrlCredentials[] {
  if (!text.includes('://')) return [];
  const out: UrlCredentials[] = [];
  for (const m of text.matchAll(URL_IN_TEXT)) {
    const c = urlCredentials(m[0]);
    if (c) out.push(c);
  }
  return out;
}

/** `text` (a URL, or git's message about one) as a message may show it: the credentials of every URL in it replaced by ***. */
export function redactCredentials(text: string): string {
  return text.includes('://') ? text.replace(URL_IN_TEXT, (u) => urlCredentials(u)?.redacted ?? u) : text;
}
