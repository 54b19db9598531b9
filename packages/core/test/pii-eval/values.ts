/**
 * Entity values for the PII evaluation, built from the published formats (numbering plans, card network
 * IIN ranges, ISO 13616, provider key shapes), written without looking at the detector's code: no import
 * from `src/`. Phone numbers are drawn from the national number shapes, not from lists of allocated
 * ranges, so many of them sit in area codes or ranges nobody has been given; a reader still sees a phone
 * number in each.
 */
import type { Rng } from './random.js';

export const B62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const B64 = `${B62}+/`;
export const HEX = '0123456789abcdef';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Countries the phone generator knows. */
export type PhoneCountry = 'US' | 'GB' | 'FR' | 'DE' | 'ES' | 'IT' | 'NL' | 'BR' | 'PT' | 'JP' | 'CH' | 'BE';

const CC: Record<PhoneCountry, string> = {
  US: '1',
  GB: '44',
  FR: '33',
  DE: '49',
  ES: '34',
  IT: '39',
  NL: '31',
  BR: '55',
  PT: '351',
  JP: '81',
  CH: '41',
  BE: '32',
};

/** A North American NXX: first digit 2-9, never N11. */
function nxx(r: Rng): string {
  for (;;) {
    const s = `${r.int(2, 9)}${r.digits(2)}`;
    if (s.slice(1) !== '11') return s;
  }
}

/** Groups a digit string by the sizes given, joined with `sep`. */
function group(d: string, sizes: number[], sep: string): string {
  const out: string[] = [];
  let p = 0;
  for (const n of sizes) {
    out.push(d.slice(p, p + n));
    p += n;
  }
  if (p < d.length) out.push(d.slice(p));
  return out.join(sep);
}

/**
 * A phone number of `country`: `national` is written as people in that country write it (trunk prefix,
 * no country code); `intl` has `+<country code>`.
 */
export function phone(r: Rng, country: PhoneCountry, style: 'national' | 'intl'): string {
  const cc = CC[country];
  switch (country) {
    case 'US': {
      const [a, b, c] = [nxx(r), nxx(r), r.digits(4)];
      if (style === 'intl') return r.pick([`+1 ${a} ${b} ${c}`, `+1-${a}-${b}-${c}`, `+1 (${a}) ${b}-${c}`]);
      return r.pick([
        `(${a}) ${b}-${c}`,
        `${a}-${b}-${c}`,
        `${a}.${b}.${c}`,
        `1-${a}-${b}-${c}`,
        `(${a}) ${b} ${c}`,
      ]);
    }
    case 'GB': {
      const kind = r.int(0, 3);
      // London 020 xxxx xxxx; mobiles 07xxx xxxxxx; geographic 01xxx xxxxxx / 01xx xxx xxxx.
      const nsn =
        kind === 0
          ? `20${r.int(3, 8)}${r.digits(7)}`
          : kind === 1
            ? `7${r.pick(['4', '5', '7', '8', '9'])}${r.digits(8)}`
            : kind === 2
              ? `1${r.int(2, 9)}${r.digits(3)}${r.digits(5)}`
              : `1${r.int(1, 9)}1${r.digits(7)}`;
      const sizes = kind === 0 ? [2, 4, 4] : kind === 1 ? [4, 6] : kind === 2 ? [4, 6] : [3, 3, 4];
      if (style === 'intl') return `+44 ${group(nsn, sizes, ' ')}`;
      return `0${group(nsn, sizes, ' ')}`;
    }
    case 'FR': {
      const nsn = `${r.pick(['1', '2', '3', '4', '5', '6', '7', '9'])}${r.digits(8)}`;
      if (style === 'intl')
        return r.pick([
          `+33 ${group(nsn, [1, 2, 2, 2, 2], ' ')}`,
          `+33 (0)${group(nsn, [1, 2, 2, 2, 2], ' ')}`,
        ]);
      const d = `0${nsn}`;
      return r.pick([
        group(d, [2, 2, 2, 2, 2], ' '),
        group(d, [2, 2, 2, 2, 2], '.'),
        d,
        group(d, [2, 2, 2, 2, 2], '-'),
      ]);
    }
    case 'DE': {
      const mobile = r.chance(0.5);
      if (mobile) {
        const pre = `1${r.pick(['51', '52', '57', '59', '60', '62', '70', '71', '72', '73', '75', '76', '77', '78', '79'])}`;
        const sub = r.digits(pre.startsWith('15') ? 8 : r.int(7, 8));
        if (style === 'intl') return `+49 ${pre} ${sub}`;
        return r.pick([
          `0${pre} ${sub}`,
          `0${pre}/${sub}`,
          `0${pre}-${sub}`,
          `0${pre} ${group(sub, [3, 2, 2], ' ')}`,
        ]);
      }
      const area = r.pick(['30', '40', '89', '69', '221', '211', '711', '351', '341', '6221', '511', '421']);
      const sub = `${r.int(1, 9)}${r.digits(area.length === 2 ? r.int(6, 7) : r.int(5, 6))}`;
      if (style === 'intl') return r.pick([`+49 ${area} ${sub}`, `+49 (0)${area} ${sub}`]);
      return r.pick([`0${area} ${sub}`, `0${area}/${sub}`, `(0${area}) ${sub}`, `0${area}-${sub}`]);
    }
    case 'ES': {
      const nsn = `${r.pick(['6', '7', '9'])}${r.digits(8)}`;
      const fmt = r.pick([[3, 3, 3], [3, 2, 2, 2], [9]]);
      return style === 'intl' ? `+34 ${group(nsn, fmt, ' ')}` : group(nsn, fmt, ' ');
    }
    case 'IT': {
      const mobile = r.chance(0.5);
      const nsn = mobile ? `3${r.int(2, 9)}${r.digits(8)}` : `0${r.pick(['6', '2'])}${r.digits(8)}`;
      const fmt = mobile
        ? r.pick([
            [3, 3, 4],
            [3, 7],
          ])
        : r.pick([
            [2, 4, 4],
            [2, 8],
          ]);
      return style === 'intl' ? `+39 ${group(nsn, fmt, ' ')}` : group(nsn, fmt, ' ');
    }
    case 'NL': {
      const mobile = r.chance(0.5);
      const nsn = mobile
        ? `6${r.int(1, 5)}${r.digits(7)}`
        : `${r.pick(['20', '10', '30', '70'])}${r.digits(7)}`;
      if (style === 'intl') return `+31 ${mobile ? group(nsn, [1, 8], ' ') : group(nsn, [2, 7], ' ')}`;
      return mobile
        ? r.pick([
            `0${group(nsn, [1, 8], '-')}`,
            `0${group(nsn, [1, 2, 2, 2, 2], ' ')}`,
            `0${group(nsn, [1, 4, 4], ' ')}`,
          ])
        : r.pick([`0${group(nsn, [2, 7], '-')}`, `0${group(nsn, [2, 3, 4], ' ')}`]);
    }
    case 'BR': {
      const ddd = r.pick(['11', '21', '31', '41', '51', '61', '71', '81', '85', '19']);
      const mobile = r.chance(0.6);
      const sub = mobile ? `9${r.int(6, 9)}${r.digits(7)}` : `${r.int(2, 5)}${r.digits(7)}`;
      const s = mobile ? `${sub.slice(0, 5)}-${sub.slice(5)}` : `${sub.slice(0, 4)}-${sub.slice(4)}`;
      if (style === 'intl') return r.pick([`+55 ${ddd} ${s}`, `+55 (${ddd}) ${s}`]);
      return r.pick([`(${ddd}) ${s}`, `${ddd} ${s}`, `(${ddd}) ${s.replace('-', ' ')}`]);
    }
    case 'PT': {
      const nsn = r.chance(0.6)
        ? `9${r.pick(['1', '2', '3', '6'])}${r.digits(7)}`
        : `2${r.int(1, 9)}${r.digits(7)}`;
      const s = nsn.startsWith('9') ? group(nsn, [3, 3, 3], ' ') : group(nsn, [2, 3, 4], ' ');
      return style === 'intl' ? `+351 ${s}` : s;
    }
    case 'JP': {
      const mobile = r.chance(0.5);
      if (mobile) {
        const p = r.pick(['90', '80', '70']);
        const s = `${r.digits(4)}-${r.digits(4)}`;
        return style === 'intl' ? `+81 ${p}-${s}` : `0${p}-${s}`;
      }
      const area = r.pick(['3', '6', '45', '52', '92', '11']);
      const s = area.length === 1 ? `${r.digits(4)}-${r.digits(4)}` : `${r.digits(3)}-${r.digits(4)}`;
      return style === 'intl' ? `+81 ${area}-${s}` : `0${area}-${s}`;
    }
    case 'CH': {
      const nsn = `${r.pick(['44', '43', '31', '61', '21', '22', '76', '77', '78', '79'])}${r.digits(7)}`;
      const s = group(nsn, [2, 3, 2, 2], ' ');
      return style === 'intl' ? `+41 ${s}` : `0${s}`;
    }
    case 'BE': {
      const mobile = r.chance(0.5);
      const nsn = mobile ? `4${r.int(6, 9)}${r.digits(7)}` : `${r.pick(['2', '3', '9'])}${r.digits(7)}`;
      const s = mobile ? group(nsn, [3, 2, 2, 2], ' ') : group(nsn, [1, 3, 2, 2], ' ');
      return style === 'intl' ? `+32 ${s}` : `0${s}`;
    }
  }
  return `+${cc}`;
}

/** Appends the digit that makes the Luhn sum a multiple of ten (doubling table). */
export function withLuhn(body: string): string {
  const DOUBLE = [0, 2, 4, 6, 8, 1, 3, 5, 7, 9];
  const rev = [...body].reverse().map(Number);
  const sum = rev.reduce((acc, d, i) => acc + (i % 2 === 0 ? DOUBLE[d]! : d), 0);
  return body + String((10 - (sum % 10)) % 10);
}

/** Card networks by published IIN ranges and lengths. */
const NETWORKS: Array<[name: string, prefix: (r: Rng) => string, lengths: number[]]> = [
  ['visa', () => '4', [16, 16, 16, 13, 19]],
  ['mastercard', (r) => String(r.int(51, 55)), [16]],
  ['mastercard-2', (r) => String(r.int(2221, 2720)), [16]],
  ['amex', (r) => r.pick(['34', '37']), [15]],
  ['discover', (r) => r.pick(['6011', String(r.int(644, 649)), '65']), [16, 19]],
  ['jcb', (r) => String(r.int(3528, 3589)), [16, 16, 19]],
  ['diners', (r) => r.pick([String(r.int(300, 305)), '36', '38', '39']), [14, 16]],
  ['unionpay', (r) => `62${r.int(0, 9)}`, [16, 17, 18, 19]],
  [
    'maestro',
    (r) => r.pick(['5018', '5020', '5038', '6304', '6759', '6761', '6762', '6763']),
    [12, 13, 16, 19],
  ],
  ['mir', (r) => `220${r.int(0, 4)}`, [16]],
  ['rupay', (r) => r.pick(['60', '65', '81', '82', '508']), [16]],
  ['troy', () => '9792', [16]],
  ['elo', (r) => r.pick(['636368', '504175', '438935', '451416', '509048', '627780']), [16]],
  ['hipercard', () => '606282', [16]],
  ['dankort', () => '5019', [16]],
  ['verve', (r) => r.pick(['506099', '506105', '650002']), [16, 19]],
];

/** A card number of a random network; `valid` false breaks its Luhn digit. */
export function cardNumber(r: Rng, valid = true, network?: string): { value: string; network: string } {
  const [name, prefixOf, lengths] = network
    ? NETWORKS.find((n) => n[0] === network)!
    : r.chance(0.5)
      ? r.pick(NETWORKS.slice(0, 6))
      : r.pick(NETWORKS);
  const prefix = prefixOf(r);
  const len = r.pick(lengths);
  let n = withLuhn(prefix + r.digits(len - prefix.length - 1));
  if (!valid) n = n.slice(0, -1) + String((Number(n.at(-1)) + r.int(1, 9)) % 10);
  return { value: n, network: name };
}

/** Prints a card number as people write it: bare, in fours, or in the Amex/Diners 4-6-5 / 4-6-4 shape. */
export function formatCard(r: Rng, n: string): string {
  const style = r.int(0, 2);
  if (style === 0) return n;
  const sep = style === 1 ? ' ' : '-';
  if (n.length === 15 || n.length === 14) return [n.slice(0, 4), n.slice(4, 10), n.slice(10)].join(sep);
  return n.match(/.{1,4}/g)!.join(sep);
}

/** BBAN builders for a few countries (lengths from the SWIFT registry). */
const BBAN: Record<string, (r: Rng) => string> = {
  DE: (r) => r.digits(18),
  GB: (r) => `${r.chars(4, UPPER)}${r.digits(14)}`,
  FR: (r) => `${r.digits(10)}${r.chars(11, `0123456789${UPPER}`)}${r.digits(2)}`,
  NL: (r) => `${r.chars(4, UPPER)}${r.digits(10)}`,
  ES: (r) => r.digits(20),
  IT: (r) => `${r.chars(1, UPPER)}${r.digits(10)}${r.chars(12, `0123456789${UPPER}`)}`,
  CH: (r) => r.digits(17),
  BE: (r) => r.digits(12),
  AT: (r) => r.digits(16),
  PL: (r) => r.digits(24),
  PT: (r) => r.digits(21),
  SE: (r) => r.digits(20),
  IE: (r) => `${r.chars(4, UPPER)}${r.digits(14)}`,
  LU: (r) => `${r.digits(3)}${r.chars(13, `0123456789${UPPER}`)}`,
  NO: (r) => r.digits(11),
  DK: (r) => r.digits(14),
  FI: (r) => r.digits(14),
  BR: (r) => `${r.digits(23)}${r.chars(1, UPPER)}${r.chars(1, `0123456789${UPPER}`)}`,
};

/** An IBAN (ISO 13616 check digits computed with BigInt); `valid` false shifts the check digits. */
export function iban(r: Rng, valid = true, country?: string): string {
  const cc = country ?? r.pick(Object.keys(BBAN));
  const bban = BBAN[cc]!(r);
  const numeric = [...`${bban}${cc}00`]
    .map((c) => (/\d/.test(c) ? c : String(c.charCodeAt(0) - 55)))
    .join('');
  let check = 98n - (BigInt(numeric) % 97n);
  if (!valid) check = ((check + BigInt(r.int(1, 50))) % 97n) + 2n;
  const full = `${cc}${String(check).padStart(2, '0')}${bban}`;
  return r.chance(0.55) ? full.match(/.{1,4}/g)!.join(' ') : full;
}

/** A US SSN that the SSA could issue, or one of the never-issued shapes. */
export function ssn(r: Rng, valid = true, sep = '-'): string {
  let area = String(r.int(1, 899)).padStart(3, '0');
  if (area === '666') area = '667';
  const g = String(r.int(1, 99)).padStart(2, '0');
  const s = String(r.int(1, 9999)).padStart(4, '0');
  if (!valid)
    return r.pick([
      `666${sep}${g}${sep}${s}`,
      `000${sep}${g}${sep}${s}`,
      `9${r.digits(2)}${sep}${g}${sep}${s}`,
      `${area}${sep}00${sep}${s}`,
      `${area}${sep}${g}${sep}0000`,
    ]);
  return `${area}${sep}${g}${sep}${s}`;
}

/** Public-looking IPv4 (first octet not 0, 127 or >= 224). */
export function ipv4(r: Rng): string {
  const kind = r.int(0, 5);
  if (kind === 0) return `10.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`;
  if (kind === 1) return `192.168.${r.int(0, 255)}.${r.int(1, 254)}`;
  if (kind === 2) return `172.${r.int(16, 31)}.${r.int(0, 255)}.${r.int(1, 254)}`;
  if (kind === 3) return r.pick(['8.8.8.8', '8.8.4.4', '1.1.1.1', '9.9.9.9', '1.0.0.1', '4.2.2.2']);
  let a = r.int(11, 223);
  if (a === 127) a = 128;
  return `${a}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`;
}

export function ipv6(r: Rng): string {
  const g = () => r.int(0, 65535).toString(16);
  const groups = Array.from({ length: 8 }, g);
  return r.pick([
    groups.join(':'),
    `2001:db8::${g()}:${g()}`,
    `${groups[0]}:${groups[1]}::${groups[6]}:${groups[7]}`,
    `fe80::${g()}:${g()}:${g()}:${g()}`,
    `::ffff:${r.int(1, 223)}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`,
    `2a00:${g()}:${g()}::${g()}`,
  ]);
}

const b64url = (s: string) => btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/** A secret: provider keys by their published shapes, JWTs, PEM blocks, and vendor-less cloud keys. */
export function secret(r: Rng, kind?: string): { value: string; kind: string } {
  const kinds: Record<string, () => string> = {
    openai: () => r.pick([`sk-proj-${r.chars(r.int(48, 120), `${B62}_-`)}`, `sk-${r.chars(48, B62)}`]),
    anthropic: () => `sk-ant-api03-${r.chars(93, `${B62}_-`)}AA`,
    'aws-access': () => `AKIA${r.chars(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`,
    github: () => r.pick([`ghp_${r.chars(36, B62)}`, `github_pat_${r.chars(22, B62)}_${r.chars(59, B62)}`]),
    gitlab: () => `glpat-${r.chars(20, `${B62}_-`)}`,
    slack: () => `xoxb-${r.digits(12)}-${r.digits(12)}-${r.chars(24, B62)}`,
    stripe: () => `${r.pick(['sk', 'rk'])}_live_${r.chars(24, B62)}`,
    google: () => `AIza${r.chars(35, `${B62}_-`)}`,
    huggingface: () => `hf_${r.chars(34, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz')}`,
    sendgrid: () => `SG.${r.chars(22, `${B62}_-`)}.${r.chars(43, `${B62}_-`)}`,
    npm: () => `npm_${r.chars(36, B62)}`,
    jwt: () =>
      `${b64url(JSON.stringify({ alg: r.pick(['HS256', 'RS256', 'ES256']), typ: 'JWT' }))}.${b64url(JSON.stringify({ sub: r.digits(6), iat: 1700000000 + r.int(0, 1e6) }))}.${r.chars(43, `${B62}_-`)}`,
    pem: () => {
      const label = r.pick(['RSA ', 'EC ', 'OPENSSH ', '']);
      return `-----BEGIN ${label}PRIVATE KEY-----\n${r.chars(64, B64)}\n${r.chars(64, B64)}\n${r.chars(20, B64)}==\n-----END ${label}PRIVATE KEY-----`;
    },
    // 40 characters of base64 (AWS-style secret access keys and others that carry no prefix).
    'cloud-40': () => {
      for (;;) {
        const s = r.chars(40, B64);
        if (/[A-Z]/.test(s) && /[a-z]/.test(s) && /\d/.test(s)) return s;
      }
    },
    // Azure storage account keys: 64 random bytes in base64 (88 characters with `==`).
    azure: () => `${r.chars(86, B64)}==`,
    'hex-32': () => r.chars(r.pick([32, 40, 64]), HEX),
  };
  const k = kind ?? r.pick(Object.keys(kinds));
  return { value: kinds[k]!(), kind: k };
}

const FIRST = [
  'john',
  'maria',
  'li',
  'fatima',
  'olu',
  'sven',
  'ana',
  'raj',
  'chloe',
  'dmitri',
  'yuki',
  'zoe',
  'jean',
  'lukas',
  'giulia',
  'pedro',
  'sanne',
  'joão',
];
const LAST = [
  'smith',
  'garcia',
  'wang',
  'khan',
  'adeyemi',
  'larsen',
  'silva',
  'patel',
  'martin',
  'ivanov',
  'dupont',
  'müller',
  'rossi',
  'devries',
  'tanaka',
];
const DOMAINS = [
  'example.com',
  'mail.example.org',
  'corp.example.co.uk',
  'uni-example.edu',
  'example.io',
  'sub.dept.example.de',
  'exemple.fr',
  'beispiel.de',
  'ejemplo.es',
  'esempio.it',
  'voorbeeld.nl',
  'exemplo.com.br',
  'example.co.jp',
  'example.ch',
];

/** An email address (ASCII local part: names with diacritics are transliterated as people do). */
export function email(r: Rng): string {
  const f = r.pick(FIRST).replace('ã', 'a').replace('ü', 'ue');
  const l = r.pick(LAST).replace('ü', 'ue');
  const local = r.pick([
    `${f}.${l}`,
    `${f}${r.int(1, 99)}`,
    `${f[0]}${l}`,
    `${f}_${l}`,
    `${f}+news`,
    `${f}.${l}.${r.int(1, 9)}`,
    `${l}-${f}`,
  ]);
  const e = `${local}@${r.pick(DOMAINS)}`;
  return r.chance(0.1) ? e.toUpperCase() : e;
}

export { FIRST, LAST };
