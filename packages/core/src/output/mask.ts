/**
 * `maskPii`: scans text and applies a per-type action (mask, redact, block, flag, off) to what it finds.
 * @module
 */
import { scoreFromSeverity } from '../risk.js';
import type { Finding, FindingSource, Severity } from '../types.js';
import { type PiiScanResult, type ScanPiiOptions, scanPii } from './pii.js';
import type { PiiAction, PiiEntity, PiiType } from './pii-types.js';

/** An action for each entity type; missing types fall back to {@link DEFAULT_PII_POLICY}. */
export type PiiPolicy = Partial<Record<PiiType, PiiAction>>;

/**
 * Defaults for responses: mask emails, phones, cards, IBANs, SSNs and secrets; only flag IP addresses
 * (they are common in legitimate technical answers and rarely identify a person on their own).
 */
export const DEFAULT_PII_POLICY: Readonly<Record<PiiType, PiiAction>> = {
  email: 'mask',
  phone: 'mask',
  card: 'mask',
  iban: 'mask',
  ssn: 'mask',
  ip: 'flag',
  secret: 'mask',
};

const LABELS: Record<PiiType, string> = {
  email: 'Email address',
  phone: 'Phone number',
  card: 'Payment card number',
  iban: 'IBAN',
  ssn: 'US Social Security number',
  ip: 'IP address',
  secret: 'Secret or credential',
};

const SEVERITY: Record<PiiType, Severity> = {
  email: 'medium',
  phone: 'medium',
  card: 'high',
  iban: 'high',
  ssn: 'high',
  ip: 'low',
  secret: 'critical',
};

/** One replacement of `text.slice(start, end)`; `replacement` undefined means keep the original. */
export interface TextEdit {
  start: number;
  end: number;
  replacement?: string;
}

/** Applies non-overlapping edits sorted by `start` in one pass. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let out = '';
  let pos = 0;
  for (const e of edits) {
    if (e.replacement === undefined || e.start < pos) continue;
    out += text.slice(pos, e.start) + e.replacement;
    pos = e.end;
  }
  return pos === 0 ? text : out + text.slice(pos);
}

/** Replaces characters matching `keep === false` with `*`, keeping separators so the shape stays readable. */
function starDigits(s: string, keepLast: number, isMaskable: (ch: string) => boolean): string {
  let seen = 0;
  let out = '';
  for (let i = s.length - 1; i >= 0; i--) {
    const ch = s[i]!;
    if (isMaskable(ch)) {
      out = (seen < keepLast ? ch : '*') + out;
      seen++;
    } else out = ch + out;
  }
  return out;
}

const isDigit = (ch: string) => ch >= '0' && ch <= '9';
const isAlnum = (ch: string) => /[A-Za-z0-9]/.test(ch);
const SECRET_PREFIX =
  /^(?:sk-ant-|sk-proj-|sk-|AKIA|ASIA|gh[pousr]_|github_pat_|xox[a-z]-|xapp-|[sr]k_live_|[sr]k_test_|AIza|hf_|glpat-|npm_|SG\.|pypi-|do[opr]_v1_|shp(?:at|ss|ca|pa)_|sq0(?:atp|csp)-|key-|eyJ|-----BEGIN [A-Z ]*PRIVATE KEY-----)/;

/**
 * The masked form of one entity: enough of a hint to recognize it, never enough to use it.
 * `j***@example.com`, `**** **** **** 4242`, `***-**-6789`, `+** *** *** **71`, `DE** **** ... 3000`,
 * `192.168.*.*`, `sk-proj-********`.
 */
export function maskEntity(type: PiiType, value: string): string {
  switch (type) {
    case 'email': {
      const at = value.lastIndexOf('@');
      return `${value[0]}***${value.slice(at)}`;
    }
    case 'card':
    case 'ssn':
      return starDigits(value, 4, isDigit);
    case 'phone':
      return starDigits(value, 2, isDigit);
    case 'iban':
      return value.slice(0, 2) + starDigits(value.slice(2), 4, isAlnum);
    case 'ip': {
      if (value.includes(':'))
        return (
          value.slice(0, value.indexOf(':') + 1) +
          value.slice(value.indexOf(':') + 1).replace(/[0-9A-Fa-f]+/g, '*')
        );
      const parts = value.split('.');
      return `${parts[0]}.${parts[1]}.*.*`;
    }
    default: {
      const prefix = SECRET_PREFIX.exec(value)?.[0] ?? value.slice(0, 4);
      return `${prefix}********`;
    }
  }
}

/** `[REDACTED:EMAIL]` and friends. */
export function redactEntity(type: PiiType): string {
  return `[REDACTED:${type.toUpperCase()}]`;
}

/** The replacement text an action produces, or `undefined` when the text stays as is. */
export function replacementFor(action: PiiAction, type: PiiType, value: string): string | undefined {
  if (action === 'mask') return maskEntity(type, value);
  if (action === 'redact') return redactEntity(type);
  return undefined;
}

/** The finding recorded for one entity. Never quotes the value (it is the sensitive part). */
export function piiFinding(
  entity: PiiEntity,
  action: PiiAction,
  source: FindingSource,
  path?: string,
): Finding {
  const verb =
    action === 'mask'
      ? 'masked'
      : action === 'redact'
        ? 'redacted'
        : action === 'block'
          ? 'blocked'
          : 'found';
  const severity = SEVERITY[entity.type];
  return {
    kind: `pii.${entity.type}${entity.subtype ? `.${entity.subtype}` : ''}`,
    severity,
    message: `${LABELS[entity.type]} ${verb}`,
    source,
    location: { ...(path === undefined ? {} : { path }), start: entity.start, end: entity.end },
    score: Math.min(1, scoreFromSeverity(severity) * entity.confidence + 0.05),
  };
}

/** Options of {@link maskPii} beyond the policy. */
export interface MaskPiiOptions extends Omit<ScanPiiOptions, 'types'> {
  /** Recorded on findings. Default `'response'`; pass e.g. `'detection'` when redacting inputs. */
  source?: FindingSource;
  /** JSON path recorded on findings, e.g. `choices[0].message.content`. */
  path?: string;
}

/** The result of {@link maskPii}. */
export interface MaskPiiResult {
  /** The text with mask/redact actions applied (unchanged when nothing applied). */
  text: string;
  modified: boolean;
  /** `block` when an entity's action is `block`, `flag` when anything was found, else `allow`. */
  action: 'allow' | 'flag' | 'block';
  findings: Finding[];
  entities: PiiScanResult['entities'];
}

/**
 * Scans `text` and applies `policy` (merged over {@link DEFAULT_PII_POLICY}). Use it on responses, or on
 * inputs to redact PII before it reaches the model.
 *
 * @example
 * ```ts
 * maskPii('card 4242 4242 4242 4242, mail jane@example.com', { email: 'redact' }).text;
 * // 'card **** **** **** 4242, mail [REDACTED:EMAIL]'
 * ```
 */
export function maskPii(text: string, policy: PiiPolicy = {}, options: MaskPiiOptions = {}): MaskPiiResult {
  const actions = { ...DEFAULT_PII_POLICY, ...policy };
  const types = (Object.keys(actions) as PiiType[]).filter((t) => actions[t] !== 'off');
  const { entities } = scanPii(text, { ...options, types });
  const source = options.source ?? 'response';
  const findings: Finding[] = [];
  const edits: TextEdit[] = [];
  let action: MaskPiiResult['action'] = 'allow';
  for (const e of entities) {
    const a = actions[e.type];
    findings.push(piiFinding(e, a, source, options.path));
    if (a === 'block') action = 'block';
    else if (action === 'allow') action = 'flag';
    edits.push({
      start: e.start,
      end: e.end,
      replacement: replacementFor(a, e.type, text.slice(e.start, e.end)),
    });
  }
  const out = applyEdits(text, edits);
  return { text: out, modified: out !== text, action, findings, entities };
}
