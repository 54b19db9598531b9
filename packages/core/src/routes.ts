/**
 * Route policy lookup: `"METHOD /path"` or `"/path"` keys, with a trailing `*` for prefixes.
 *
 * The policy must be chosen by the same matching the framework uses to dispatch the request, or a
 * stricter one: otherwise `POST /V1/CHAT` reaches the `/v1/chat` handler without the route's policy.
 * Default routing, measured against each framework (see routes.test.ts and the conformance suite):
 * - Express 5 / @koa/router / Nest on Express (path-to-regexp 8): case-insensitive, one optional
 *   trailing slash; no percent-decoding, dot segments or duplicate slashes resolved.
 * - Hono 4: case-sensitive and strict, but the path is percent-decoded (honojs/hono#2714, `%2F` kept)
 *   and, built through the WHATWG URL parser, has its dot segments (`.`, `%2e`) resolved.
 * - Nest on Fastify (find-my-way): case-sensitive, strict, percent-decoded; `;` splits the path only
 *   with `useSemicolonDelimiter` (off by default since find-my-way 8).
 * So keys and request paths are compared in a canonical form coarser than all of these: decoded once,
 * `\` read as `/`, `;params` dropped, dot segments resolved, empty segments dropped, case folded. A
 * path that needed normalising is a variant: it gets the route's policy unless that policy loosens
 * the global one (`skip`, a stage turned off), because a case-sensitive framework may dispatch the
 * variant elsewhere. A path with two readings that select different routes (`;` cut or not) is
 * reported as a conflict, which the pipeline refuses.
 * @module
 */
import type { ResolvedOptions } from './config/schema.js';
import type { Block } from './stage.js';

interface Entry<T> {
  key: string;
  value: T;
  method?: string;
  /** The key's path as written (without the trailing `*` for prefixes). */
  raw: string;
  /** Canonical form of `raw`. */
  canon: string;
  /** A `*` key: matches `raw` and everything under it. */
  prefix: boolean;
  /** The prefix ends in `/`: `/internal/*` matches `/internal` and `/internal/x`, not `/internals`. */
  slash: boolean;
}

export interface RouteMatch<T> {
  key: string;
  value: T;
  /**
   * True when the request spelled the path as the key does (or, for a prefix, spelled the prefix as
   * written and nothing that normalisation would move after it): every router dispatches it there.
   */
  exact: boolean;
  /** Set when another reading of the path selects another route (or none): the key it selects. */
  conflict?: string;
}

export interface RouteTable<T> {
  match(method: string, path: string): RouteMatch<T> | undefined;
}

function parseKey(key: string): { method?: string; path: string } {
  const space = key.indexOf(' ');
  if (space === -1) return { path: key.trim() };
  return { method: key.slice(0, space).trim().toUpperCase(), path: key.slice(space + 1).trim() };
}

const HEX = (c: number): number =>
  c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 55 : c >= 0x61 && c <= 0x66 ? c - 87 : -1;

let utf8: TextDecoder | undefined;

/** Decodes `%XX` escapes once (invalid UTF-8 becomes U+FFFD, a malformed `%` stays). Linear, no regex. */
function percentDecode(path: string): string {
  if (path.indexOf('%') === -1) return path;
  let out = '';
  let bytes: number[] = [];
  const flush = () => {
    if (bytes.length === 0) return;
    utf8 ??= new TextDecoder('utf-8');
    out += utf8.decode(new Uint8Array(bytes));
    bytes = [];
  };
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === 0x25 && i + 2 < path.length) {
      const hi = HEX(path.charCodeAt(i + 1));
      const lo = HEX(path.charCodeAt(i + 2));
      if (hi >= 0 && lo >= 0) {
        bytes.push(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    flush();
    out += path[i];
  }
  flush();
  return out;
}

/**
 * True when `canonicalPath(path)` would return `path` itself: lower-case ASCII, no `%`, `;`, `\`,
 * control characters, empty or dot segments, no trailing slash. One pass over the characters.
 */
function isCanonical(path: string): boolean {
  if (path.length === 0 || path.charCodeAt(0) !== 0x2f) return false;
  if (path.length > 1 && path.charCodeAt(path.length - 1) === 0x2f) return false;
  let segmentStart = 1;
  for (let i = 1; i <= path.length; i++) {
    const c = i < path.length ? path.charCodeAt(i) : 0x2f;
    if (c === 0x2f) {
      const len = i - segmentStart;
      if (len === 0 && i < path.length) return false;
      if (len === 1 && path.charCodeAt(segmentStart) === 0x2e) return false;
      if (len === 2 && path.charCodeAt(segmentStart) === 0x2e && path.charCodeAt(segmentStart + 1) === 0x2e)
        return false;
      segmentStart = i + 1;
      continue;
    }
    if (c < 0x21 || c > 0x7e || c === 0x25 || c === 0x3b || c === 0x5c || (c >= 0x41 && c <= 0x5a))
      return false;
  }
  return true;
}

/**
 * The canonical form of a request path or route key path: what the most lenient router would look
 * up. `cutAtSemicolon` reads `;` as the end of the path (find-my-way's `useSemicolonDelimiter`)
 * instead of as the start of one segment's parameters.
 * @example
 * canonicalPath('/V1//x/../%63hat;v=1/') // '/v1/chat'
 */
export function canonicalPath(path: string, cutAtSemicolon = false): string {
  if (!cutAtSemicolon && isCanonical(path)) return path;
  let p = path;
  if (cutAtSemicolon) {
    const semi = p.indexOf(';');
    if (semi !== -1) p = p.slice(0, semi);
  }
  p = percentDecode(p);
  const segments: string[] = [];
  let start = 0;
  for (let i = 0; i <= p.length; i++) {
    const c = i < p.length ? p.charCodeAt(i) : 0x2f;
    // WHATWG URLs read `\` as `/` in http(s) paths and drop tabs and newlines.
    if (c !== 0x2f && c !== 0x5c) continue;
    let segment = p.slice(start, i);
    start = i + 1;
    if (segment.indexOf('\t') !== -1 || segment.indexOf('\n') !== -1 || segment.indexOf('\r') !== -1) {
      segment = segment.replace(/[\t\n\r]/g, '');
    }
    const semi = segment.indexOf(';');
    if (semi !== -1) segment = segment.slice(0, semi);
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      segments.pop();
      continue;
    }
    segments.push(segment);
  }
  const joined = `/${segments.join('/')}`;
  // Lower, upper, lower: every pair a case-insensitive RegExp (with or without the u flag) equates, e.g.
  // "ς"/"σ" or "ẞ"/"ß"/"ss", ends up the same here, and a second pass changes nothing. ASCII takes the
  // cheap path.
  for (let i = 0; i < joined.length; i++) {
    if (joined.charCodeAt(i) > 0x7f) return joined.toLowerCase().toUpperCase().toLowerCase();
  }
  return joined.toLowerCase();
}

/** True when `rest` (what follows a literal prefix) holds nothing a router could normalise away. */
function isPlainRemainder(rest: string): boolean {
  let segmentStart = 0;
  for (let i = 0; i <= rest.length; i++) {
    const c = i < rest.length ? rest.charCodeAt(i) : 0x2f;
    if (c === 0x25 || c === 0x3b || c === 0x5c || c < 0x20) return false;
    if (c !== 0x2f) continue;
    const segment = rest.slice(segmentStart, i);
    if (segment === '.' || segment === '..' || (segment === '' && i > 0 && i < rest.length)) return false;
    segmentStart = i + 1;
  }
  return true;
}

/**
 * Problems with a set of route keys: two keys that name the same route once paths are canonical
 * (`/v1/chat` and `/V1/Chat/`, which Express dispatches to the same handler). Reported at factory time.
 */
export function routeKeyIssues(keys: Iterable<string>): string[] {
  const seen = new Map<string, string>();
  const issues: string[] = [];
  for (const key of keys) {
    const { method, path } = parseKey(key);
    const prefix = path.endsWith('*');
    const id = `${method ?? '*'} ${prefix ? 'prefix:' : ''}${canonicalPath(prefix ? path.slice(0, -1) : path)}${prefix && path.slice(0, -1).endsWith('/') ? '/' : ''}`;
    const other = seen.get(id);
    if (other !== undefined) {
      issues.push(
        `routes["${key}"]: names the same route as routes["${other}"] (paths are matched case-insensitively, ignoring trailing and duplicate slashes, dot segments, %-escapes and ;parameters, as the most lenient router does); merge the two`,
      );
    } else seen.set(id, key);
  }
  return issues;
}

/** The refusal of a path whose readings select different routes (a `conflict`). */
export const PATH_CONFLICT: Block = {
  status: 400,
  code: 'ERR_VALIDATION_PATH',
  reason: 'Request path is ambiguous: its readings select different route policies',
};

/** True when `route` is laxer than `global` in a way a path variant must not inherit. */
export function loosens(route: ResolvedOptions, global: ResolvedOptions): boolean {
  if (route.skip && !global.skip) return true;
  if (route.mode === 'monitor' && global.mode === 'enforce') return true;
  for (const stage of ['access', 'rate', 'validation', 'detection', 'output'] as const) {
    if (global[stage].enabled && !route[stage].enabled) return true;
  }
  return route.access.dangerouslyAllowAnonymous && !global.access.dangerouslyAllowAnonymous;
}

/** Builds the lookup table once, at factory time. */
export function createRouteTable<T>(entries: Iterable<[string, T]>): RouteTable<T> {
  const exact = new Map<string, Entry<T>>();
  const prefixes: Entry<T>[] = [];
  for (const [key, value] of entries) {
    const { method, path } = parseKey(key);
    if (path.endsWith('*')) {
      const raw = path.slice(0, -1);
      prefixes.push({
        key,
        value,
        method,
        raw,
        canon: canonicalPath(raw),
        prefix: true,
        slash: raw.endsWith('/'),
      });
    } else {
      const canon = canonicalPath(path);
      const id = `${method ?? '*'} ${canon}`;
      if (!exact.has(id))
        exact.set(id, { key, value, method, raw: path, canon, prefix: false, slash: false });
    }
  }
  prefixes.sort((a, b) => b.canon.length - a.canon.length || (a.method ? -1 : 1));

  // Frameworks answer HEAD with the GET handler: a HEAD request gets the GET route's policy.
  const methodMatches = (routeMethod: string | undefined, method: string) =>
    !routeMethod || routeMethod === method || (method === 'HEAD' && routeMethod === 'GET');

  function lookup(method: string, canon: string): Entry<T> | undefined {
    if (exact.size > 0) {
      const hit =
        exact.get(`${method} ${canon}`) ??
        (method === 'HEAD' ? exact.get(`GET ${canon}`) : undefined) ??
        exact.get(`* ${canon}`);
      if (hit) return hit;
    }
    for (const route of prefixes) {
      if (!methodMatches(route.method, method)) continue;
      const c = route.canon;
      const under =
        c === '/' ||
        canon === c ||
        (canon.startsWith(c) && (!route.slash || canon.charCodeAt(c.length) === 0x2f));
      if (under) return route;
    }
    return undefined;
  }

  function isExact(entry: Entry<T>, path: string): boolean {
    if (!entry.prefix) return path === entry.raw;
    return path.startsWith(entry.raw) && isPlainRemainder(path.slice(entry.raw.length));
  }

  return {
    match(methodIn, path) {
      const method = methodIn.toUpperCase();
      const primary = lookup(method, canonicalPath(path));
      const cut = path.indexOf(';') === -1 ? primary : lookup(method, canonicalPath(path, true));
      const entry = primary ?? cut;
      if (!entry) return undefined;
      const other = entry === primary ? cut : primary;
      return {
        key: entry.key,
        value: entry.value,
        exact: isExact(entry, path),
        ...(other !== entry ? { conflict: other?.key ?? '(no route)' } : {}),
      };
    },
  };
}
