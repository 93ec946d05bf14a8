/**
 * modelreg as a library: the same reads as the CLI, without spawning it.
 *
 *   import { Registry } from 'modelreg';
 *   const reg = await Registry.open({ dir: '/srv/registry' });
 *   const prod = await reg.resolve('sentiment@production');
 *
 * The pure core (parsing, snapshot, validation, gates) is exported too, for tools that bring their own files.
 */
export { Registry, validateRevisions } from './api/registry.js';
export type { OpenOptions, ResolvedVersion, ResolvedArtifact, ModelSummary, ListFilters, Comparison, LineageReport } from './api/registry.js';
export { storeLocation, objectUri } from './api/store-location.js';
export { renderCard } from './review/card.js';

export { ModelregError, type ErrorCode } from './registry/errors.js';
export { FINDING_CODES, type Finding, type FindingCode, type Severity, sortFindings, hasErrors, formatLocation } from './registry/findings.js';
export { parseRef, formatRef, resolveRef, latestVersion, type Ref, type Selector, type Resolved } from './registry/refs.js';
export { buildSnapshot, type Snapshot, type TreeFile, type ModelEntry, type Loaded, type ParseCache, type LoadOptions } from './registry/snapshot.js';
export { assignArm, assignmentBucket, assertWeights, BUCKETS, type Arm } from './registry/assignment.js';
export { splitOf, splitGains, describeSplit, type SplitGain } from './registry/split.js';
export { renderDeploy, backendName, RENDER_TARGETS, type RenderTarget, type RenderInput, type RenderArm, type RenderOptions } from './render/deploy.js';
export { renderStage } from './api/render.js';
export { buildLineage, findCycles, lineageTree, type LineageGraph, type LineageEdge, type LineageTree } from './registry/lineage.js';
export { paths, classifyPath, schemaModeline, POLICY_FILE } from './registry/layout.js';
export type * from './registry/types.js';

export { parseManifestYaml, DEFAULT_YAML_LIMITS, type ParsedYaml, type YamlLimits } from './schema/yaml.js';
export { validateSchema, SCHEMAS } from './schema/schemas.js';
export { validateTree, validateChange, type TreeReport, type ChangeReport } from './checks/validate.js';
export { checkChange, soakedStageFiles, type ChangeSummary, type StageMove, type ChangeTiming } from './checks/change.js';
export { evaluateGates, evaluateSplitGates, entryStages, type GateResult, type GateInput, type SplitGateInput } from './checks/gates.js';

export { modelHistory, registryHistory, type HistoryEvent, type HistoryKind } from './git/history.js';
export { compactHistory, expandHistory, type CompactHistory, type CompactEvent, type HistoryCommit } from './registry/history.js';
export { findRegistryRoot, openSource } from './git/open.js';
export { GitRevisionSource, WorkTreeSource, type RegistrySource, type ReadScope } from './git/sources.js';
export { IsoRevisionSource } from './git/iso-source.js';
