/**
 * Types shared by the PII scanners, masking and the response checker.
 * @module
 */

/** Entity types `scanPii` reports. `ip` covers IPv4 and IPv6; `secret` covers keys, tokens and PEM blocks. */
export type PiiType = 'email' | 'phone' | 'card' | 'iban' | 'ssn' | 'ip' | 'secret';

/** Every `PiiType`, in the order used for documentation and reports. */
export const PII_TYPES: readonly PiiType[] = ['email', 'phone', 'card', 'iban', 'ssn', 'ip', 'secret'];

/**
 * What to do with a match: `mask` keeps a hint (`j***@example.com`), `redact` replaces it with
 * `[REDACTED:EMAIL]`, `block` withholds the whole response, `flag` records it and passes it through,
 * `off` skips detection.
 */
export type PiiAction = 'mask' | 'redact' | 'block' | 'flag' | 'off';

/** One detected entity. Offsets are UTF-16 code units into the scanned text, `end` exclusive. */
export interface PiiEntity {
  type: PiiType;
  start: number;
  end: number;
  /** 0..1: how sure the scanner is (checksums and context raise it, bare digit strings lower it). */
  confidence: number;
  /**
   * Finer kind when known: `ipv4`/`ipv6`, or for secrets `openai`, `anthropic`, `aws-access-key`,
   * `aws-secret-key`, `github`, `gitlab`, `slack`, `stripe`, `google`, `huggingface`, `npm`, `sendgrid`,
   * `pypi`, `digitalocean`, `shopify`, `square`, `twilio`, `mailgun`, `jwt`, `private-key`,
   * `high-entropy` (including vendor-less keys right after a secret word).
   */
  subtype?: string;
}

/** Internal alias: scanners push entities before overlap resolution and thresholding. */
export type RawEntity = PiiEntity;
