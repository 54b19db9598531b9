/**
 * The dashboard and Prometheus endpoints of every example: the dashboard at /ai-shield/ when
 * AI_SHIELD_DASHBOARD_TOKEN is set (16+ characters, e.g. `openssl rand -hex 32`), GET /metrics when
 * AI_SHIELD_METRICS=1. Each app mounts them before the shield, so their own requests are neither
 * rate-limited nor counted as traffic.
 * @param {Record<string, string | undefined>} env process.env, or a Worker's bindings
 */
export function exampleEndpoints(env = globalThis.process?.env ?? {}) {
  const token = env.AI_SHIELD_DASHBOARD_TOKEN;
  return {
    dashboard: token ? { token, path: '/ai-shield' } : undefined,
    metrics: env.AI_SHIELD_METRICS === '1' ? { path: '/metrics' } : undefined,
  };
}
