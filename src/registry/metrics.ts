/**
 * Two versions' metrics side by side — what `compare`, a pull request's body and the action's summary
 * all show. Pure.
 */
export interface MetricRow {
  name: string;
  a: number | null;
  b: number | null;
  /** b − a, rounded so 0.91 − 0.9 reads 0.01, not 0.010000000000000009; null when either is missing. */
  delta: number | null;
}

export function compareMetrics(a: Record<string, number> | undefined, b: Record<string, number> | undefined): MetricRow[] {
  const get = (m: Record<string, number> | undefined, k: string): number | null => (m && Object.hasOwn(m, k) ? m[k]! : null);
  const names = [...new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])].sort();
  return names.map((name) => {
    const x = get(a, name);
    const y = get(b, name);
    return { name, a: x, b: y, delta: x !== null && y !== null ? Number.parseFloat((y - x).toPrecision(12)) : null };
  });
}
