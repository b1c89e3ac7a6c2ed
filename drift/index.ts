// The drift pillar: live answers against the documented shapes, every deviation classified.
// `devrev-gate run` and `devrev-gate drift` call runDrift; everything else is its parts.
export { type Baseline, loadBaseline } from './baseline.ts';
export { DRIFT_DEFAULTS, type DriftOptions, runDrift } from './engine.ts';
export { type IgnoreFile, loadIgnore } from '../api-model/ignore.ts';
export { driftCases, type DriftCase } from './requests.ts';
export { RULES, type RuleId } from './rules.ts';
export { renderDriftTable } from './table.ts';
