/**
 * Turns what the caller passed into resolved options: preset < environment < explicit options, validated
 * once, at factory time (helmet, hono). Every problem is reported at once, each naming its key.
 * @module
 */
import type { z } from 'zod';
import { AiShieldConfigError } from '../errors.js';
import { routeKeyIssues } from '../routes.js';
import { ignoredSeedNotice, optionsFromEnv } from './env.js';
import { PRESETS, type PresetName } from './presets.js';
import { optionsSchema, type ResolvedOptions, type ShieldOptions } from './schema.js';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Merges plain objects key by key; anything else (arrays, functions, schemas, stores) replaces. */
export function deepMerge(...layers: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const layer of layers) {
    if (!isPlainObject(layer)) continue;
    for (const [key, value] of Object.entries(layer)) {
      if (value === undefined) continue;
      out[key] = isPlainObject(value) && isPlainObject(out[key]) ? deepMerge(out[key], value) : value;
    }
  }
  return out;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = current;
    }
  }
  return row[b.length]!;
}

function knownKeysAt(path: PropertyKey[]): string[] {
  let schema: unknown = optionsSchema;
  for (const key of path) {
    const shape = (schema as { shape?: Record<string, unknown> }).shape;
    if (!shape) return [];
    schema = unwrap(shape[String(key)]);
  }
  const shape = (unwrap(schema) as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}

function unwrap(schema: unknown): unknown {
  let current = schema as { _zod?: { def?: { innerType?: unknown; options?: unknown[] } } } | undefined;
  for (let i = 0; i < 5 && current?._zod?.def; i++) {
    const def = current._zod.def;
    if (def.innerType) current = def.innerType as typeof current;
    else if (def.options)
      current = def.options.find((option) => (option as { shape?: unknown }).shape) as typeof current;
    else break;
  }
  return current;
}

function formatPath(prefix: string, path: PropertyKey[]): string {
  return [prefix, ...path.map(String)].filter(Boolean).join('.');
}

/** Human-readable issues with the key path and, for typos, the closest known key. */
export function formatIssues(error: z.ZodError, prefix = '', basePath: PropertyKey[] = []): string[] {
  return error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt([...basePath, ...issue.path]);
      return issue.keys
        .map((key) => {
          const best = known
            .map((candidate) => ({
              candidate,
              distance: editDistance(key.toLowerCase(), candidate.toLowerCase()),
            }))
            .sort((a, b) => a.distance - b.distance)[0];
          const hint = best && best.distance <= 3 ? ` Did you mean "${best.candidate}"?` : '';
          const where = formatPath(prefix, [...issue.path, key]);
          return `${where}: unknown option.${hint}${known.length ? ` Known options here: ${known.join(', ')}.` : ''}`;
        })
        .join('\n  - ');
    }
    return `${formatPath(prefix, issue.path) || '(options)'}: ${issue.message}`;
  });
}

export interface ResolvedConfig {
  options: ResolvedOptions;
  /** Resolved options per route key, already merged onto the globals. */
  routes: Map<string, ResolvedOptions>;
  /** Start-up notices (not errors), e.g. seed environment names present but not read. */
  notices: string[];
}

/**
 * Validates and resolves options. Throws `AiShieldConfigError` listing every problem.
 * @example
 * const { options } = resolveOptions({ preset: 'strict', env: process.env });
 */
export function resolveOptions(input: ShieldOptions = {}): ResolvedConfig {
  const issues: string[] = [];
  const {
    env,
    routes: rawRoutes,
    ...explicit
  } = input as ShieldOptions & { routes?: Record<string, unknown> };
  const seedEnv = (explicit as { seedEnv?: unknown }).seedEnv;
  const fromEnv = env
    ? optionsFromEnv(env, typeof seedEnv === 'boolean' ? { seedEnv } : {})
    : { options: {} as Record<string, unknown>, issues: [], ignored: [] };
  issues.push(...fromEnv.issues);
  const notice = ignoredSeedNotice(fromEnv.ignored);

  const presetName = (explicit.preset ?? fromEnv.options.preset ?? 'balanced') as PresetName;
  const preset = PRESETS[presetName] ?? {};
  const merged = deepMerge(preset, fromEnv.options, explicit);

  const parsed = optionsSchema.safeParse({ ...merged, routes: rawRoutes ?? {} });
  if (!parsed.success) issues.push(...formatIssues(parsed.error));

  const routes = new Map<string, ResolvedOptions>();
  if (parsed.success) {
    issues.push(...routeKeyIssues(Object.keys(parsed.data.routes)));
    for (const [key, override] of Object.entries(parsed.data.routes)) {
      if ('routes' in override) {
        issues.push(`routes["${key}"].routes: routes cannot be nested`);
        continue;
      }
      const route = optionsSchema.safeParse(deepMerge(merged, override));
      if (route.success) routes.set(key, route.data);
      else issues.push(...formatIssues(route.error, `routes["${key}"]`));
    }
  }
  if (issues.length > 0 || !parsed.success) throw new AiShieldConfigError(issues);
  return { options: parsed.data, routes, notices: notice ? [notice] : [] };
}
