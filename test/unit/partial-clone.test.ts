/** The pure parts of reading from a remote (git/partial-clone.ts): which ref a name means, what git's failures mean, what a message may show. */
import { describe, expect, it } from 'vitest';
import { advertisesFilter, classifyRemoteFailure, normaliseRemote, parseLsRemote, pickRemoteRef } from '../../src/git/partial-clone.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);

describe('pickRemoteRef', () => {
  const refs = parseLsRemote(
    `${A}\tHEAD\n${A}\trefs/heads/main\n${B}\trefs/heads/v1\n${C}\trefs/tags/v1\n${A}\trefs/tags/v1^{}\n${B}\trefs/remotes/origin/main\n`,
  );

  it('reads ls-remote lines', () => {
    expect(refs).toHaveLength(6);
    expect(refs[1]).toEqual({ oid: A, ref: 'refs/heads/main' });
  });

  it('prefers what git rev-parse prefers: a tag before a branch of the same name, an annotated tag by its commit', () => {
    expect(pickRemoteRef(refs, 'v1')).toEqual({ oid: A, ref: 'refs/tags/v1' });
    expect(pickRemoteRef(refs, 'heads/v1')).toEqual({ oid: B, ref: 'refs/heads/v1' });
    expect(pickRemoteRef(refs, 'refs/heads/v1')).toEqual({ oid: B, ref: 'refs/heads/v1' });
    expect(pickRemoteRef(refs, 'HEAD')).toEqual({ oid: A, ref: 'HEAD' });
    expect(pickRemoteRef(refs, 'main')).toEqual({ oid: A, ref: 'refs/heads/main' });
    expect(pickRemoteRef(refs, 'origin/main')).toEqual({ oid: B, ref: 'refs/remotes/origin/main' });
  });

  it('finds nothing for a name that only ends like a ref (ls-remote matches tails)', () => {
    expect(pickRemoteRef(parseLsRemote(`${A}\trefs/heads/feature/main\n`), 'main')).toBeUndefined();
    expect(pickRemoteRef([], 'HEAD')).toBeUndefined();
  });
});

describe('classifyRemoteFailure', () => {
  it.each([
    ['warning: filtering not recognized by server, ignoring', 'no-filter'],
    ['fatal: remote error: upload-pack: not our ref 1234567890123456789012345678901234567890', 'no-such-revision'],
    ["fatal: couldn't find remote ref nosuch", 'no-such-revision'],
    ["fatal: unable to access 'http://127.0.0.1:1/x.git/': Failed to connect", 'unreachable'],
    ['error: RPC failed; curl 18 transfer closed with outstanding read data remaining\nfatal: early EOF', 'unreachable'],
    ['', 'unreachable'],
  ])('%s', (stderr, failure) => expect(classifyRemoteFailure(stderr)).toBe(failure));
});

describe('advertisesFilter', () => {
  it('reads protocol v2 and v0 capability lines, not what the client says', () => {
    expect(advertisesFilter('12:00:00.000001 pkt-line.c:80  packet:  git< fetch=shallow wait-for-done filter\n')).toBe(true);
    expect(advertisesFilter('12:00:00.000001 pkt-line.c:80  packet:  git< fetch=shallow wait-for-done\n')).toBe(false);
    expect(advertisesFilter(`packet: git< ${A} HEAD\\0multi_ack thin-pack shallow filter object-format=sha1\n`)).toBe(true);
    expect(advertisesFilter(`packet: git< ${A} HEAD\\0multi_ack thin-pack shallow object-format=sha1\n`)).toBe(false);
    expect(advertisesFilter('packet: git> command=fetch\npacket: git> filter blob:none\n')).toBe(false);
  });
});

describe('what a message may show of a remote', () => {
  it('keeps URLs and scp-like addresses, makes a path absolute', () => {
    expect(normaliseRemote('https://h/r.git', '/w')).toBe('https://h/r.git');
    expect(normaliseRemote('git@github.com:acme/registry.git', '/w')).toBe('git@github.com:acme/registry.git');
    expect(normaliseRemote('registry.git', '/w')).toBe('/w/registry.git');
    expect(normaliseRemote('../r.git', '/w/x')).toBe('/w/r.git');
    expect(normaliseRemote('/srv/r.git', '/w')).toBe('/srv/r.git');
  });
});
