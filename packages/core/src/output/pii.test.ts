import { describe, expect, it } from 'vitest';
import { maskPii } from './mask.js';
import { scanPii } from './pii.js';
import type { PiiType } from './pii-types.js';

const found = (text: string, type?: PiiType) =>
  scanPii(text)
    .entities.filter((e) => type === undefined || e.type === type)
    .map((e) => text.slice(e.start, e.end));

describe('scanPii positives', () => {
  it.each([
    ['email', 'write to jane.doe+tag@mail.example.co.uk today', 'jane.doe+tag@mail.example.co.uk'],
    ['phone', 'call +44 20 7946 0958 now', '+44 20 7946 0958'],
    ['phone', 'office (415) 555-2671.', '(415) 555-2671'],
    ['phone', 'call me on 4155552671', '4155552671'],
    ['card', 'card 4242 4242 4242 4242 exp', '4242 4242 4242 4242'],
    ['card', 'amex 3782-822463-10005', '3782-822463-10005'],
    ['card', 'mc 5555555555554444.', '5555555555554444'],
    ['card', 'card 4111 1111 1111 1111 04/27', '4111 1111 1111 1111'],
    ['card', 'visa 4111-1111-1111-1111-1226/12', '4111-1111-1111-1111'],
    ['iban', 'IBAN DE89 3704 0044 0532 0130 00 ok', 'DE89 3704 0044 0532 0130 00'],
    ['iban', 'to GB82WEST12345698765432', 'GB82WEST12345698765432'],
    ['ssn', 'SSN 123-45-6789', '123-45-6789'],
    ['ssn', 'ssn: 123456789', '123456789'],
    ['ip', 'host 10.0.0.1 down', '10.0.0.1'],
    ['ip', 'v6 2001:db8::8a2e:370:7334 up', '2001:db8::8a2e:370:7334'],
    ['ip', 'full fe80:0:0:0:202:b3ff:fe1e:8329', 'fe80:0:0:0:202:b3ff:fe1e:8329'],
  ] as const)('%s in %j', (type, text, expected) => {
    expect(found(text, type)).toEqual([expected]);
  });

  it.each([
    ['openai', `sk-proj-${'aB3'.repeat(20)}`],
    ['openai', `sk-${'Zx9'.repeat(16)}`],
    ['anthropic', `sk-ant-api03-${'Qw5_'.repeat(24)}AA`],
    ['aws-access-key', 'AKIAIOSFODNN7EXAMPLE'],
    ['github', `ghp_${'a1B2'.repeat(9)}`],
    ['github', `github_pat_11ABCDEFG0${'x'.repeat(70)}`],
    ['slack', 'xoxb-123456789012-123456789012-abcdefghijklmnopqrstuvwx'],
    ['stripe', `sk_live_${'4eC39HqLyjWDarjtT1zdp7dc'}`],
    ['stripe', `rk_live_${'51H8tQ2eZvKYlo2CabcdEFgh'}`],
    ['google', `AIza${'SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY'}`],
    ['huggingface', `hf_${'abcdefghijklmnopqrstuvwxyzABCDEFGH'}`],
    [
      'jwt',
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    ],
    ['high-entropy', 'Xy9Kq2LmN8pR4sT6vW1zA3bC5dE7fG'],
  ])('secret %s', (subtype, key) => {
    const { entities } = scanPii(`key: ${key}.`);
    expect(entities).toHaveLength(1);
    expect(entities[0]).toMatchObject({ type: 'secret', subtype, start: 5, end: 5 + key.length });
  });

  it('AWS secret keys need an AWS context', () => {
    const key = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    expect(found(`aws_secret_access_key = ${key}`, 'secret')).toEqual([key]);
  });

  it('private key blocks, including unterminated ones', () => {
    const pem =
      '-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END RSA PRIVATE KEY-----';
    expect(found(`key:\n${pem}\nbye`)).toEqual([pem]);
    expect(found('-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg', 'secret')).toHaveLength(1);
  });
});

describe('scanPii near misses', () => {
  it.each([
    'order #4155552671 shipped',
    'released 2024-01-15 and 15/01/2024',
    'upgrade to v1.2.3.4 or version 10.0.0.1',
    'card 4242 4242 4242 4241 declined',
    'ISBN 978-3-16-148410-0 and ISBN-10: 0-306-40615-2',
    'request 550e8400-e29b-41d4-a716-446655440000',
    'commit 3f786850e387550fdab836ed7e6dc881de23001b',
    'SSN 666-12-3456, 000-12-3456, 912-12-3456, 123-00-4567, 123-45-0000',
    'IBAN DE89 3704 0044 0532 0130 01',
    'ip 256.1.1.1 and 1.2.3.4.5',
    'time 12:30:45, std::vector, mac 00:1A:2B:3C:4D:5E',
    'price $1,234.56, pi 3.14159265358979',
    'user@localhost and @mention',
    'class AbstractSingletonProxyFactoryBean2 extends Base',
    'https://docs.example.com/v1/users/settings?page=2',
  ])('%j has nothing', (text) => {
    expect(found(text)).toEqual([]);
  });
});

/** Appends the Luhn check digit (test-side, independent of the validator). */
function withLuhn(body: string): string {
  const DOUBLE = [0, 2, 4, 6, 8, 1, 3, 5, 7, 9];
  const sum = [...body].reverse().reduce((a, d, i) => a + (i % 2 === 0 ? DOUBLE[Number(d)]! : Number(d)), 0);
  return body + String((10 - (sum % 10)) % 10);
}

describe('phones in national formats, unassigned ranges and other languages', () => {
  it.each([
    ['Mon numéro : 06 12 34 56 78', '06 12 34 56 78'],
    ['Vous pouvez me joindre au 01.42.68.53.00.', '01.42.68.53.00'],
    ['Meine Nummer ist 0151 23456789.', '0151 23456789'],
    ['Sie erreichen mich unter (030) 2345678.', '(030) 2345678'],
    ['Für Rückfragen bin ich unter 0171-5550123 erreichbar.', '0171-5550123'],
    ['Llámame al 612 34 56 78.', '612 34 56 78'],
    ['Il mio numero è 347 123 4567.', '347 123 4567'],
    ['Bel me op 06-12345678.', '06-12345678'],
    ['Meu telefone é (11) 91234-5678.', '(11) 91234-5678'],
    ['電話番号は090-1234-5678です。', '090-1234-5678'],
    ['お問い合わせは03-1234-5678までお電話ください。', '03-1234-5678'],
    // North American numbers in area codes nobody has been given, UK numbers in unallocated ranges.
    ['Call me at (237) 482-1937.', '(237) 482-1937'],
    ['Support line +1 569 931 0912', '+1 569 931 0912'],
    ['Ring me on 07422 320060 after lunch.', '07422 320060'],
    ['Please call 01800 928471 to rebook, we are in London.', '01800 928471'],
    ['I am in Berlin this week, my number there is 0351 2459270.', '0351 2459270'],
    ['Büro Zürich: 078 659 20 93', '078 659 20 93'],
  ])('%j', (text, expected) => {
    expect(found(text, 'phone')).toEqual([expected]);
  });

  it.each([
    'Bestellnummer 123456789',
    'Numéro de commande : 123 456 789',
    'Your order number is 1234567890.',
    'Kundennummer 0123456789 wurde gesperrt.',
    'Número do pedido: 820213723 Celular: (61) 98056 4076',
    'La population est de 2 165 423 habitants.',
    'DOI 10.5634/616361 and ISBN 979-9-71-550695-9',
    'Steuernummer 82/866/89825',
    'ZIP 54465-5176, suite 268',
    '注文番号 3765403346',
  ])('%j has no phone', (text) => {
    expect(found(text, 'phone').filter((p) => !text.endsWith(p) || !text.includes('Celular'))).toEqual([]);
  });
});

describe('payment cards of every network', () => {
  it.each([
    ['JCB', '3530111333300000'],
    ['JCB', '3566 0020 2036 0505'],
    ['JCB 19 digits', '3589 4512 7781 2345 671'],
    ['UnionPay', '6200000000000005'],
    ['Mir', '2200 0000 0000 0004'],
    ['Diners 14', '3056 930902 5904'],
    ['Discover', '6011 0009 9013 9424'],
  ])('%s %s', (_network, number) => {
    const digits = number.replace(/ /g, '');
    const value =
      digits.length === 19 ? number.replace(/\d$/, '') + withLuhn(digits.slice(0, -1)).at(-1) : number;
    expect(found(`Card number: ${value}`, 'card')).toEqual([value]);
  });

  it.each([
    ['Maestro', withLuhn('675964982643845')],
    ['RuPay', withLuhn('608000000000000')],
    ['Troy', withLuhn('979200000000000')],
    ['Elo', withLuhn('636368000000000')],
    ['Hipercard', withLuhn('606282000000000')],
    ['Dankort', withLuhn('501900000000000')],
    ['Verve', withLuhn('506099000000000')],
    ['Visa 13', withLuhn('422222222222')],
  ])('%s next to a card word', (_network, number) => {
    expect(found(`Paid with the card ${number}.`, 'card')).toEqual([number]);
    expect(found(`Kreditkartennummer: ${number}`, 'card')).toEqual([number]);
  });

  it('regional ranges without a card word stay out; barcodes, IMEIs and IBAN digits are not cards', () => {
    expect(found(`Batch ${withLuhn('608000000000000')} passed`, 'card')).toEqual([]);
    expect(found(`IMEI ${withLuhn('35693803564380')} registered`, 'card')).toEqual([]);
    expect(found('EAN 4006381333931 on the label', 'card')).toEqual([]);
    expect(found('IBAN PL41 4111 1111 1111 1111 1935 3546 is invalid.', 'card')).toEqual([]);
  });
});

describe('secrets without a vendor prefix', () => {
  const key = 'wJa1rXUtnFEMI/K7MDENG+bPxRfiCYz8Q2LmN0v3';
  it.each([
    [`Authorization: Bearer ${key}`],
    [`key: ${key}`],
    [`export KEY=${key}`],
    [`config.token = "${key}";`],
    [`"apiSecret": "${key}",`],
    [`Passwort: ${key}`],
    [`mot de passe : ${key}`],
    [`AccountKey=${key}${key}ab==;EndpointSuffix=core.windows.net`],
  ])('%s', (text) => {
    const secrets = found(text, 'secret');
    expect(secrets).toHaveLength(1);
    expect(secrets[0]).toContain(key);
  });

  it.each([
    'Pinned to ipfs://QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG',
    'CID QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG',
    'Open https://docs.google.com/document/d/1H73xXBicWVgxSWT5EObWPIvDGvUBZF6mJwyPaHJfYcg/edit',
    'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGk4Lm9P3xYz7Qw2Rt5Uv8Wx1Ab4Cd6Ef9Gh2Ij5Kl jane@laptop',
    '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE7Xy9Kq2LmN8pR4sT6vW1zA3bC5dE7fG\n-----END PUBLIC KEY-----',
    'key: MyApplicationSettingsProvider2',
    'token: see https://example.com/docs/authentication',
  ])('%j has no secret', (text) => {
    expect(found(text, 'secret')).toEqual([]);
  });

  it('a private key after an unterminated certificate is still found', () => {
    const text =
      '-----BEGIN CERTIFICATE-----\nMIIB\n-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----';
    expect(found(text, 'secret')).toEqual([text.slice(text.indexOf('-----BEGIN PRIVATE'))]);
  });

  it('new provider prefixes', () => {
    for (const k of [
      `glpat-${'Ab3_'.repeat(5)}`,
      `npm_${'aB3'.repeat(12)}`,
      `SG.${'aB3_x'.repeat(4)}aB.${'Cd4-y'.repeat(8)}Cd4`,
    ]) {
      expect(found(`here: ${k}`, 'secret')).toEqual([k]);
    }
  });
});

describe('dotted numbers that are not addresses, addresses in other languages', () => {
  it.each([
    'the ratio was 8.5.4.8 in the legacy format',
    'See section 6.9.11.4 of the standard.',
    'Rule 9.6.5.8 applies to all contractors.',
    'Trypsin is EC 3.4.21.4.',
    'Firmware 4.8.6.0 fixes the fan curve.',
    'Upgrade to v5.8.29.82 now.',
  ])('%j has no IP', (text) => {
    expect(found(text, 'ip')).toEqual([]);
  });

  it.each([
    ['Der Server 93.4.250.229 ist nicht erreichbar.', '93.4.250.229'],
    ['Il server 1.1.1.1 non risponde.', '1.1.1.1'],
    ['Set the DNS server to 8.8.4.4.', '8.8.4.4'],
    ['Listening on 1.2.3.4:8080', '1.2.3.4'],
    ['Blocked 185.220.101.4 after five failed logins', '185.220.101.4'],
  ])('%j', (text, ip) => {
    expect(found(text, 'ip')).toEqual([ip]);
  });
});

describe('email near misses', () => {
  it('retina asset names are not addresses', () => {
    expect(found('Use logo@2x.png and icon@3x.webp for retina screens.')).toEqual([]);
    expect(found('mail ana@example.md')).toEqual(['ana@example.md']);
  });
});

describe('maskPii', () => {
  it('masks by default and keeps a hint', () => {
    const r = maskPii('mail jane@example.com, card 4242 4242 4242 4242, ssn 123-45-6789, ip 10.1.2.3');
    expect(r.text).toBe('mail j***@example.com, card **** **** **** 4242, ssn ***-**-6789, ip 10.1.2.3');
    expect(r.action).toBe('flag');
    expect(r.findings.map((f) => f.kind)).toEqual(['pii.email', 'pii.card', 'pii.ssn', 'pii.ip.ipv4']);
    expect(r.findings.every((f) => f.source === 'response' && !f.message.includes('jane'))).toBe(true);
  });

  it('masks phones, IBANs, IPs and secrets', () => {
    const r = maskPii(
      '+1 415-555-2671 DE89370400440532013000 10.1.2.3 ghp_a1B2a1B2a1B2a1B2a1B2a1B2a1B2a1B2a1B2',
      { ip: 'mask' },
    );
    expect(r.text).toBe('+* ***-***-**71 DE****************3000 10.1.*.* ghp_********');
  });

  it('redacts, blocks and turns types off', () => {
    expect(maskPii('a jane@example.com', { email: 'redact' }).text).toBe('a [REDACTED:EMAIL]');
    expect(maskPii('a jane@example.com', { email: 'block' }).action).toBe('block');
    const off = maskPii('a jane@example.com', { email: 'off' });
    expect(off).toMatchObject({ text: 'a jane@example.com', modified: false, action: 'allow' });
  });

  it('works on inputs with another finding source', () => {
    const r = maskPii(
      'my card is 4111111111111111',
      {},
      { source: 'detection', path: 'messages[0].content' },
    );
    expect(r.findings[0]).toMatchObject({ source: 'detection', location: { path: 'messages[0].content' } });
  });
});

describe('scanPii candidate pre-pass', () => {
  // The pre-pass probes every 16th character for long tokens and resumes its digit sweep after each
  // number region: an entity must be found whatever its offset relative to those probes.
  const cases: Array<[PiiType, string]> = [
    ['secret', 'Xy9Kq2LmN8pR4sT6vW1zA3bC5dE7fG'],
    ['secret', `sk-${'Zx9'.repeat(16)}`],
    ['card', '4242 4242 4242 4242'],
    ['iban', 'GB82WEST12345698765432'],
    ['ip', '2001:db8::8a2e:370:7334'],
    ['email', 'jane.doe@example.com'],
  ];
  it.each(cases)('finds a %s at every offset', (type, value) => {
    for (let pad = 0; pad < 40; pad++) {
      const text = `${'a b '.repeat(pad).slice(0, pad)} ${value} end`;
      expect(found(text, type), `offset ${pad}`).toEqual([value]);
    }
  });

  it('finds nothing in long benign prose', () => {
    const prose = 'The quarterly report covers revenue, churn and the new billing system. '.repeat(60);
    expect(scanPii(prose).entities).toEqual([]);
  });
});
