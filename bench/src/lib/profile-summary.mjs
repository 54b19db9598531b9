/**
 * Summaries of V8 profiles for the bench scripts: top self-time functions of a `.cpuprofile`, top
 * allocation sites of a sampling heap profile. Plain data in, text out.
 */

const frameName = (callFrame) => {
  const file = callFrame.url ? callFrame.url.split('/').slice(-2).join('/') : '';
  return `${callFrame.functionName || '(anonymous)'} ${file}${file ? `:${callFrame.lineNumber + 1}` : ''}`;
};

/** Self and inclusive time per function of a CPU profile (`node --cpu-prof`), largest first. */
export function cpuProfileSummary(profile, top = 30) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map();
  const inclusive = new Map();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    total += delta;
    const leaf = byId.get(profile.samples[i]);
    const name = frameName(leaf.callFrame);
    self.set(name, (self.get(name) ?? 0) + delta);
    const seen = new Set();
    for (let id = profile.samples[i]; id !== undefined; id = parent.get(id)) {
      const key = frameName(byId.get(id).callFrame);
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + delta);
    }
  }
  const rank = (map) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => `${((us / total) * 100).toFixed(1).padStart(5)}%  ${name}`);
  return { totalMs: total / 1000, self: rank(self), inclusive: rank(inclusive) };
}

/** Bytes per allocation site of a sampling heap profile (HeapProfiler.stopSampling), largest first. */
export function heapProfileSummary(profile, top = 25) {
  const sites = new Map();
  let total = 0;
  const walk = (node) => {
    const bytes = node.selfSize;
    if (bytes > 0) {
      const name = frameName(node.callFrame);
      sites.set(name, (sites.get(name) ?? 0) + bytes);
      total += bytes;
    }
    for (const child of node.children ?? []) walk(child);
  };
  walk(profile.head);
  const lines = [...sites]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, bytes]) => `${((bytes / total) * 100).toFixed(1).padStart(5)}%  ${name}`);
  return { totalBytes: total, lines };
}
