import { describe, expect, it } from 'vitest';
import { testContext } from '../../../test/fixtures/helpers.js';
import { buildReport } from '../../report/build.js';
import { toTable } from '../../report/table.js';
import { basicPiiDetector } from './pii.js';
import { findRiskyCode } from './risky-code.js';
import { findSecrets, maskSecret } from './secrets.js';
import { scanTextFile } from './text-scan.js';

// Assembled at runtime so this file never contains a literal that secret scanners would flag.
const AWS = ['AKIA', 'Z7Q2', 'XH4M', 'P9RT', 'K3LW'].join('');
const HF = `hf_${'aBcDeFgHiJkLmNoPqRsTuVwXyZaBcDeFgH'}`;
const OPENAI = `sk-proj-${'Ab3dEf6hIj9lMn2pQr5tUv8xYz1bCd4fGh7jKl0nOp'}`;

describe('secrets', () => {
  it('finds provider formats and masks them', () => {
    const hits = findSecrets(`key = "${AWS}"\ntoken='${HF}'\nclient = OpenAI(api_key="${OPENAI}")`);
    expect(hits.map((h) => h.ruleId)).toEqual([
      'secret/aws-access-key',
      'secret/openai-key',
      'secret/huggingface-token',
    ]);
    expect(maskSecret(AWS)).toBe('AKIA************ (20 chars)');
  });
  it('finds high-entropy generic assignments', () => {
    expect(findSecrets('DB_PASSWORD = "q8Zr!2vLx#91Kp"').map((h) => h.ruleId)).toEqual(['secret/generic']);
  });
  it.each([
    'password = "your-password-here"',
    'api_key = os.environ["OPENAI_API_KEY"]',
    'token = "<TOKEN>"',
    'secret_name = "training_bucket"',
    'AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a config placeholder, on purpose
    'password: "${DB_PASSWORD}"',
    'api_key = "xxxxxxxxxxxxxxxx"',
  ])('no false positive: %s', (line) => {
    expect(findSecrets(line)).toEqual([]);
  });
  it('collects placeholder-looking matches it skips, and the summary notes them', () => {
    const placeholders: ReturnType<typeof findSecrets> = [];
    expect(findSecrets('AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"', placeholders)).toEqual([]);
    expect(placeholders.map((h) => h.ruleId)).toEqual(['secret/aws-access-key']);

    const ctx = testContext();
    ctx.file = 'config.py';
    scanTextFile('import boto3\nkey = "AKIAIOSFODNN7EXAMPLE"\n', 'python', ctx, { pii: false });
    expect(ctx.findings).toEqual([]);
    expect(ctx.log).toEqual([
      expect.objectContaining({
        code: 'secret/placeholder-skipped',
        message: expect.stringContaining('line 2'),
      }),
    ]);
    expect(JSON.stringify(ctx.log)).not.toContain('AKIAIOSFODNN7EXAMPLE');
    const report = buildReport(
      '.',
      [
        {
          file: 'config.py',
          kind: 'python',
          size: 40,
          scanned: true,
          findings: [],
          log: ctx.log,
          durationMs: 1,
        },
      ],
      new Date(),
      1,
    );
    expect(report.summary.notes).toEqual({ 'secret/placeholder-skipped': 1 });
    expect(toTable(report, false)).toMatch(
      /note: {6}1 secret-like value was skipped as placeholder \(first: config\.py line 2: AWS access key ID skipped/,
    );
  });
});

describe('risky code', () => {
  it('flags the issue patterns', () => {
    const code = [
      'import pickle, requests',
      'open("m.pkl","wb").write(requests.get(url).content)',
      'model = pickle.load(open("m.pkl", "rb"))',
      'tok = AutoTokenizer.from_pretrained(name, trust_remote_code=True)',
      'result = eval(input("expr: "))',
      'model.eval()',
      'state = torch.load("w.pt", weights_only=True)',
      'state = torch.load("w.pt")',
      'cfg = yaml.load(f)',
      'cfg = yaml.load(f, Loader=yaml.SafeLoader)',
    ].join('\n');
    expect(findRiskyCode(code).map((h) => `${h.severity} ${h.ruleId}`)).toEqual([
      'high code/pickle-load',
      'high code/torch-load',
      'high code/trust-remote-code',
      'high code/eval-input',
      'medium code/yaml-unsafe-load',
    ]);
  });
  it('pickle.load without downloads is medium; comments are ignored', () => {
    expect(findRiskyCode('x = pickle.load(f)\n# pickle.load(g)').map((h) => h.severity)).toEqual(['medium']);
  });
});

describe('PII (built-in fallback)', () => {
  it('emails, phones, SSNs, cards; ignores documentation addresses', () => {
    const t =
      'Contact jane.doe@acme.io or +44 20 7946 0958; SSN 123-45-6789; card 4111 1111 1111 1111; me@example.com';
    expect(basicPiiDetector(t).entities.map((e) => e.type)).toEqual([
      'EMAIL_ADDRESS',
      'PHONE_NUMBER',
      'US_SSN',
      'CREDIT_CARD',
    ]);
  });
});

describe('notebooks', () => {
  const nb = JSON.stringify(
    {
      cells: [
        { cell_type: 'markdown', metadata: {}, source: ['# Training\n', 'Ask bob.smith@corp.org\n'] },
        {
          cell_type: 'code',
          metadata: {},
          execution_count: 1,
          source: [
            'import os\n',
            `os.environ["HF_TOKEN"] = "${HF}"\n`,
            'model = AutoModel.from_pretrained(p, trust_remote_code=True)',
          ],
          outputs: [{ output_type: 'stream', name: 'stdout', text: ['customer: 123-45-6789\n'] }],
        },
      ],
      metadata: {},
      nbformat: 4,
      nbformat_minor: 5,
    },
    null,
    1,
  );
  it('reports code, markdown and outputs with file line numbers and masked evidence', () => {
    const ctx = testContext();
    scanTextFile(nb, 'notebook', ctx, { pii: basicPiiDetector });
    const lines = nb.split('\n');
    const byRule = Object.fromEntries(ctx.findings.map((f) => [f.ruleId, f]));
    expect(lines[byRule['secret/huggingface-token']!.line! - 1]).toContain('HF_TOKEN');
    expect(lines[byRule['code/trust-remote-code']!.line! - 1]).toContain('trust_remote_code');
    expect(lines[byRule['pii/email-address']!.line! - 1]).toContain('bob.smith');
    expect(byRule['pii/us-ssn']!.evidence).toBe('cell 2 (output): ***-**-**89');
    expect(JSON.stringify(ctx.findings)).not.toContain(HF);
  });
});

describe('PII through @ai-shield/core', () => {
  it('uses core scanPii when available and drops documentation e-mails', async () => {
    const { resolvePiiDetector } = await import('./pii-source.js');
    const detect = await resolvePiiDetector();
    const types = detect('mail jane.doe@acme.io, not me@example.com; card 4111 1111 1111 1111').entities.map(
      (e) => e.type,
    );
    expect(types).toEqual(['email', 'card']);
  });
});
