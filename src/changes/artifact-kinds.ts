/** Guessing an artifact's role and format from its file name; the user can override both. */
import type { ArtifactEntry } from '../registry/types.js';

type Role = NonNullable<ArtifactEntry['role']>;

const WEIGHT_FORMATS: Record<string, string> = {
  safetensors: 'safetensors',
  gguf: 'gguf',
  ggml: 'ggml',
  onnx: 'onnx',
  pt: 'pt',
  pth: 'pt',
  bin: 'bin',
  ckpt: 'ckpt',
  h5: 'keras',
  keras: 'keras',
  joblib: 'joblib',
  pkl: 'pickle',
  pickle: 'pickle',
  tflite: 'tflite',
  mlmodel: 'coreml',
  msgpack: 'msgpack',
  pb: 'tensorflow',
  engine: 'tensorrt',
  plan: 'tensorrt',
  xgb: 'xgboost',
  ubj: 'xgboost',
  lgb: 'lightgbm',
  cbm: 'catboost',
  npz: 'npz',
};

export function guessKind(path: string): { role: Role; format: string } {
  const name = path.split('/').pop()!.toLowerCase();
  const ext = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : '';
  const format = WEIGHT_FORMATS[ext] ?? (ext || 'binary');
  if (name.startsWith('adapter_') || name.startsWith('adapter-')) return { role: 'adapter', format };
  if (
    /^tokenizer.*\.(json|model)$/.test(name) ||
    name === 'special_tokens_map.json' ||
    name === 'merges.txt' ||
    name.endsWith('.tiktoken') ||
    name === 'spiece.model' ||
    name === 'sentencepiece.model'
  ) {
    return { role: 'tokenizer', format };
  }
  if (/^vocab\.(txt|json)$/.test(name)) return { role: 'vocabulary', format };
  if (name === 'preprocessor_config.json' || name === 'feature_extractor_config.json' || name === 'processor_config.json')
    return { role: 'preprocessor', format };
  if (
    name === 'config.json' ||
    name === 'generation_config.json' ||
    name.endsWith('_config.json') ||
    name.endsWith('.config.json') ||
    ['yaml', 'yml', 'toml'].includes(ext)
  )
    return { role: 'config', format };
  if (WEIGHT_FORMATS[ext]) return { role: 'weights', format };
  if (ext === 'md' || name.startsWith('license') || name.startsWith('readme')) return { role: 'documentation', format };
  if (['py', 'js', 'ts', 'sh'].includes(ext)) return { role: 'code', format };
  return { role: 'other', format };
}

/** `*` within a segment, `**` across segments, `?` one character. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      re += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i++;
      if (glob[i + 1] === '/') i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
