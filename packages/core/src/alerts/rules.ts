/**
 * The alert rule engine: counts matching incidents per rule and group over a window and emits at most
 * two alerts per group and window: one when the threshold is reached, and one aggregate at the end of
 * the window if more incidents arrived after that. An attack of thousands of requests thus produces a
 * handful of alerts, each carrying its count.
 * @module
 */
import type { Incident } from '../incidents/types.js';
import { createStoreGuard, type StoreGuard } from '../rate/store-guard.js';
import { compareSeverity } from '../risk.js';
import type { Alert, AlertRule } from './types.js';
import type { AlertWindowStore } from './window-store.js';

export interface AlertEngineOptions {
  rules: AlertRule[];
  onAlert: (alert: Alert) => void;
  model: string;
  instance: string;
  /** Groups tracked at once; the oldest window is closed beyond this. Default 10,000. */
  maxGroups?: number;
  /** Clock (tests). */
  now?: () => number;
  /**
   * Shared windows (`stores.alerts`): one threshold alert and one aggregate per group and window for the
   * whole fleet. When the store fails, the incident is counted in this instance's windows instead.
   */
  shared?: AlertWindowStore;
  /** @internal The shield's guard of `shared`. */
  sharedGuard?: StoreGuard;
  /** Longest wait for the shared store, ms. Default 250. */
  storeTimeoutMs?: number;
  /** Called when the shared store failed and this instance's windows were used. */
  onStoreError?: (error: unknown) => void;
}

export interface AlertEngine {
  observe(incident: Incident): void;
  /** Closes every open window, emitting pending aggregates (shutdown). */
  flush(): Promise<void>;
}

interface Group {
  rule: Required<AlertRule>;
  key: string;
  start: number;
  count: number;
  firedAt?: number;
  first: number;
  last: number;
  samples: Alert['samples'];
  timer?: ReturnType<typeof setTimeout>;
}

const compact = (incident: Incident): Alert['samples'][number] => ({
  type: incident.type,
  severity: incident.severity,
  ...(incident.clientIp ? { clientIp: incident.clientIp } : {}),
  ...(incident.identity ? { identity: incident.identity } : {}),
  ...(incident.requestId ? { requestId: incident.requestId } : {}),
  ...(incident.route ? { route: incident.route } : {}),
  ...(incident.code ? { code: incident.code } : {}),
});

/**
 * Creates the engine. Timers are created only when a group fires, and unref'd on Node.
 * @example
 * const engine = createAlertEngine({ rules: DEFAULT_ALERT_RULES, onAlert: dispatch, model: 'chat', instance: 'a' });
 */
export function createAlertEngine(options: AlertEngineOptions): AlertEngine {
  const now = options.now ?? Date.now;
  const maxGroups = options.maxGroups ?? 10_000;
  const rules = options.rules.map(
    (rule): Required<AlertRule> => ({
      name: rule.name,
      types: rule.types ?? [],
      minSeverity: rule.minSeverity ?? 'low',
      threshold: rule.threshold ?? 1,
      windowSec: rule.windowSec ?? 300,
      groupBy: rule.groupBy ?? 'type',
    }),
  );
  const groups = new Map<string, Group>();

  function emit(group: Group, phase: Alert['phase']): void {
    const { rule } = group;
    const severity = group.samples.reduce(
      (acc, s) => (compareSeverity(s.severity, acc) > 0 ? s.severity : acc),
      rule.minSeverity,
    );
    const what = rule.types.length > 0 ? rule.types.join('/') : 'incidents';
    const who = rule.groupBy === 'none' ? '' : ` for ${rule.groupBy} ${group.key}`;
    const title =
      phase === 'threshold'
        ? `${rule.name}: ${group.count} ${what}${who} within ${rule.windowSec} s`
        : `${rule.name}: ${group.count} ${what} in total${who} during the ${rule.windowSec} s window`;
    const message = [
      title,
      `Model: ${options.model} (instance ${options.instance})`,
      `Window: ${new Date(group.start).toISOString()} + ${rule.windowSec} s; first ${new Date(group.first).toISOString()}, last ${new Date(group.last).toISOString()}`,
      ...group.samples.map(
        (s) =>
          `- ${s.type} (${s.severity})${s.clientIp ? ` ip=${s.clientIp}` : ''}${s.identity ? ` identity=${s.identity}` : ''}${s.route ? ` route=${s.route}` : ''}${s.code ? ` ${s.code}` : ''}${s.requestId ? ` request=${s.requestId}` : ''}`,
      ),
    ].join('\n');
    options.onAlert({
      id: crypto.randomUUID(),
      rule: rule.name,
      key: group.key,
      severity,
      title,
      message,
      count: group.count,
      windowSec: rule.windowSec,
      firstAt: new Date(group.first).toISOString(),
      lastAt: new Date(group.last).toISOString(),
      phase,
      samples: group.samples,
      model: options.model,
      instance: options.instance,
    });
  }

  function close(id: string, group: Group): void {
    if (group.timer) clearTimeout(group.timer);
    groups.delete(id);
    if (group.firedAt !== undefined && group.count > group.firedAt) emit(group, 'aggregate');
  }

  const shared = options.shared;
  const guard = shared ? (options.sharedGuard ?? createStoreGuard(shared.kind)) : undefined;
  const timeoutMs = options.storeTimeoutMs ?? 250;
  /** Shared windows this instance fired, waiting for their end (to send the aggregate). */
  const open = new Map<string, { group: Group; timer: ReturnType<typeof setTimeout> }>();

  function observe(incident: Incident): void {
    const at = now();
    for (const rule of rules) {
      if (rule.types.length > 0 && !rule.types.includes(incident.type)) continue;
      if (compareSeverity(incident.severity, rule.minSeverity) < 0) continue;
      // Alert failures never alert on themselves (a dead channel would loop).
      if (incident.type === 'alert_failure' && !rule.types.includes('alert_failure')) continue;
      const key =
        rule.groupBy === 'none'
          ? '*'
          : rule.groupBy === 'type'
            ? incident.type
            : (incident[rule.groupBy] ?? 'unknown');
      const id = `${rule.name}\u0000${key}`;
      if (shared) void observeShared(rule, key, id, incident, at);
      else observeLocal(rule, key, id, incident, at);
    }
  }

  async function observeShared(
    rule: Required<AlertRule>,
    key: string,
    id: string,
    incident: Incident,
    at: number,
  ): Promise<void> {
    let result: Awaited<ReturnType<AlertWindowStore['hit']>>;
    try {
      result = await guard!.call(
        () =>
          shared!.hit({
            id,
            at,
            windowSec: rule.windowSec,
            threshold: rule.threshold,
            sample: compact(incident),
          }),
        () => shared!.probe(),
        timeoutMs,
      );
    } catch (error) {
      options.onStoreError?.(error);
      observeLocal(rule, key, id, incident, at);
      return;
    }
    if (!result.fire) return;
    const group: Group = {
      rule,
      key,
      start: result.start,
      count: result.count,
      firedAt: result.count,
      first: result.start,
      last: at,
      samples: result.samples.slice(0, 5),
    };
    emit(group, 'threshold');
    const previous = open.get(id);
    if (previous) clearTimeout(previous.timer);
    const timer = setTimeout(
      () => void closeShared(id, group),
      Math.max(0, result.start + rule.windowSec * 1000 - now()),
    );
    (timer as { unref?: () => void }).unref?.();
    open.set(id, { group, timer });
  }

  async function closeShared(id: string, group: Group): Promise<void> {
    const entry = open.get(id);
    if (entry?.group === group) {
      clearTimeout(entry.timer);
      open.delete(id);
    }
    try {
      const closed = await guard!.call(
        () => shared!.close(id, group.start),
        () => shared!.probe(),
        timeoutMs,
      );
      if (!closed || closed.count <= group.firedAt!) return;
      group.count = closed.count;
      group.last = closed.last;
      if (closed.samples.length > 0) group.samples = closed.samples.slice(0, 5);
      emit(group, 'aggregate');
    } catch (error) {
      options.onStoreError?.(error);
    }
  }

  function observeLocal(
    rule: Required<AlertRule>,
    key: string,
    id: string,
    incident: Incident,
    at: number,
  ): void {
    let group = groups.get(id);
    if (group && at - group.start >= rule.windowSec * 1000) {
      close(id, group);
      group = undefined;
    }
    if (!group) {
      if (groups.size >= maxGroups) {
        const [oldestId, oldest] = groups.entries().next().value!;
        close(oldestId, oldest);
      }
      group = { rule, key, start: at, count: 0, first: at, last: at, samples: [] };
      groups.set(id, group);
    }
    group.count++;
    group.last = at;
    if (group.samples.length < 5) group.samples.push(compact(incident));
    if (group.firedAt === undefined && group.count >= rule.threshold) {
      group.firedAt = group.count;
      emit(group, 'threshold');
      const current = group;
      const timer = setTimeout(() => {
        if (groups.get(id) === current) close(id, current);
      }, rule.windowSec * 1000);
      (timer as { unref?: () => void }).unref?.();
      group.timer = timer;
    }
  }

  async function flush(): Promise<void> {
    for (const [id, group] of [...groups]) close(id, group);
    await Promise.all([...open].map(([id, { group }]) => closeShared(id, group)));
  }

  return { observe, flush };
}
