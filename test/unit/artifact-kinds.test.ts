import { describe, expect, it } from 'vitest';
import { globToRegExp, guessKind } from '../../src/changes/artifact-kinds.js';

describe('guessKind', () => {
  it.each([
    // Weights, by extension.
    ['model.safetensors', 'weights', 'safetensors'],
    ['model-00001-of-00002.safetensors', 'weights', 'safetensors'],
    ['llama-7b.Q4_K_M.gguf', 'weights', 'gguf'],
    ['model.onnx', 'weights', 'onnx'],
    ['model.pt', 'weights', 'pt'],
    ['model.pth', 'weights', 'pt'],
    ['pytorch_model.bin', 'weights', 'bin'],
    ['model.ckpt', 'weights', 'ckpt'],
    ['model.h5', 'weights', 'keras'],
    ['classifier.joblib', 'weights', 'joblib'],
    ['scaler.pkl', 'weights', 'pickle'],
    ['booster.xgb', 'weights', 'xgboost'],
    // Configuration.
    ['config.json', 'config', 'json'],
    ['generation_config.json', 'config', 'json'],
    ['training.config.json', 'config', 'json'],
    ['params.yaml', 'config', 'yaml'],
    ['hparams.yml', 'config', 'yml'],
    // The tokenizer's files, its own config included: AutoTokenizer reads tokenizer_config.json, the model never does.
    ['tokenizer.json', 'tokenizer', 'json'],
    ['tokenizer_config.json', 'tokenizer', 'json'],
    ['tokenizer.model', 'tokenizer', 'model'],
    ['special_tokens_map.json', 'tokenizer', 'json'],
    ['merges.txt', 'tokenizer', 'txt'],
    ['spiece.model', 'tokenizer', 'model'],
    ['cl100k_base.tiktoken', 'tokenizer', 'tiktoken'],
    ['vocab.txt', 'vocabulary', 'txt'],
    ['vocab.json', 'vocabulary', 'json'],
    ['preprocessor_config.json', 'preprocessor', 'json'],
    // Adapters: the prefix wins over the extension and over *_config.json.
    ['adapter_model.safetensors', 'adapter', 'safetensors'],
    ['adapter_config.json', 'adapter', 'json'],
    ['adapter-model.bin', 'adapter', 'bin'],
    // Documentation and code.
    ['README.md', 'documentation', 'md'],
    ['MODEL_CARD.md', 'documentation', 'md'],
    ['LICENSE.txt', 'documentation', 'txt'],
    ['readme.rst', 'documentation', 'rst'],
    ['inference.py', 'code', 'py'],
    ['run.sh', 'code', 'sh'],
    // Unknown.
    ['data.xyz', 'other', 'xyz'],
    ['archive.tar.gz', 'other', 'gz'],
    ['Makefile', 'other', 'binary'],
    ['notes.txt', 'other', 'txt'],
  ])('%s → %s, %s', (path, role, format) => {
    expect(guessKind(path)).toEqual({ role, format });
  });

  it('looks at the base name only, ignoring letter case', () => {
    expect(guessKind('weights/sub/MODEL.SAFETENSORS')).toEqual({ role: 'weights', format: 'safetensors' });
    expect(guessKind('Tokenizer/Tokenizer_Config.JSON')).toEqual({ role: 'tokenizer', format: 'json' });
    expect(guessKind('lora/Adapter_Model.safetensors')).toEqual({ role: 'adapter', format: 'safetensors' });
    // A directory named like a weights file does not make a README weights.
    expect(guessKind('model.onnx/README.md')).toEqual({ role: 'documentation', format: 'md' });
    // Nor does a directory named "tokenizer" make a config file a tokenizer.
    expect(guessKind('tokenizer/config.json')).toEqual({ role: 'config', format: 'json' });
  });

  it('tokenizer names must match as a whole, not as a substring', () => {
    expect(guessKind('my_tokenizer.json')).toEqual({ role: 'other', format: 'json' });
    expect(guessKind('tokenizer.txt')).toEqual({ role: 'other', format: 'txt' });
    expect(guessKind('vocab.bin')).toEqual({ role: 'weights', format: 'bin' });
  });
});

describe('globToRegExp', () => {
  const matches = (glob: string, path: string) => globToRegExp(glob).test(path);

  it('* stays within one path segment', () => {
    expect(matches('*.safetensors', 'model.safetensors')).toBe(true);
    expect(matches('*.safetensors', '.safetensors')).toBe(true);
    expect(matches('*.safetensors', 'weights/model.safetensors')).toBe(false);
    expect(matches('weights/*', 'weights/a.bin')).toBe(true);
    expect(matches('weights/*', 'weights/sub/a.bin')).toBe(false);
    expect(matches('model-*-of-*.bin', 'model-00001-of-00002.bin')).toBe(true);
  });

  it('matches the whole path, not a part of it', () => {
    expect(matches('*.bin', 'model.bin.bak')).toBe(false);
    expect(matches('model.bin', 'x/model.bin')).toBe(false);
    expect(matches('model.bin', 'model.bin')).toBe(true);
  });

  it('** crosses segments', () => {
    expect(matches('**', 'a/b/c.txt')).toBe(true);
    expect(matches('**', 'c.txt')).toBe(true);
    expect(matches('weights/**', 'weights/a/b/c.bin')).toBe(true);
    expect(matches('weights/**', 'other/a.bin')).toBe(false);
    expect(matches('**/*.json', 'config.json')).toBe(true);
    expect(matches('**/*.json', 'a/b/config.json')).toBe(true);
    expect(matches('**/*.json', 'a/b/config.bin')).toBe(false);
  });

  it('**/ stands for whole segments only', () => {
    expect(matches('**/config.json', 'config.json')).toBe(true);
    expect(matches('**/config.json', 'text/config.json')).toBe(true);
    expect(matches('**/config.json', 'generation_config.json')).toBe(false);
    expect(matches('**/config.json', 'text/generation_config.json')).toBe(false);
    expect(matches('a/**/b.bin', 'a/b.bin')).toBe(true);
    expect(matches('a/**/b.bin', 'a/x/b.bin')).toBe(true);
    expect(matches('a/**/b.bin', 'a/x/y/b.bin')).toBe(true);
    expect(matches('a/**/b.bin', 'a/xb.bin')).toBe(false);
    expect(matches('a/**/b.bin', 'ab.bin')).toBe(false);
  });

  it('? is exactly one character, never a /', () => {
    expect(matches('model-?.bin', 'model-1.bin')).toBe(true);
    expect(matches('model-?.bin', 'model-12.bin')).toBe(false);
    expect(matches('model-?.bin', 'model-.bin')).toBe(false);
    expect(matches('a?b', 'a/b')).toBe(false);
  });

  it('regular-expression characters are literal', () => {
    expect(matches('model.bin', 'modelxbin')).toBe(false);
    expect(matches('*.bin', 'model_bin')).toBe(false);
    expect(matches('a+b.txt', 'a+b.txt')).toBe(true);
    expect(matches('a+b.txt', 'aab.txt')).toBe(false);
    expect(matches('v(1).bin', 'v(1).bin')).toBe(true);
    expect(matches('v(1).bin', 'v1.bin')).toBe(false);
    expect(matches('x[0].bin', 'x[0].bin')).toBe(true);
    expect(matches('x[0].bin', 'x0.bin')).toBe(false);
    expect(matches('a|b', 'a|b')).toBe(true);
    expect(matches('a|b', 'a')).toBe(false);
    expect(matches('^$.{2}', '^$.{2}')).toBe(true);
    expect(matches('^$.{2}', '$xx')).toBe(false);
    expect(matches('back\\slash', 'back\\slash')).toBe(true);
  });

  it('is anchored: the exact expressions', () => {
    expect(globToRegExp('*.bin').source).toBe('^[^/]*\\.bin$');
    expect(globToRegExp('a?').source).toBe('^a[^/]$');
    expect(globToRegExp('w/**').source).toBe('^w\\/.*$');
  });
});
