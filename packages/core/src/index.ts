/**
 * @ai-shield/core: the framework-free engine. Web-standard APIs only; Node-only parts live in
 * `@ai-shield/core/node`.
 * @module
 */
export { createAlertDispatcher } from './alerts/dispatcher.js';
export { createAlertEngine } from './alerts/rules.js';
export { type Alert, type Alerter, type AlertRule, DEFAULT_ALERT_RULES } from './alerts/types.js';
export {
  createConsoleAlerter,
  createWebhookAlerter,
  signWebhook,
  type WebhookAlerterOptions,
} from './alerts/webhook.js';
export type * from './alerts/window-store.js';
export { createMemoryAlertWindowStore } from './alerts/window-store.js';
export { canonicalJson } from './audit/canonical.js';
export { type AuditLog, type AuditLogOptions, createAuditLog } from './audit/log.js';
export { createMemorySink, type MemorySink } from './audit/memory-sink.js';
export { type EmailOptions, emailOptionsSchema } from './audit/options.js';
export { redactSecrets, redactValue } from './audit/summarize.js';
export type * from './audit/types.js';
export { GENESIS_HASH } from './audit/types.js';
export {
  type AuditVerifier,
  createAuditVerifier,
  type VerifyError,
  type VerifyFailure,
  type VerifyOptions,
  type VerifyResult,
  verifyAuditLog,
} from './audit/verify.js';
export {
  type ApiKeyFailure,
  type ApiKeyMatch,
  type ApiKeyRing,
  type ApiKeyUsage,
  createApiKeyRing,
  generateApiKey,
  hashApiKey,
  type RotateOptions,
} from './auth/api-key.js';
export {
  createTokenIssuer,
  type IssueTokenInput,
  issueToken,
  ROLE_PATTERN,
  SUBJECT_PATTERN,
  type TokenIssuer,
  type TokenIssuerOptions,
} from './auth/jwt.js';
export { createMemoryNonceStore, type MemoryNonceStoreOptions, type NonceStore } from './auth/nonce-store.js';
export {
  type ApiKeyRecord,
  type ApiKeysOptions,
  JWT_ALGORITHMS,
  type JwtAlgorithm,
  type JwtKeyOptions,
  type JwtOptions,
} from './auth/options.js';
export {
  type BudgetOptions,
  budgetOptionsSchema,
  type ConcurrencyOptions,
  concurrencyOptionsSchema,
  type TokenWindow,
} from './budget/options.js';
export type { ModelSpend, Overspend } from './budget/spend.js';
export type { BudgetState, LeaseState } from './budget/stage.js';
export {
  type AcquireResult,
  type BudgetCharge,
  type BudgetStore,
  createMemoryBudgetStore,
  type LeaseSlot,
  type MemoryBudgetStoreOptions,
  type ReserveResult,
} from './budget/store.js';
export { estimateTokens, type PromptShape, readPrompt, type TokenCounter } from './budget/tokens.js';
export { deltaTextOf, outputTextOf, type Usage, usageOf } from './budget/usage.js';
export { ENV_SETTINGS, envFlag, optionsFromEnv, SEED_ENV } from './config/env.js';
export { PRESETS, type PresetName } from './config/presets.js';
export { resolveOptions } from './config/resolve.js';
export type {
  AccessOptions,
  DeepPartial,
  DetectionOptions,
  RateOptions,
  ResolvedOptions,
  RouteOverrides,
  ShieldLogger,
  ShieldOptions,
  ValidationOptions,
} from './config/schema.js';
export {
  createDashboardHandler,
  createMetricsHandler,
  type DashboardHandler,
  type HandlerContext,
  type MetricsHandler,
  type WebHandler,
} from './dashboard/handler.js';
export type { DashboardOptions, MetricsOptions } from './dashboard/options.js';
export {
  type BaselineMoments,
  type BaselineStore,
  createMemoryBaselineStore,
  type Moments,
} from './detection/baseline-store.js';
export {
  type BehaviorRecordInput,
  type BehaviorRecordResult,
  type BehaviorStore,
  createMemoryBehaviorStore,
  type MemoryBehaviorStoreOptions,
} from './detection/behavior-store.js';
export * from './detection/index.js';
export * from './errors.js';
export { incidentsFromEntry } from './incidents/derive.js';
export { createMemoryIncidentStore } from './incidents/memory-store.js';
export {
  type IncidentSummary,
  type IncidentSummaryOptions,
  summarizeIncidents,
} from './incidents/summary.js';
export type * from './incidents/types.js';
export { createNetworkCheck, type NetworkOptions, networkOptionsSchema } from './network/rules.js';
export * from './output/index.js';
export { createMemoryStore } from './rate/memory.js';
export type * from './rate/store.js';
export * from './risk.js';
export { createRouteTable, type RouteTable } from './routes.js';
export {
  createShield,
  isDenied,
  mergeDecisions,
  type Policy,
  type Problem,
  type ProtectOptions,
  type Shield,
  toProblem,
  toResponseProblem,
} from './shield.js';
export { createMemoryStores } from './stores/memory.js';
export type * from './stores/types.js';
export type { AuditChainStatus } from './telemetry/audit-watch.js';
export { PROMETHEUS_CONTENT_TYPE } from './telemetry/prometheus.js';
export type { RecorderSnapshot } from './telemetry/recorder.js';
export type { AuditStatus, ShieldTelemetry, TelemetrySnapshot } from './telemetry/telemetry.js';
export type { TopKEntry } from './telemetry/top-k.js';
export type * from './types.js';
export { isAllowedMediaType, mediaType } from './validation/content-type.js';
export {
  awaitBody,
  type BodyText,
  type BodyTimeoutReason,
  type BodyTimeouts,
  bodyTimeouts,
  DEFAULT_BODY_TIMEOUTS,
  readBodyText,
} from './validation/read-body.js';
export { hasInvisibleCharacters, sanitizeText } from './validation/sanitize.js';
export {
  type ChatSchemaOptions,
  chatSchema,
  createChatSchema,
  createTensorSchema,
  type TensorSchemaOptions,
  tensorSchema,
} from './validation/schemas.js';
