/**
 * Path-safe names, the same rules as the schemas' patterns (docs/format.md, "Names"; a test keeps them
 * equal). Every name becomes a path in every checkout, so a name that some checkout cannot hold is
 * refused too: Windows (and Git for Windows, core.protectNTFS) refuses the device names CON, PRN, AUX,
 * NUL, COM1–COM9 and LPT1–LPT9, also before an extension (`nul.txt`), and names ending in a dot or a space.
 */
const DEVICE = '(?:con|prn|aux|nul|com[1-9]|lpt[1-9])';

export const MODEL_NAME = new RegExp(`^(?!.*\\.\\.)(?!${DEVICE}(?:\\.|$))[a-z0-9](?:[a-z0-9._-]{0,126}[a-z0-9_-])?$`);
export const STAGE_NAME = new RegExp(`^(?!${DEVICE}$)[a-z][a-z0-9_-]{0,63}$`);

const WINDOWS_DEVICE = new RegExp(`^${DEVICE}(?:\\..*)?$`, 'i');
/** Characters Windows refuses in a file name (the artifact's path becomes one when it is pulled). */
const WINDOWS_RESERVED = /[<>:"|?*]/;

/** A relative path with / separators and no empty, "." or ".." segments — safe to join under a directory. */
export function isSafeRelativePath(p: string): boolean {
  if (p === '' || p.startsWith('/') || p.includes('\\') || /[\u0000-\u001f\u007f]/.test(p) || /^[a-zA-Z]:/.test(p)) return false;
  return p.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}

/** Why a path segment cannot be a file name on every checkout (Windows), or undefined. */
export function unportableSegment(segment: string): string | undefined {
  if (WINDOWS_DEVICE.test(segment)) return `"${segment}" is a Windows device name (${segment.split('.')[0]!.toUpperCase()})`;
  if (/[. ]$/.test(segment)) return `"${segment}" ends in a ${segment.endsWith('.') ? 'dot' : 'space'}, which Windows drops`;
  const c = WINDOWS_RESERVED.exec(segment);
  if (c) return `"${segment}" holds ${JSON.stringify(c[0])}, which Windows does not allow in a file name`;
  return undefined;
}

/** Why `name` cannot be a model name, or undefined. */
export function modelNameProblem(name: string): string | undefined {
  if (MODEL_NAME.test(name)) return undefined;
  if (name.includes('/') || name.includes('\\')) return 'a model name is one path segment: no "/" or "\\"';
  const device = unportableSegment(name);
  if (device && WINDOWS_DEVICE.test(name)) return device;
  return 'model names are lowercase letters, digits, ".", "_" and "-", start with a letter or digit, do not end with "." and have no ".."';
}

/** Why `name` cannot be a stage name, or undefined. */
export function stageNameProblem(name: string): string | undefined {
  if (STAGE_NAME.test(name)) return undefined;
  if (WINDOWS_DEVICE.test(name)) return unportableSegment(name);
  return 'stage names are lowercase letters, digits, "_" and "-", starting with a letter, at most 64 characters';
}

/** What is wrong with `path` as an artifact path, phrased to follow it ("has an empty … segment"), or undefined. */
export function artifactPathProblem(path: string): string | undefined {
  if (!isSafeRelativePath(path)) return 'has an empty, "." or ".." segment';
  for (const s of path.split('/')) {
    const why = unportableSegment(s);
    if (why) return `is not a file name every checkout can hold: ${why}`;
  }
  return undefined;
}

/** Metric, param and tag keys (schemas' $defs/key). */
export const KEY_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.:/-]{0,127}$/;
