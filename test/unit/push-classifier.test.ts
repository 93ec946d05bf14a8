/**
 * The push-failure classifier (git/remote.ts): what a failed `git push --porcelain` printed decides
 * whether a write retries (a race), stops with "the server refused", "the credentials were not
 * accepted" or "the remote cannot be reached". The texts are git 2.39's own, from real pushes to bare
 * repositories with hooks and to a loopback HTTP server answering 401, 403 and 404.
 */
import { describe, expect, it } from 'vitest';
import { classifyPushFailure, type PushFailure } from '../../src/git/remote.js';

const cases: [string, string, PushFailure][] = [
  [
    'someone pushed first (fetch first)',
    "To /tmp/r/remote.git\n!\tHEAD:refs/heads/main\t[rejected] (fetch first)\nDone\nerror: failed to push some refs to '/tmp/r/remote.git'",
    'race',
  ],
  ['a non-fast-forward', 'To /tmp/r/remote.git\n!\tHEAD:refs/heads/main\t[rejected] (non-fast-forward)\nDone', 'race'],
  [
    'two pushes met inside the server',
    "To /tmp/r/remote.git\n!\tHEAD:refs/heads/main\t[remote rejected] (failed to update ref)\nerror: cannot lock ref 'refs/heads/main': is at 1111 but expected 2222",
    'race',
  ],
  ['a pre-receive hook', 'remote: nope\nTo /tmp/r/remote.git\n!\tHEAD:refs/heads/main\t[remote rejected] (pre-receive hook declined)\nDone', 'refused'],
  [
    'an update hook',
    'remote: error: hook declined to update refs/heads/main\nTo /tmp/r/remote.git\n!\tHEAD:refs/heads/main\t[remote rejected] (hook declined)\nDone',
    'refused',
  ],
  [
    'GitHub branch protection',
    'remote: error: GH006: Protected branch update failed for refs/heads/main.\nTo github.com:acme/models.git\n!\tHEAD:refs/heads/main\t[remote rejected] (protected branch hook declined)',
    'refused',
  ],
  [
    'a hook whose message says non-fast-forward is still a refusal, not a race',
    'remote: policy: history must be linear (non-fast-forward merges are not allowed)\nremote: cannot lock ref for you, but expected that\nTo /tmp/r/remote.git\n!\tHEAD:refs/heads/main\t[remote rejected] (pre-receive hook declined)\nDone',
    'refused',
  ],
  [
    'HTTP 403: the token cannot write',
    "remote: Permission to acme/models.git denied to mallory.\nfatal: unable to access 'https://github.com/acme/models.git/': The requested URL returned error: 403",
    'auth',
  ],
  ['HTTP 401 with prompts disabled', "fatal: could not read Username for 'http://127.0.0.1:8123': terminal prompts disabled", 'auth'],
  ['wrong password', "remote: Invalid username or password.\nfatal: Authentication failed for 'http://127.0.0.1:8123/r.git/'", 'auth'],
  [
    'an SSH key the server does not know',
    'git@github.com: Permission denied (publickey).\nfatal: Could not read from remote repository.\n\nPlease make sure you have the correct access rights\nand the repository exists.',
    'auth',
  ],
  ['no such path', "fatal: '/tmp/r/gone.git' does not appear to be a git repository\nfatal: Could not read from remote repository.", 'unreachable'],
  ['no such host', "fatal: unable to access 'https://git.invalid/r.git/': Could not resolve host: git.invalid", 'unreachable'],
  [
    'no such host over SSH',
    'ssh: Could not resolve hostname git.invalid: Name or service not known\nfatal: Could not read from remote repository.',
    'unreachable',
  ],
  [
    'nothing listening',
    "fatal: unable to access 'http://127.0.0.1:9/r.git/': Failed to connect to 127.0.0.1 port 9 after 0 ms: Couldn't connect to server",
    'unreachable',
  ],
  ['HTTP 404', "remote: Repository not found.\nfatal: repository 'http://127.0.0.1:8123/nope.git/' not found", 'unreachable'],
  ['anything else', 'error: src refspec HEAD does not match any\nerror: failed to push some refs', 'failed'],
];

describe('what a failed push said', () => {
  it.each(cases)('%s', (_what, output, expected) => {
    expect(classifyPushFailure(output)).toBe(expected);
  });

  it('a race is never read into what the server prints: only `remote:` lines say non-fast-forward', () => {
    const hookOnly = 'remote: (non-fast-forward)\nremote: [rejected] (fetch first)\nerror: failed to push some refs';
    expect(classifyPushFailure(hookOnly)).not.toBe('race');
  });
});
