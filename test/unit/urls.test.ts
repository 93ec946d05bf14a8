import { describe, expect, it } from 'vitest';
import { redactCredentials, urlCredentials } from '../../src/registry/urls.js';

describe('credentials in URLs', () => {
  it.each([
    ['https://github.com/acme/train', undefined],
    ['ssh://git@github.com/acme/train.git', undefined], // an account, not a secret
    ['git@github.com:acme/train.git', undefined], // scp-like: not a URL with user info
    ['s3://bucket/train.parquet', undefined],
    ['https://example.com/x?version=2&X-Amz-Foo=1', undefined],
    ['hf://datasets/imdb', undefined],
  ])('%j carries none', (url, want) => {
    expect(urlCredentials(url)).toBe(want);
  });

  it.each([
    ['https://user:tok@github.com/a/b', 'https://github.com/a/b', ['a user name and password']],
    ['https://ghp_abc123@github.com/a/b', 'https://github.com/a/b', ['user info (often a token)']],
    ['https://gitlab-ci-token:glcbt-64_x@gitlab.com/acme/train.git', 'https://gitlab.com/acme/train.git', ['a user name and password']],
    ['ssh://git:hunter2@host/repo', 'ssh://host/repo', ['a user name and password']],
    [
      's3://b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F1&X-Amz-Date=20261201T000000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=abc&versionId=7',
      's3://b/k?versionId=7',
      ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature'],
    ],
    ['https://b.s3.amazonaws.com/k?AWSAccessKeyId=AKIA&Expires=1&Signature=x%3D', 'https://b.s3.amazonaws.com/k?Expires=1', ['AWSAccessKeyId', 'Signature']],
    [
      'https://storage.googleapis.com/b/k?X-Goog-Algorithm=GOOG4&X-Goog-Credential=sa&X-Goog-Signature=ff',
      'https://storage.googleapis.com/b/k',
      ['X-Goog-Algorithm', 'X-Goog-Credential', 'X-Goog-Signature'],
    ],
    [
      'https://acct.blob.core.windows.net/c/x?sv=2024-01-01&se=2030-01-01&sp=r&sig=AbC%3D&foo=1#frag',
      'https://acct.blob.core.windows.net/c/x?foo=1#frag',
      ['sv', 'se', 'sp', 'sig'],
    ],
  ])('%j: removed, saying which', (url, clean, found) => {
    expect(urlCredentials(url)).toEqual({ url: clean, redacted: expect.stringContaining('***'), found });
  });

  it("without sig, Azure-looking fields are someone else's parameters", () => {
    expect(urlCredentials('https://example.com/search?sv=1&se=2')).toBeUndefined();
  });
});

describe('what a message may show of a URL', () => {
  it('never its credentials, wherever the URL stands in the text', () => {
    expect(redactCredentials('https://user:ghp_secret@github.com/acme/registry.git')).toBe('https://***@github.com/acme/registry.git');
    // git names the URL inside its own message, in quotes: the token must not reach the terminal from there either
    expect(redactCredentials("unable to access 'https://x-access-token:ghs_abc@github.com/acme/r.git/': The requested URL returned error: 403")).toBe(
      "unable to access 'https://***@github.com/acme/r.git/': The requested URL returned error: 403",
    );
    expect(redactCredentials('https://h/x?a=1&X-Amz-Signature=deadbeef#f')).toBe('https://h/x?a=1&X-Amz-Signature=***#f');
  });

  it('leaves what carries none as it is', () => {
    for (const text of ['https://github.com/acme/registry.git', 'git@github.com:acme/registry.git', 'ssh://git@github.com/acme/r.git', 'no URL here'])
      expect(redactCredentials(text)).toBe(text);
  });
});
