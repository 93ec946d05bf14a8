import { expect } from 'vitest';
import { ModelregError } from '../src/registry/errors.js';

/** The ModelregError a function throws, for asserting its code and fields. */
export function thrown(fn: () => unknown): ModelregError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ModelregError);
    return e as ModelregError;
  }
  throw new Error('expected a ModelregError, nothing was thrown');
}
