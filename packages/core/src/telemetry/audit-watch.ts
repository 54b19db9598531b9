/**
 * Audit-chain status for the dashboard: a pass-through around the audit sink that follows what this
 * process writes. Each accepted batch must continue the chain (the next `seq`, `prevHash` equal to the
 * previous entry's `hash`); each checkpoint must name the entry just written and carry a valid signature
 * (Ed25519 with the public half of `audit.checkpoints.signingKey`) or MAC (the audit HMAC key). Repairs
 * and resets the sink reports when it opens are kept as well. Off the request path: this runs in the
 * audit writer's loop, after the sink accepted the write. It does not re-read files: tampering with a
 * log at rest is what `ai-shield audit verify` finds.
 * @module
 */
import { type ChainHasher, createChainHasher } from '../audit/chain.js';
import { checkCheckpoint, type Ed25519KeyInput, importEd25519Key } from '../audit/checkpoint.js';
import { type AuditCheckpoint, type AuditEntry, type AuditSink, GENESIS_HASH } from '../audit/types.js';

export interface AuditChainStatus {
  /** `ok`; `warning` (repairs, dropped entries or failed writes, chain intact); `broken`; `idle` (nothing written yet). */
  state: 'ok' | 'warning' | 'broken' | 'idle';
  /** Entries written by this process whose links were checked. */
  entries: number;
  /** The last entry written. */
  head?: { seq: number; hash: string };
  /** `seq` of the chain head found when the sink opened (the chain continues from there). */
  resumedFrom?: number;
  checkpoints: number;
  /** The last checkpoint written and whether its signature or MAC verified here. */
  lastCheckpoint?: { seq: number; ts: string; alg: string; verified: boolean };
  /** The first break found, if any. */
  break?: { reason: string; message: string; seq?: number; at: string };
  /** Repairs and other things worth a look that do not break the chain. */
  notes: string[];
}

export interface AuditWatch {
  wrap(sink: AuditSink): AuditSink;
  status(): AuditChainStatus;
}

export interface AuditWatchOptions {
  hmacKey?: string;
  signingKey?: Ed25519KeyInput;
}

/** The public half of an Ed25519 signing key, when it can be had (a JWK, or an extractable CryptoKey). */
async function publicKeyOf(signingKey: Ed25519KeyInput | undefined): Promise<CryptoKey | undefined> {
  if (!signingKey) return undefined;
  try {
    if (typeof CryptoKey !== 'undefined' && signingKey instanceof CryptoKey) {
      if (signingKey.type === 'public') return signingKey;
      if (!signingKey.extractable) return undefined;
      return importEd25519Key(await crypto.subtle.exportKey('jwk', signingKey), 'verify');
    }
    return await importEd25519Key(signingKey as JsonWebKey, 'verify');
  } catch {
    return undefined;
  }
}

export function createAuditWatch(options: AuditWatchOptions): AuditWatch {
  const status: AuditChainStatus = { state: 'idle', entries: 0, checkpoints: 0, notes: [] };
  let keys: Promise<{ hasher: ChainHasher; publicKey?: CryptoKey }> | undefined;
  const keysOf = () =>
    (keys ??= (async () => {
      const hasher = await createChainHasher(options.hmacKey);
      const publicKey = await publicKeyOf(options.signingKey);
      return { hasher, ...(publicKey ? { publicKey } : {}) };
    })());

  const broken = (reason: string, message: string, seq?: number) => {
    status.break ??= {
      reason,
      message,
      ...(seq !== undefined ? { seq } : {}),
      at: new Date().toISOString(),
    };
  };
  const note = (message: string) => {
    if (status.notes.length < 20) status.notes.push(message);
  };

  function follow(entries: AuditEntry[]): void {
    for (const entry of entries) {
      const prev = status.head;
      const expectedSeq = prev ? prev.seq + 1 : 0;
      const expectedHash = prev ? prev.hash : GENESIS_HASH;
      if (entry.seq !== expectedSeq || entry.prevHash !== expectedHash) {
        broken(
          'link',
          `entry ${entry.seq} does not continue the chain (expected seq ${expectedSeq} after ${prev ? `entry ${prev.seq}` : 'the genesis'})`,
          entry.seq,
        );
      }
      status.head = { seq: entry.seq, hash: entry.hash };
      status.entries++;
    }
  }

  async function checkpointWritten(checkpoint: AuditCheckpoint): Promise<void> {
    status.checkpoints++;
    let verified = false;
    try {
      const { hasher, publicKey } = await keysOf();
      const anchored = status.head && status.head.seq === checkpoint.seq;
      if (anchored && status.head!.hash !== checkpoint.hash) {
        broken(
          'checkpoint',
          `checkpoint for entry ${checkpoint.seq} names another hash than the entry written`,
        );
      }
      const problem = await checkCheckpoint(checkpoint, hasher, publicKey);
      if (problem) broken('checkpoint', `checkpoint for entry ${checkpoint.seq}: ${problem}`, checkpoint.seq);
      // Unsigned checkpoints and Ed25519 ones without a public key here prove nothing: not "verified".
      verified =
        !problem &&
        !!anchored &&
        (checkpoint.alg === 'HS256' || (checkpoint.alg === 'Ed25519' && publicKey !== undefined));
    } catch (error) {
      note(`checkpoint ${checkpoint.seq} could not be checked: ${(error as Error).message}`);
    }
    status.lastCheckpoint = { seq: checkpoint.seq, ts: checkpoint.ts, alg: checkpoint.alg, verified };
  }

  function wrap(sink: AuditSink): AuditSink {
    // Every member of AuditSink is passed on: a dropped `options` (the refusal's sync) or `writeHead`
    // would silently weaken the audit log the dashboard is watching.
    const wrapped: AuditSink = {
      async write(lines, entries, options) {
        await sink.write(lines, entries, options);
        follow(entries);
      },
    };
    if (sink.open) {
      wrapped.open = async () => {
        const state = await sink.open!();
        if (state.head) {
          status.head = { ...state.head };
          status.resumedFrom = state.head.seq;
        }
        if (state.repaired) {
          note(
            `a torn last line (${state.repaired.bytesRemoved} bytes) was cut off ${state.repaired.file} at start`,
          );
        }
        if (state.resetReason)
          broken('reset', `the previous chain could not be resumed: ${state.resetReason}`);
        if (state.truncated) {
          broken(
            'truncated',
            `the log ends at ${state.truncated.logSeq === null ? 'no entry' : `entry ${state.truncated.logSeq}`} but its head record names entry ${state.truncated.headSeq}: entries were cut off while the writer was down`,
            state.truncated.headSeq,
          );
        }
        return state;
      };
    }
    if (sink.writeCheckpoint) {
      wrapped.writeCheckpoint = async (line, checkpoint) => {
        await sink.writeCheckpoint!(line, checkpoint);
        await checkpointWritten(checkpoint);
      };
    }
    if (sink.writeHead) wrapped.writeHead = (line, head) => sink.writeHead!(line, head);
    if (sink.flush) wrapped.flush = () => sink.flush!();
    if (sink.close) wrapped.close = () => sink.close!();
    return wrapped;
  }

  return {
    wrap,
    status: () => ({
      ...status,
      state: status.break ? 'broken' : status.notes.length > 0 ? 'warning' : status.head ? 'ok' : 'idle',
      notes: [...status.notes],
      ...(status.head ? { head: { ...status.head } } : {}),
    }),
  };
}
