/**
 * Deployment threat assessment: `assessDeployment`, the deployment schema, the versioned threat catalog
 * and the audit-evidence helper. Pure and runtime-agnostic.
 * @module
 */
export { type AssessOptions, assessDeployment, BUILT_IN_CONTROLS } from './assess.js';
export {
  ATLAS_TECHNIQUES,
  CATALOG_VERSION,
  CWE_NAMES,
  catalogSchema,
  loadCatalog,
  NIST_AI_RMF,
  OWASP_LLM_2025,
  THREAT_CATALOG,
  threatSchema,
} from './catalog.js';
export type { ControlDefinition } from './control-kit.js';
export {
  type Deployment,
  type DeploymentInput,
  deploymentSchema,
  HIGH_IMPACT_CAPABILITIES,
  parseDeployment,
  TOOL_CAPABILITIES,
} from './deployment.js';
export { auditEvidence } from './evidence.js';
export { MEASURE_IDS, type MeasuredLine, measuredLines } from './measured.js';
export { levelOf, RISK_LEVELS } from './score.js';
export type * from './types.js';
