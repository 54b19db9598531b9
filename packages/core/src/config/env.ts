/**
 * Environment variables mapped to option paths. The shield's own names are the seeds' names with an
 * `AI_SHIELD_` prefix (`AI_SHIELD_RATE_LIMIT`, `AI_SHIELD_JWT_SECRET`, ...); the seeds' bare names
 * (`RATE_LIMIT`, `SECRET_KEY`, ...) are read only when the user opts in with `AI_SHIELD_SEED_ENV=1` or
 * the `seedEnv` option, because apps already use them for other things: a Django-style `SECRET_KEY`
 * must not turn JWT on for every route. Values accept human forms where the meaning is clear
 * (`10mb`, `100/minute`, `1.5s`).
 * The core never reads `process.env`: adapters pass it in, Workers pass their `env` binding.
 * @module
 */

import { JWT_ALGORITHMS } from '../auth/options.js';

type Parse = (raw: string) => unknown;

export interface EnvSetting {
  /** The shield's own name, always read. */
  name: string;
  /** The seeds' bare names, read (after `name`, first found wins) only with `AI_SHIELD_SEED_ENV=1` or `seedEnv: true`. */
  seed: string[];
  /** Option paths the value is written to (a parse result with `paths` keys is spread over them). */
  paths: string[];
  parse: Parse;
  /** Human description of the expected value, used in errors and the README. */
  expects: string;
  /** The value is a secret: errors never quote it. */
  secret?: boolean;
}

/** The opt-in for the seeds' bare names. */
export const SEED_ENV = 'AI_SHIELD_SEED_ENV';

/** A parse result that writes different values to different option paths. */
class PerPath {
  constructor(readonly values: Record<string, unknown>) {}
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

function number(raw: string): number {
  return NUMBER.test(raw) ? Number(raw) : Number.NaN;
}

const positiveInt: Parse = (raw) => {
  const value = number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error('a positive integer');
  return value;
};

const unitInterval: Parse = (raw) => {
  const percent = raw.endsWith('%');
  const value = number(percent ? raw.slice(0, -1).trim() : raw) / (percent ? 100 : 1);
  if (!Number.isFinite(value) || value < 0 || value > 1)
    throw new Error('a number between 0 and 1 (or 0%-100%)');
  return value;
};

const UNIT_SECONDS: Record<string, number> = {
  ms: 0.001,
  msec: 0.001,
  s: 1,
  sec: 1,
  second: 1,
  seconds: 1,
  m: 60,
  min: 60,
  minute: 60,
  minutes: 60,
  h: 3600,
  hr: 3600,
  hour: 3600,
  hours: 3600,
  d: 86_400,
  day: 86_400,
  days: 86_400,
};

/** `1.5`, `1.5s`, `500ms`, `2m`, `1h`, `1 day` → seconds; a bare number is in `unit` seconds. */
function duration(raw: string, unit: number): number {
  let split = raw.length;
  while (split > 0 && /[a-z\s]/i.test(raw[split - 1]!)) split--;
  const amount = number(raw.slice(0, split).trim());
  const suffix = raw.slice(split).trim().toLowerCase();
  const scale = suffix === '' ? unit : UNIT_SECONDS[suffix];
  return scale === undefined ? Number.NaN : amount * scale;
}

const seconds =
  (unit: number, what: string, zero = false): Parse =>
  (raw) => {
    const value = duration(raw, unit);
    if (!Number.isFinite(value) || value < 0 || (!zero && value === 0)) throw new Error(what);
    return value;
  };

const BYTE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  byte: 1,
  bytes: 1,
  kb: 1024,
  k: 1024,
  kib: 1024,
  mb: 1024 ** 2,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  gb: 1024 ** 3,
  g: 1024 ** 3,
  gib: 1024 ** 3,
};

/** `1000000`, `10mb`, `512 KiB`, `1.5MB` → bytes (1 kb = 1024 bytes, as Express's body parser reads it). */
const bytes: Parse = (raw) => {
  let split = raw.length;
  while (split > 0 && /[a-z\s]/i.test(raw[split - 1]!)) split--;
  const scale = BYTE_UNITS[raw.slice(split).trim().toLowerCase()];
  const value = Math.floor(number(raw.slice(0, split).trim()) * (scale ?? Number.NaN));
  if (!Number.isFinite(value) || value <= 0) throw new Error('a size in bytes, e.g. 1000000, 512kb or 10mb');
  return value;
};

/** `100` (per minute), `100/minute`, `10/s`, `5000 per hour`, `30/10s` → points and window. */
const rate: Parse = (raw) => {
  const match = /^(\d+)\s*(?:\/|per\s)\s*(.+)$/i.exec(raw);
  const points = number(match ? match[1]! : raw);
  const window = match
    ? duration(/^[a-z]/i.test(match[2]!.trim()) ? `1${match[2]!.trim()}` : match[2]!.trim(), 1)
    : 60;
  if (!Number.isInteger(points) || points <= 0 || !Number.isFinite(window) || window <= 0) {
    throw new Error('requests per minute, or a rate such as 100/minute, 10/second, 5000/hour');
  }
  return new PerPath({
    'rate.perIp.points': points,
    'rate.perIp.durationSec': window,
    'rate.perIdentity.points': points,
    'rate.perIdentity.durationSec': window,
  });
};

/** `20000` (per minute), `20000/minute`, `500000/day` → a token window for clients and identities. */
const tokenBudget: Parse = (raw) => {
  const match = /^(\d+)\s*(?:\/|per\s)\s*(.+)$/i.exec(raw);
  const tokens = number(match ? match[1]! : raw);
  const window = match
    ? duration(/^[a-z]/i.test(match[2]!.trim()) ? `1${match[2]!.trim()}` : match[2]!.trim(), 1)
    : 60;
  if (!Number.isInteger(tokens) || tokens <= 0 || !Number.isFinite(window) || window <= 0) {
    throw new Error('tokens per minute, or a budget such as 20000/minute, 500000/day');
  }
  return new PerPath({
    'budget.perClient': { tokens, durationSec: window },
    'budget.perIdentity': { tokens, durationSec: window },
  });
};

const oneOf =
  (...allowed: string[]): Parse =>
  (raw) => {
    const value = allowed.find((candidate) => candidate.toLowerCase() === raw.toLowerCase());
    if (!value) throw new Error(`one of ${allowed.join(', ')}`);
    return value;
  };

const trustProxy: Parse = (raw) => {
  if (/^(true|yes|on)$/i.test(raw)) return true;
  if (/^(false|no|off)$/i.test(raw)) return false;
  if (/^\d+$/.test(raw)) return Number(raw);
  return raw
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
};

const port: Parse = (raw) => {
  const value = number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw new Error('a port number (1-65535)');
  return value;
};

const list: Parse = (raw) => {
  const items = raw
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  if (items.length === 0) throw new Error('a comma-separated list');
  return items;
};

const text: Parse = (raw) => raw;

/** `1`/`true`/`yes`/`on` or `0`/`false`/`no`/`off`; `undefined` for anything else. */
export function envFlag(raw: string | undefined): boolean | undefined {
  if (raw === undefined) return undefined;
  const value = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(value)) return false;
  return undefined;
}

const setting = (
  seed: string | string[],
  paths: string | string[],
  parse: Parse,
  expects: string,
  extra: Partial<EnvSetting> = {},
): EnvSetting => {
  const seeds = Array.isArray(seed) ? seed : [seed];
  return {
    name: extra.name ?? `AI_SHIELD_${seeds[0]}`,
    seed: seeds,
    paths: Array.isArray(paths) ? paths : [paths],
    parse,
    expects,
    ...(extra.secret ? { secret: true } : {}),
  };
};

/** The table behind `optionsFromEnv` and the README's configuration reference. */
export const ENV_SETTINGS: EnvSetting[] = [
  setting([], 'preset', oneOf('strict', 'balanced', 'monitor'), 'strict | balanced | monitor', {
    name: 'AI_SHIELD_PRESET',
  }),
  setting([], 'mode', oneOf('enforce', 'monitor'), 'enforce | monitor', { name: 'AI_SHIELD_MODE' }),
  setting('MODEL_NAME', 'modelName', text, 'a name'),
  setting([], 'trustProxy', trustProxy, 'true | false | hop count | comma-separated addresses/CIDRs', {
    name: 'AI_SHIELD_TRUST_PROXY',
  }),
  setting(
    ['RATE_LIMIT', 'MAX_REQUESTS_PER_MINUTE'],
    ['rate.perIp', 'rate.perIdentity'],
    rate,
    'requests per minute (100), or a rate: 100/minute, 10/second, 5000/hour',
  ),
  setting(
    [],
    ['budget.perClient', 'budget.perIdentity'],
    tokenBudget,
    'tokens per client and per identity per minute (20000), or a budget: 20000/minute, 500000/day',
    { name: 'AI_SHIELD_TOKEN_BUDGET' },
  ),
  setting(
    [],
    ['concurrency.perClient', 'concurrency.perIdentity'],
    positiveInt,
    'requests in flight per client and per identity (a positive integer)',
    { name: 'AI_SHIELD_MAX_CONCURRENT' },
  ),
  setting([], 'budget.maxOutputTokens', positiveInt, 'largest max_tokens a request may ask for', {
    name: 'AI_SHIELD_MAX_OUTPUT_TOKENS',
  }),
  setting([], 'budget.maxInputTokens', positiveInt, 'largest prompt in tokens', {
    name: 'AI_SHIELD_MAX_INPUT_TOKENS',
  }),
  setting(
    [],
    'budget.tokenizer',
    oneOf('o200k_base', 'cl100k_base', 'estimate'),
    'o200k_base | cl100k_base | estimate',
    { name: 'AI_SHIELD_TOKENIZER' },
  ),
  setting([], 'network.allow', list, 'comma-separated addresses/CIDRs allowed to call', {
    name: 'AI_SHIELD_NETWORK_ALLOW',
  }),
  setting([], 'network.deny', list, 'comma-separated addresses/CIDRs refused with 403', {
    name: 'AI_SHIELD_NETWORK_DENY',
  }),
  setting(
    'MIN_REQUEST_INTERVAL',
    'rate.minIntervalMs',
    (raw) =>
      Math.round(
        (seconds(1, 'seconds (1.0), or a duration: 500ms, 2s; 0 disables', true)(raw) as number) * 1000,
      ),
    'seconds (1.0), or a duration: 500ms, 2s; 0 disables',
  ),
  setting([], 'rate.storeTimeoutMs', positiveInt, 'milliseconds (250)', {
    name: 'AI_SHIELD_STORE_TIMEOUT_MS',
  }),
  setting(
    ['MAX_FAILED_ATTEMPTS', 'FAILED_ATTEMPTS_THRESHOLD'],
    'rate.failedAttempts.max',
    positiveInt,
    'a positive integer',
  ),
  setting(
    ['JWT_SECRET', 'SECRET_KEY'],
    'access.jwt.secret',
    text,
    'an HS secret of 32+ bytes (turns JWT verification on)',
    {
      secret: true,
    },
  ),
  setting('JWT_ALGORITHM', 'access.jwt.algorithm', oneOf(...JWT_ALGORITHMS), JWT_ALGORITHMS.join(' | ')),
  setting(
    'JWT_PUBLIC_KEY',
    'access.jwt.publicKey',
    // PEM in one env line usually arrives with literal \n separators.
    (raw) => raw.replace(/\\n/g, '\n'),
    'a PEM public key or certificate (turns JWT verification on; set AI_SHIELD_JWT_ALGORITHM)',
  ),
  setting('JWKS_URL', 'access.jwt.jwksUrl', text, 'an https URL of a JWKS (turns JWT verification on)'),
  setting('JWT_ISSUER', 'access.jwt.issuer', text, 'the required iss'),
  setting('JWT_AUDIENCE', 'access.jwt.audience', text, 'the required aud'),
  setting(
    'TOKEN_EXPIRY_HOURS',
    'access.jwt.expiryHours',
    (raw) => (seconds(3600, 'hours (1), or a duration: 30m, 2h')(raw) as number) / 3600,
    'hours (1), or a duration: 30m, 2h (lifetime of tokens minted by createTokenIssuer)',
  ),
  setting(
    'SESSION_TIMEOUT',
    'access.jwt.maxAgeSec',
    seconds(1, 'seconds (3600), or a duration: 30m, 1h'),
    'seconds (3600), or a duration: 30m, 1h (maximum token age)',
  ),
  setting(
    ['MAX_SIZE', 'MAX_INPUT_SIZE'],
    'validation.maxBodyBytes',
    bytes,
    'bytes (1000000), or a size: 512kb, 10mb',
  ),
  setting('MAX_QUERY_LENGTH', 'validation.maxStringLength', positiveInt, 'characters (a positive integer)'),
  setting(
    'SUSPICIOUS_PATTERN_THRESHOLD',
    'detection.blockThreshold',
    unitInterval,
    'a number between 0 and 1 (0.8)',
  ),
  setting('AUDIT_LOG_PATH', 'audit.path', text, 'a file path'),
  setting('SECURITY_LOG_PATH', 'audit.dir', text, 'a folder for security_{model}_{date}.log files'),
  setting(
    [],
    'audit.instance',
    text,
    "this instance's name (in every entry and checkpoint, and in its audit file names)",
    { name: 'AI_SHIELD_AUDIT_INSTANCE' },
  ),
  setting(
    'AUDIT_HMAC_KEY',
    'audit.hmacKey',
    text,
    'a secret of 16+ characters (32 random bytes recommended)',
    {
      secret: true,
    },
  ),
  setting(['SMTP_SERVER', 'ALERT_SMTP_SERVER'], 'alerts.email.host', text, 'an SMTP host name'),
  setting(['SMTP_PORT', 'ALERT_SMTP_PORT'], 'alerts.email.port', port, 'a port number (587)'),
  setting(
    [],
    'alerts.email.security',
    oneOf('starttls', 'tls', 'none'),
    'starttls | tls | none (none: plain text, loopback servers only, e.g. Mailpit)',
    { name: 'AI_SHIELD_SMTP_SECURITY' },
  ),
  setting(['SMTP_USERNAME', 'ALERT_SMTP_USER'], 'alerts.email.user', text, 'an SMTP user'),
  setting(['SMTP_PASSWORD', 'ALERT_SMTP_PASSWORD'], 'alerts.email.pass', text, 'an SMTP password', {
    secret: true,
  }),
  setting('ALERT_SENDER', 'alerts.email.sender', text, 'a sender address'),
  setting('ALERT_RECIPIENTS', 'alerts.email.recipients', list, 'comma-separated addresses'),
];

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
}

/** A value as quoted in an error: short, on one line. */
function quoteValue(raw: string): string {
  const shown = raw.length > 40 ? `${raw.slice(0, 40)}…` : raw;
  return JSON.stringify(shown);
}

export interface EnvReadOptions {
  /** Read the seeds' bare names too. Default: `AI_SHIELD_SEED_ENV` in `env`. */
  seedEnv?: boolean;
}

export interface EnvOptions {
  options: Record<string, unknown>;
  /** Values that could not be read: each names the variable, the value (unless secret) and what it expects. */
  issues: string[];
  /** Seed names present but not read (no opt-in), each with the shield's own name, for a start-up notice. */
  ignored: Array<{ seed: string; name: string }>;
}

/**
 * Reads the settings in `ENV_SETTINGS` from `env` into a partial options object.
 * Returns the problems instead of throwing so that they are reported with the option errors.
 * @example
 * optionsFromEnv({ AI_SHIELD_RATE_LIMIT: '100/minute' }).options // { rate: { perIp: { points: 100, durationSec: 60 }, ... } }
 */
export function optionsFromEnv(
  env: Record<string, string | undefined>,
  read: EnvReadOptions = {},
): EnvOptions {
  const options: Record<string, unknown> = {};
  const issues: string[] = [];
  const ignored: EnvOptions['ignored'] = [];
  const flag = env[SEED_ENV];
  const seedEnv = read.seedEnv ?? envFlag(flag);
  if (read.seedEnv === undefined && flag !== undefined && seedEnv === undefined) {
    issues.push(
      `${SEED_ENV}=${quoteValue(flag)} (environment): expected 1 or 0 (read the seeds' bare names or not)`,
    );
  }
  const present = (name: string) => env[name] !== undefined && env[name]!.trim() !== '';
  for (const entry of ENV_SETTINGS) {
    let name = present(entry.name) ? entry.name : undefined;
    if (!name) {
      const seedName = entry.seed.find(present);
      if (seedName && seedEnv) name = seedName;
      else if (seedName && seedEnv === undefined) ignored.push({ seed: seedName, name: entry.name });
    }
    if (!name) continue;
    const raw = env[name]!.trim();
    try {
      const value = entry.parse(raw);
      if (value instanceof PerPath)
        for (const [path, v] of Object.entries(value.values)) setPath(options, path, v);
      else for (const path of entry.paths) setPath(options, path, value);
    } catch (error) {
      // Secrets are never quoted: env values end up in logs.
      const shown = entry.secret ? ' (value hidden)' : `=${quoteValue(raw)}`;
      issues.push(
        `${name}${shown} (environment): expected ${(error as Error).message}, for ${entry.paths.join(', ')}`,
      );
    }
  }
  return { options, issues, ignored };
}

/** The start-up notice for seed names present but not read, or `undefined`. */
export function ignoredSeedNotice(ignored: EnvOptions['ignored']): string | undefined {
  if (ignored.length === 0) return undefined;
  const names = ignored.map(({ seed, name }) => `${seed} (AI Shield reads ${name})`).join(', ');
  return `environment: ${names} ${ignored.length === 1 ? 'is' : 'are'} set but not read; set ${SEED_ENV}=1 to read the seeds' bare names, or ${SEED_ENV}=0 to silence this notice`;
}
