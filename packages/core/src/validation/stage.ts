/**
 * The validation stage: size, media type, structure, emptiness, schema, numeric ranges and invisible
 * characters (sanitized before the schema sees them), numeric ranges, then the schema, in that order
 * (cheapest first, and nothing is parsed before its size is known).
 * @module
 */
import type { ValidationOptions } from '../config/schema.js';
import { type Block, expectsBody, type RequestContext } from '../stage.js';
import type { Finding } from '../types.js';
import { isAllowedMediaType, isUtf8Charset, mediaType } from './content-type.js';
import { scanJsonLimits } from './json-scan.js';
import { checkNumericRanges } from './numeric-range.js';
import { hasInvisibleCharacters, sanitizeText } from './sanitize.js';
import { findUnknownKeys } from './unknown-keys.js';
import { walkBody } from './walk.js';

const MAX_SCHEMA_ERRORS = 20;

const LIMIT_NAMES = {
  depth: 'maxDepth',
  keys: 'maxKeys',
  array: 'maxArrayLength',
  string: 'maxStringLength',
} as const;

const LIMIT_TEXT = {
  depth: 'JSON nesting deeper than',
  keys: 'JSON object with more keys than',
  array: 'JSON array longer than',
  string: 'string longer than',
} as const;

function finding(kind: string, message: string, severity: Finding['severity'], path?: string): Finding {
  return { kind, message, severity, source: 'validation', ...(path ? { location: { path } } : {}) };
}

function isEmptyValue(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') {
    for (const _ in value as object) return false;
    return true;
  }
  return false;
}

function block(ctx: RequestContext, result: Block, kind: string, path?: string): Block {
  ctx.findings.push(finding(kind, result.reason, 'medium', path));
  return result;
}

/** Runs the validation stage; returns a Block to refuse the request, or undefined to continue. */
export function runValidation(ctx: RequestContext, options: ValidationOptions): Block | undefined {
  const { req } = ctx;
  // Nothing parsed the body before the shield: the handler only gets what the shield parses.
  const bodyUnusable = ctx.body === undefined;
  if (req.bodyTimedOut) {
    // The rest of the body is still on the socket: close it rather than wait for it (RFC 9110 §15.5.9).
    ctx.headers.connection = 'close';
    return block(
      ctx,
      {
        status: 408,
        code: 'ERR_VALIDATION_BODY_TIMEOUT',
        reason:
          req.bodyTimedOut === 'too_slow'
            ? `Request body arrived slower than ${options.minBodyBytesPerSec} bytes/s`
            : `Request body not received within ${options.bodyTimeoutMs} ms`,
        // Whatever arrived is incomplete: even in monitor mode the handler cannot be given it.
        bodyUnusable: true,
      },
      'body.timeout',
    );
  }
  const declaredSize = req.rawSize ?? Number(req.headers['content-length'] ?? 0);
  if (req.bodyTruncated || declaredSize > options.maxBodyBytes) {
    return block(
      ctx,
      {
        status: 413,
        code: 'ERR_VALIDATION_BODY_TOO_LARGE',
        reason: `Request body exceeds ${options.maxBodyBytes} bytes`,
        bodyUnusable,
      },
      'body.too_large',
    );
  }

  const hasBody =
    ctx.body !== undefined ||
    (req.bodyText !== undefined && req.bodyText.length > 0) ||
    declaredSize > 0 ||
    req.headers['transfer-encoding'] !== undefined;
  if (hasBody) {
    const type = mediaType(req.headers['content-type']);
    if (!isAllowedMediaType(type, options.contentTypes)) {
      return block(
        ctx,
        {
          status: 415,
          code: 'ERR_VALIDATION_CONTENT_TYPE',
          reason: `Content-Type must be one of: ${options.contentTypes.join(', ')}`,
          bodyUnusable,
        },
        'body.content_type',
      );
    }
    // Bodies are read as UTF-8: another declared charset would be decoded wrongly, and a guess is a
    // parser differential (what the shield scanned is not what the application decodes).
    if (!isUtf8Charset(req.headers['content-type'])) {
      return block(
        ctx,
        {
          status: 415,
          code: 'ERR_VALIDATION_CONTENT_TYPE',
          reason: 'Content-Type charset must be utf-8 (or absent)',
          bodyUnusable,
        },
        'body.charset',
      );
    }
  }

  if (ctx.body === undefined && req.bodyText !== undefined && req.bodyText.length > 0) {
    const violation = scanJsonLimits(req.bodyText, options);
    if (violation) {
      const name = LIMIT_NAMES[violation.kind];
      return block(
        ctx,
        {
          status: 400,
          code: 'ERR_VALIDATION_LIMITS',
          reason: `Body has a ${LIMIT_TEXT[violation.kind]} ${violation.limit} (validation.${name})`,
        },
        `body.${violation.kind}_limit`,
      );
    }
    try {
      ctx.body = JSON.parse(req.bodyText);
    } catch (error) {
      // V8's message can quote the input; only the position is passed on.
      const position = /position (\d+)/.exec((error as Error).message)?.[1];
      return block(
        ctx,
        {
          status: 400,
          code: 'ERR_VALIDATION_MALFORMED',
          reason: `Body is not valid JSON${position ? ` (error at position ${position})` : ''}`,
          bodyUnusable: true,
        },
        'body.malformed',
      );
    }
  }

  if (options.requireBody && expectsBody(req.method) && isEmptyValue(ctx.body)) {
    return block(
      ctx,
      { status: 400, code: 'ERR_VALIDATION_EMPTY', reason: 'Request body is empty' },
      'body.empty',
    );
  }
  if (ctx.body === undefined) return undefined;

  const view = walkBody(ctx.body, options);
  ctx.view = view;
  if (view.violation) {
    const { kind, limit, path } = view.violation;
    return block(
      ctx,
      {
        status: 400,
        code: 'ERR_VALIDATION_LIMITS',
        reason: `Body has a ${LIMIT_TEXT[kind]} ${limit} at ${path || '$'} (validation.${LIMIT_NAMES[kind]})`,
      },
      `body.${kind}_limit`,
      path,
    );
  }
  ctx.findings.push(...view.findings);

  if (options.sanitize !== 'off') sanitizeTexts(ctx, options.sanitize === 'strip');

  // Numeric ranges before the schema: they name the value and the limit (`input[1]: must be a finite
  // number`), where a schema union that fails on the same value only says "Invalid input".
  const numeric = checkNumericRanges(view.numericArrays, view.scalars, options.numeric);
  if (numeric.length > 0) {
    return block(
      ctx,
      {
        status: 422,
        code: 'ERR_VALIDATION_NUMERIC',
        reason: `Numeric input outside the accepted range (${numeric.length} problem${numeric.length === 1 ? '' : 's'})`,
        errors: numeric.map(({ path, message }) => ({ path, message })),
      },
      `numeric.${numeric[0]!.kind}`,
      numeric[0]!.path,
    );
  }
  if (options.schema) {
    const result = options.schema.safeParse(ctx.body);
    if (!result.success) {
      const errors = result.error.issues.slice(0, MAX_SCHEMA_ERRORS).map((issue) => ({
        path: formatIssuePath(issue.path),
        message: issue.message,
      }));
      return block(
        ctx,
        {
          status: 422,
          code: 'ERR_VALIDATION_SCHEMA',
          reason: `Body does not match the expected schema (${errors.length} problem${errors.length === 1 ? '' : 's'})`,
          errors,
        },
        'schema.invalid',
      );
    }
    if (options.unknownKeys !== 'ignore') {
      const unknown = findUnknownKeys(options.schema, ctx.body);
      if (unknown.length > 0) {
        if (options.unknownKeys === 'block') {
          return block(
            ctx,
            {
              status: 422,
              code: 'ERR_VALIDATION_SCHEMA',
              reason: `Body has ${unknown.length} unexpected key(s)`,
              errors: unknown.map((path) => ({ path, message: 'unexpected key' })),
            },
            'structure.unknown_keys',
          );
        }
        for (const path of unknown) {
          ctx.findings.push(
            finding('structure.unknown_key', 'Key not declared by the route schema', 'low', path),
          );
        }
      }
    }
  }

  return undefined;
}

/** zod paths (`['messages', 0, 'role']`) in the walk's notation (`messages[0].role`). */
function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    out += typeof segment === 'number' ? `[${segment}]` : out ? `.${String(segment)}` : String(segment);
  }
  return out || '$';
}

function sanitizeTexts(ctx: RequestContext, strip: boolean): void {
  for (const field of ctx.view!.texts) {
    if (!hasInvisibleCharacters(field.value)) continue;
    const cleaned = sanitizeText(field.value);
    const [kind, note, severity]: [string, string, Finding['severity']] = cleaned.tags
      ? ['unicode.tag_characters', ' including Unicode tag characters (hidden text)', 'high']
      : cleaned.override
        ? [
            'unicode.bidi_override',
            ' including a bidi override (text shown differs from text sent)',
            'medium',
          ]
        : ['unicode.invisible_characters', '', 'low'];
    ctx.findings.push(
      finding(
        kind,
        `${cleaned.removed} invisible character(s)${note}${strip ? ' removed' : ''}`,
        severity,
        field.path,
      ),
    );
    if (strip && field.parent !== undefined) {
      (field.parent as Record<string | number, unknown>)[field.slot] = cleaned.text;
      field.value = cleaned.text;
    }
  }
}
