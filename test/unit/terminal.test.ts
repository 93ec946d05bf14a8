import { describe, expect, it } from 'vitest';
import { jsonText, printable } from '../../src/cli/terminal.js';

describe('text bound for a terminal', () => {
  it('shows controls and bidirectional marks as visible escapes, keeping tabs and line breaks', () => {
    expect(printable('a\u001b]52;c;cHduZWQ=\u0007b\u001b[2J\r\u202Eexe\u0085\u009b\n\tok ✓ — 模型')).toBe(
      'a\\u001b]52;c;cHduZWQ=\\u0007b\\u001b[2J\\u000d\\u202eexe\\u0085\\u009b\n\tok ✓ — 模型',
    );
  });

  it('keeps JSON valid while escaping what JSON.stringify leaves raw', () => {
    const value = { s: 'x\u009b[2J\u202E\u007f\u001b' };
    const text = jsonText(value);
    expect(text).not.toMatch(/[\u007f-\u009f\u202e\u001b]/);
    expect(JSON.parse(text)).toEqual(value);
  });
});
