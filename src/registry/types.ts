/** The manifest shapes, as the schemas in schemas/ define them. */

export type Scalar = string | number | boolean | null;

export interface ArtifactEntry {
  path: string;
  sha256: string;
  size: number;
  format?: string;
  role?: 'weights' | 'config' | 'tokenizer' | 'adapter' | 'vocabulary' | 'preprocessor' | 'code' | 'documentation' | 'other';
}

export interface TensorSpec {
  name: string;
  dtype?: string;
  shape?: (number | string | null)[];
  description?: string;
}

export interface LineageParent {
  model: string;
  version: string;
  relation?: string;
}

export interface Lineage {
  parents?: LineageParent[];
  datasets?: { uri: string; sha256?: string; name?: string; split?: string }[];
  code?: { repository: string; commit: string; path?: string };
  environment?: { python?: string; image?: string; hardware?: string; packages?: Record<string, string> };
}

export interface DeprecationMark {
  at: string;
  by: string;
  reason?: string;
}

export interface VersionManifest {
  name: string;
  version: string;
  framework?: string;
  type?: string;
  description?: string;
  artifacts: ArtifactEntry[];
  metrics?: Record<string, number>;
  params?: Record<string, Scalar>;
  tags?: Record<string, string>;
  signature?: { inputs?: TensorSpec[]; outputs?: TensorSpec[] };
  lineage?: Lineage;
  created_by: string;
  created_at: string;
  deprecated?: DeprecationMark;
}

export interface ModelManifest {
  name: string;
  description?: string;
  owners: string[];
  task?: string;
  tags?: Record<string, string>;
  intended_use?: string;
  limitations?: string;
  license?: string;
}

export interface StageManifest {
  model: string;
  stage: string;
  version: string;
  moved_by: string;
  moved_at: string;
  reason?: string;
  previous?: string | null;
  /** A split (canary, A/B, shadow): weighted arms in the assignment order, the main holder last, and shadows. */
  arms?: StageArm[];
}

/** An arm of a split stage: a weighted version, or a shadow (mirrored traffic, no answer, no weight). */
export interface StageArm {
  version: string;
  weight?: number;
  shadow?: true;
}

export interface MetricGate {
  min?: number;
  max?: number;
}

export interface RegressionGate {
  better: 'higher' | 'lower';
  tolerance?: number;
}

export interface StageGates {
  metrics?: Record<string, MetricGate>;
  no_regression?: Record<string, RegressionGate>;
  required_tags?: string[];
  required_lineage?: ('parents' | 'datasets' | 'code' | 'environment')[];
  approvals?: { count: number; from?: string[] };
}

export interface StagePolicy {
  name: string;
  description?: string;
  from?: string[];
  gates?: StageGates;
  /** Once held, never emptied: the stage file is replaced (a promotion) or rolled back, never deleted. */
  never_empty?: boolean;
  /** Whether the stage may be split between versions, and how weight may grow: `false` forbids splits. */
  split?: boolean | SplitPolicy;
}

/** How the weight of a version in a split stage may grow. */
export interface SplitPolicy {
  /** The most a version's weight may grow in one change, in percentage points. */
  max_step?: number;
  /** How long a weight is held before it may grow again: 30m, 24h, 2d, 1d12h. */
  soak?: string;
}

export interface RegistryPolicy {
  apiVersion: 'modelreg/v1';
  description?: string;
  artifacts: {
    store: string;
    s3?: { endpoint?: string; region?: string; force_path_style?: boolean; checksums?: 'when_supported' | 'when_required' };
  };
  stages: StagePolicy[];
}

export type ManifestKind = 'registry' | 'model' | 'version' | 'stage';
