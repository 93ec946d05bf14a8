/** Semantic-version rules for model versions: semver 2.0 without build metadata (it would make two files equal in precedence). */
import semver from 'semver';

export function isValidVersion(v: string): boolean {
  return !v.includes('+') && semver.valid(v, { loose: false }) === v;
}

export function compareVersions(a: string, b: string): number {
  return semver.compare(a, b);
}

export function isPrerelease(v: string): boolean {
  return semver.prerelease(v) !== null;
}

export function sortVersions(versions: Iterable<string>): string[] {
  return [...versions].filter(isValidVersion).sort(compareVersions);
}

/** semver order where both are valid versions, else text order (history and broken trees hold anything). */
export function compareLoosely(a: string, b: string): number {
  return isValidVersion(a) && isValidVersion(b) ? compareVersions(a, b) : a < b ? -1 : a > b ? 1 : 0;
}

/** `versions` in compareLoosely's order, each parsed once (a sort of n versions would parse each log n times). */
export function sortLoosely(versions: readonly string[]): string[] {
  const keyed = versions.map((v) => ({ v, parsed: isValidVersion(v) ? semver.parse(v) : null }));
  keyed.sort((a, b) => (a.parsed && b.parsed ? a.parsed.compare(b.parsed) : a.v < b.v ? -1 : a.v > b.v ? 1 : 0));
  return keyed.map((k) => k.v);
}
