/**
 * Media-type matching for request bodies (RFC 9110 §8.3), and the one parameter that changes how the
 * bytes read: `charset`.
 * @module
 */

/** The media type of a Content-Type header value, lower-cased, without parameters. */
export function mediaType(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const semi = header.indexOf(';');
  return (semi === -1 ? header : header.slice(0, semi)).trim().toLowerCase() || undefined;
}

/**
 * True when `type` is accepted by one of `allowed`. `application/json` also accepts structured-syntax
 * suffixes (`application/problem+json`, `application/vnd.api+json`); `type/*` and `*\/*` are wildcards.
 */
export function isAllowedMediaType(type: string | undefined, allowed: readonly string[]): boolean {
  if (!type) return false;
  for (const entry of allowed) {
    const candidate = entry.toLowerCase();
    if (candidate === type || candidate === '*/*') return true;
    if (candidate.endsWith('/*') && type.startsWith(candidate.slice(0, -1))) return true;
    if (candidate === 'application/json' && type.startsWith('application/') && type.endsWith('+json'))
      return true;
  }
  return false;
}

/** Charsets whose bytes read correctly as UTF-8 (RFC 8259 §8.1: JSON exchanged between systems is UTF-8). */
const UTF8_COMPATIBLE = new Set(['utf-8', 'utf8', 'us-ascii']);

/**
 * The `charset` parameter of a Content-Type header value, lower-cased and unquoted, or `undefined`.
 * @example
 * charsetOf('application/json; charset="UTF-16"') // 'utf-16'
 */
export function charsetOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  let at = header.indexOf(';');
  while (at !== -1) {
    const next = header.indexOf(';', at + 1);
    const param = header.slice(at + 1, next === -1 ? undefined : next);
    const eq = param.indexOf('=');
    if (eq !== -1 && param.slice(0, eq).trim().toLowerCase() === 'charset') {
      const value = param.slice(eq + 1).trim();
      const unquoted =
        value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
      return unquoted.trim().toLowerCase();
    }
    at = next;
  }
  return undefined;
}

/** True when a body of this Content-Type is decoded correctly as UTF-8 (no charset, or a UTF-8 one). */
export function isUtf8Charset(header: string | undefined): boolean {
  const charset = charsetOf(header);
  return charset === undefined || UTF8_COMPATIBLE.has(charset);
}
