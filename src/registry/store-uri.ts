/**
 * What a store location may be. `s3://bucket/prefix` names a key prefix literally, so `..` segments
 * or a query (`s3://b/p/../../x`, `s3://b/p?x=1`) would not mean what they look like: the objects would
 * land under a key containing `..` or `?`. Such a location is almost always a mistake, and refused.
 */

/** Why `uri` cannot be a store location, or undefined when it can. */
export function storeUriProblem(uri: string): string | undefined {
  const scheme = /^(file|s3):\/\//.exec(uri)?.[1];
  if (!scheme) return 'a store location is file://<dir> or s3://<bucket>/<prefix>';
  if (/[?#]/.test(uri)) return 'it holds a query or fragment (? or #), which a store location cannot have';
  if (/[\u0000-\u001f\u007f\\]/.test(uri)) return 'it holds a control character or a backslash';
  const rest = uri.slice(`${scheme}://`.length);
  if (scheme === 's3') {
    const [bucket, ...prefix] = rest.split('/');
    // Loose on purpose: S3-compatible stores differ in what they allow (legacy AWS buckets hold capitals).
    if (!bucket || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/.test(bucket) || bucket.includes('..')) return `"${bucket ?? ''}" is not a bucket name`;
    if (prefix.some((s) => s === '.' || s === '..')) return 'its key prefix has "." or ".." segments, which S3 keeps literally';
    if (prefix.slice(0, -1).some((s) => s === '')) return 'its key prefix has an empty segment (//)';
  }
  if (scheme === 'file' && rest === '') return 'it names no directory';
  return undefined;
}
