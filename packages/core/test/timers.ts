/**
 * Counts live `Timeout` objects through async_hooks, unref'd ones included: process.getActiveResourcesInfo()
 * lists only the ones that keep the event loop alive, and rate-limiter-flexible's per-key timers are unref'd.
 */
import { createHook } from 'node:async_hooks';

export function countTimers(): { live(): number; stop(): void } {
  const ids = new Set<number>();
  const hook = createHook({
    init(id, type) {
      if (type === 'Timeout') ids.add(id);
    },
    destroy(id) {
      ids.delete(id);
    },
  }).enable();
  return { live: () => ids.size, stop: () => void hook.disable() };
}
