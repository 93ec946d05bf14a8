/** Path-safe names, the same rules as the schemas' patterns (docs/format.md, "Names"). */
export const MODEL_NAME = /^(?!.*\.\.)[a-z0-9](?:[a-z0-9._-]{0,126}[a-z0-9_-])?$/;
export const STAGE_NAME = /^[a-z][a-z0-9_-]{0,63}$/;

/** A relative path with / separators and no empty, "." or ".." segments — safe to join under a directory. */
export function isSafeRelativePath(p: string): boolean {
  if (p === '' || p.startsWith('/') || p.includes('\\') || /[\u0000-\u001f\u007f]/.test(p) || /^[a-zA-Z]:/.test(p)) return false;
  return p.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}
/** Metric, param and tag keys (schemas' $defs/key). */
export const KEY_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.:/-]{0,127}$/;
