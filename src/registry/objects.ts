/** Where a store keeps an object: <store>/sha256/<aa>/<hex> — content-addressed, like a Git LFS pointer. */
export function objectUri(store: string, sha256: string): string {
  return `${store}/sha256/${sha256.slice(0, 2)}/${sha256}`;
}
