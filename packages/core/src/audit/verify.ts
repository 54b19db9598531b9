/**
 * Verification of an audit log: every entry's hash, the links between entries (across files), the key,
 * and the checkpoints. Reports the first bad entry and why. Incremental, so the Node CLI can stream
 * files of any size; `verifyAuditLog` wraps it for text already in memory.
 * @module
 */
import { type ChainHasher, createChainHasher } from './chain.js';
import { checkCheckpoint, type Ed25519KeyInput, importEd25519Key } from './checkpoint.js';
import { type AuditCheckpoint, type AuditEntry, GENESIS_HASH } from './types.js';

/** Why a log failed verification. */
export type VerifyFailure =
  | 'malformed'
  | 'modified'
  | 'missing'
  | 'reordered'
  | 'truncated'
  | 'wrong-key'
  | 'key-required'
  | 'bad-checkpoint';

export interface VerifyError {
  reason: VerifyFailure;
  message: string;
  /** `seq` of the entry at fault (or expected there). */
  seq?: number;
  file?: string;
  /** 1-based line number in `file`. */
  line?: number;
}

export interface VerifyResult {
  ok: boolean;
  /** Entries checked. */
  entries: number;
  files: number;
  firstSeq?: number;
  lastSeq?: number;
  lastHash?: string;
  /** Entries per type. */
  types: Record<string, number>;
  /** Torn-line repairs the writer recorded. */
  repairs: number;
  /** `audit.truncated` entries: the writer found, on start, fewer entries than its head record named. */
  truncations: number;
  /** The head record given (`head_{model}.json`): the last entry it names, and whether its signature was checked. */
  head?: { seq: number; verified: boolean };
  checkpoints: { total: number; verified: number; unverified: number; latestSeq?: number };
  /** True when the chain was keyed (HMAC) and the key matched. */
  keyed: boolean;
  error?: VerifyError;
}

export interface VerifyOptions {
  /** The audit HMAC key (`AI_SHIELD_AUDIT_HMAC_KEY`); required for keyed logs. */
  hmacKey?: string;
  /** Ed25519 public key for signed checkpoints. */
  publicKey?: Ed25519KeyInput;
  /** Checkpoint lines (JSONL), from the checkpoint file. */
  checkpoints?: string[];
  /**
   * The head record (the JSON in `head_{model}.json`): the log must reach the entry it names, with the
   * same hash. Catches entries cut off the end between checkpoints.
   */
  head?: string;
  /**
   * Accept a log that does not start at the genesis entry (older files archived or not given).
   * Default false: a missing first entry is then reported as `missing`.
   */
  partial?: boolean;
}

/** Incremental verifier: feed lines in chain order, then `finish()`. */
export interface AuditVerifier {
  /** Starts a new file (files must be given in chain order). */
  file(name: string): void;
  /** Checks one line. Returns false once an error is final (further lines are ignored). */
  line(text: string, options?: { last?: boolean }): Promise<boolean>;
  finish(): Promise<VerifyResult>;
}

type Gap = VerifyError & { expected: number; seen: number };

function withoutGap(gap: Gap): VerifyError {
  const { expected: _expected, seen: _seen, ...error } = gap;
  return error;
}

/** How far past a gap the verifier looks for the missing entry before calling it missing, not reordered. */
const LOOKAHEAD = 1024;

/**
 * Creates an incremental verifier.
 * @example
 * const v = await createAuditVerifier({ hmacKey });
 * v.file('audit.log');
 * for (const line of text.split('\n')) if (line) await v.line(line);
 * const result = await v.finish();
 */
export async function createAuditVerifier(options: VerifyOptions = {}): Promise<AuditVerifier> {
  const hasher: ChainHasher = await createChainHasher(options.hmacKey);
  const publicKey = options.publicKey ? await importEd25519Key(options.publicKey, 'verify') : undefined;
  const result: VerifyResult = {
    ok: true,
    entries: 0,
    files: 0,
    types: {},
    repairs: 0,
    truncations: 0,
    checkpoints: { total: 0, verified: 0, unverified: 0 },
    keyed: hasher.kid !== undefined,
  };
  let error: VerifyError | undefined;
  let gap: Gap | undefined;
  let gapLines = 0;
  let file: string | undefined;
  let lineNo = 0;
  let prev: { seq: number; hash: string } | undefined;
  const seen = new Set<number>();
  const bySeq = new Map<number, string>();
  const checkpointErrors: VerifyError[] = [];

  for (const [index, text] of (options.checkpoints ?? []).entries()) {
    if (!text.trim()) continue;
    result.checkpoints.total++;
    let cp: AuditCheckpoint;
    try {
      cp = JSON.parse(text) as AuditCheckpoint;
    } catch {
      checkpointErrors.push({
        reason: 'bad-checkpoint',
        message: `checkpoint line ${index + 1} is not JSON`,
      });
      continue;
    }
    const problem = await checkCheckpoint(cp, hasher, publicKey);
    if (problem) {
      checkpointErrors.push({
        reason: 'bad-checkpoint',
        seq: cp.seq,
        message: `checkpoint line ${index + 1} (seq ${cp.seq}): ${problem}`,
      });
      continue;
    }
    if (cp.alg === 'Ed25519' && !publicKey) result.checkpoints.unverified++;
    else result.checkpoints.verified++;
    const known = bySeq.get(cp.seq);
    if (known && known !== cp.hash) {
      checkpointErrors.push({
        reason: 'bad-checkpoint',
        seq: cp.seq,
        message: `two checkpoints disagree about seq ${cp.seq}`,
      });
    }
    bySeq.set(cp.seq, cp.hash);
    result.checkpoints.latestSeq = Math.max(result.checkpoints.latestSeq ?? -1, cp.seq);
  }

  let head: AuditCheckpoint | undefined;
  if (options.head?.trim()) {
    try {
      head = JSON.parse(options.head) as AuditCheckpoint;
      if (typeof head?.seq !== 'number' || typeof head.hash !== 'string') throw new Error('no seq/hash');
      const problem = await checkCheckpoint(head, hasher, publicKey);
      if (problem) {
        checkpointErrors.push({
          reason: 'bad-checkpoint',
          seq: head.seq,
          message: `head record: ${problem}`,
        });
        head = undefined;
      } else {
        result.head = {
          seq: head.seq,
          verified: !(head.alg === 'Ed25519' && !publicKey) && head.alg !== 'none',
        };
        const known = bySeq.get(head.seq);
        if (known && known !== head.hash) {
          checkpointErrors.push({
            reason: 'bad-checkpoint',
            seq: head.seq,
            message: `the head record and a checkpoint disagree about seq ${head.seq}`,
          });
        }
        bySeq.set(head.seq, head.hash);
      }
    } catch {
      checkpointErrors.push({
        reason: 'bad-checkpoint',
        message: 'the head record is not a JSON record with seq and hash',
      });
      head = undefined;
    }
  }

  const fail = (reason: VerifyFailure, message: string, seq?: number): false => {
    error ??= {
      reason,
      message,
      ...(seq !== undefined ? { seq } : {}),
      ...(file ? { file } : {}),
      line: lineNo,
    };
    return false;
  };

  async function line(text: string, lineOptions: { last?: boolean } = {}): Promise<boolean> {
    lineNo++;
    if (error) return false;
    if (!text.trim()) return true;
    let entry: AuditEntry;
    try {
      entry = JSON.parse(text) as AuditEntry;
    } catch {
      return lineOptions.last
        ? fail(
            'truncated',
            'the last line is incomplete (a torn write); the file sink repairs it when it starts',
          )
        : fail('malformed', 'line is not valid JSON');
    }
    if (
      typeof entry !== 'object' ||
      entry === null ||
      entry.v !== 1 ||
      typeof entry.seq !== 'number' ||
      typeof entry.hash !== 'string'
    ) {
      return fail('malformed', 'line is not an audit entry (v, seq, hash)');
    }
    if (gap) {
      // Inside the look-ahead after a gap: only looking for the entry that was expected there.
      if (entry.seq === gap.expected) {
        error = {
          ...gap,
          reason: 'reordered',
          message: `entry ${gap.seen} appears before entry ${gap.expected}: entries were reordered`,
        };
        return false;
      }
      if (++gapLines > LOOKAHEAD) error = withoutGap(gap);
      return !error;
    }
    if (entry.kid !== hasher.kid) {
      if (!hasher.kid)
        return fail(
          'key-required',
          'the log is keyed (HMAC): pass the audit key (AI_SHIELD_AUDIT_HMAC_KEY)',
          entry.seq,
        );
      if (result.entries === 0 || entry.kid === undefined) {
        return fail(
          'wrong-key',
          entry.kid
            ? 'the log was sealed with a different audit key'
            : 'the entry is not keyed, but an audit key was given',
          entry.seq,
        );
      }
      return fail('modified', `entry ${entry.seq} names another key than the entries before it`, entry.seq);
    }
    if ((await hasher.hash(entry)) !== entry.hash) {
      return fail('modified', `entry ${entry.seq} does not match its hash: it was modified`, entry.seq);
    }
    const expected = prev ? prev.seq + 1 : undefined;
    if (expected === undefined) {
      if (!options.partial && (entry.seq !== 0 || entry.prevHash !== GENESIS_HASH)) {
        return fail(
          'missing',
          `the log starts at entry ${entry.seq}, not at the genesis entry 0: earlier entries are missing (give the earlier files, or verify with partial)`,
          0,
        );
      }
    } else if (entry.seq < expected || seen.has(entry.seq)) {
      return fail(
        'reordered',
        `entry ${entry.seq} appears after entry ${prev!.seq}: entries were reordered or duplicated`,
        entry.seq,
      );
    } else if (entry.seq > expected) {
      gap = {
        reason: 'missing',
        message: `entries ${expected}..${entry.seq - 1} are missing before entry ${entry.seq}`,
        seq: expected,
        ...(file ? { file } : {}),
        line: lineNo,
        expected,
        seen: entry.seq,
      };
      result.entries++;
      return true;
    } else if (entry.prevHash !== prev!.hash) {
      return fail(
        'modified',
        `entry ${entry.seq} does not link to entry ${prev!.seq} (prevHash differs)`,
        entry.seq,
      );
    }
    const anchored = bySeq.get(entry.seq);
    if (anchored !== undefined && anchored !== entry.hash) {
      return fail(
        'modified',
        `entry ${entry.seq} differs from the signed checkpoint for it: the chain was rewritten`,
        entry.seq,
      );
    }
    seen.add(entry.seq);
    prev = { seq: entry.seq, hash: entry.hash };
    result.entries++;
    result.firstSeq ??= entry.seq;
    result.types[entry.type] = (result.types[entry.type] ?? 0) + 1;
    if (entry.type === 'audit.repaired') result.repairs++;
    if (entry.type === 'audit.truncated') result.truncations++;
    return true;
  }

  async function finish(): Promise<VerifyResult> {
    if (gap && !error) error = withoutGap(gap);
    if (!error && checkpointErrors.length > 0) error = checkpointErrors[0];
    if (!error && head && (prev === undefined || head.seq > prev.seq)) {
      error = {
        reason: 'truncated',
        seq: (prev?.seq ?? -1) + 1,
        message: `the head record names entry ${head.seq} but the log ends at ${prev ? `entry ${prev.seq}` : 'no entry'}: entries were cut off the end`,
        ...(file ? { file } : {}),
      };
    }
    const latest = result.checkpoints.latestSeq;
    if (!error && latest !== undefined && (prev === undefined || latest > prev.seq)) {
      const relevant = !options.partial || (result.firstSeq !== undefined && latest >= result.firstSeq);
      if (relevant) {
        error = {
          reason: 'truncated',
          seq: (prev?.seq ?? -1) + 1,
          message: `a checkpoint covers entry ${latest} but the log ends at ${prev ? `entry ${prev.seq}` : 'no entry'}: entries were cut off the end`,
          ...(file ? { file } : {}),
        };
      }
    }
    if (prev) {
      result.lastSeq = prev.seq;
      result.lastHash = prev.hash;
    }
    result.ok = !error;
    if (error) result.error = error;
    return result;
  }

  return {
    file(name: string) {
      file = name;
      lineNo = 0;
      result.files++;
    },
    line,
    finish,
  };
}

/**
 * Verifies a whole log held in memory: files in chain order, each as text (JSONL).
 * @example
 * const result = await verifyAuditLog([{ name: 'a.log', text }], { hmacKey, checkpoints });
 * if (!result.ok) console.error(result.error);
 */
export async function verifyAuditLog(
  files: Array<{ name: string; text: string }> | string,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  const verifier = await createAuditVerifier(options);
  const list = typeof files === 'string' ? [{ name: 'log', text: files }] : files;
  outer: for (const [fileIndex, { name, text }] of list.entries()) {
    verifier.file(name);
    const lines = text.split('\n');
    // A trailing newline leaves one empty string; anything else after the last newline is a torn line.
    for (let i = 0; i < lines.length; i++) {
      const last = i === lines.length - 1 && fileIndex === list.length - 1;
      if (!(await verifier.line(lines[i]!, { last }))) break outer;
    }
  }
  return verifier.finish();
}
