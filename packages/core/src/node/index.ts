/**
 * @ai-shield/core/node: Node-only implementations (Redis rate store, file audit sink, SMTP alerter),
 * injected into `createShield()` through options.
 * @module
 */

export { orderAuditFiles, readAuditEntries, readCheckpointFiles, verifyAuditFiles } from './audit-files.js';
export {
  type AuditChainFiles,
  type FleetChainResult,
  type FleetVerifyOptions,
  type FleetVerifyResult,
  findAuditChains,
  mergeAuditChains,
  verifyAuditFleet,
} from './audit-fleet.js';
export {
  type AuditHeadsOptions,
  createFileAuditHeads,
  createRedisAuditHeads,
  type RedisAuditHeadsOptions,
  withAuditHeads,
} from './audit-heads.js';
export { createFileSink, type FileSink, type FileSinkOptions } from './file-sink.js';
export { bodyLimits, type NodeRequestOptions, nodeHeaders, toShieldRequestFromNode } from './node-request.js';
export { type NodeSinkOptions, withNodeSinks } from './node-sinks.js';
export {
  attackProbability,
  createOnnxDetector,
  type OnnxDetector,
  type OnnxDetectorOptions,
  type OrtRuntime,
  type OrtSession,
  type TextTokenizer,
  type TokenizedText,
} from './onnx-detector.js';
export { readNodeBody } from './read-body.js';
export { createRedisBudgetStore, type RedisBudgetStoreOptions } from './redis-budget-store.js';
export { createRedisNonceStore, type RedisNonceStoreOptions } from './redis-nonce-store.js';
export { createRedisStore, type RedisStoreOptions } from './redis-store.js';
export { createRedisStores, type RedisStores, type RedisStoresOptions } from './redis-stores.js';
export {
  alertEmail,
  createSmtpAlerter,
  resolveEmailOptions,
  type SmtpAlerterOptions,
} from './smtp-alerter.js';
export { webRequestFromNode, webResponseParts } from './web-request.js';
