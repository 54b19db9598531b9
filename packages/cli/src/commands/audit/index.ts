/**
 * `ai-shield audit verify <files or folders...>`: checks audit logs' hash chains, keys, checkpoints and
 * head records. One chain: prints OK with counts, or the first bad entry and why. Several chains (a
 * fleet, one per instance): verifies each, checks the heads published apart from the logs (`--heads`,
 * `--heads-redis`) so that a chain deleted whole is reported, and with `--merge` writes every entry as
 * one time-ordered JSONL stream to stdout. Exit code 0 (intact), 1 (tampered or incomplete), 2 (usage or
 * I/O error).
 * @module
 */
import { createPublicKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { envFlag, SEED_ENV, type VerifyResult } from '@ai-shield/core';
import {
  createFileAuditHeads,
  createRedisAuditHeads,
  type FleetVerifyResult,
  findAuditChains,
  mergeAuditChains,
  orderAuditFiles,
  readCheckpointFiles,
  verifyAuditFiles,
  verifyAuditFleet,
} from '@ai-shield/core/node';
import type { Command } from 'commander';

interface VerifyCliOptions {
  keyEnv?: string;
  keyFile?: string;
  checkpoints?: string[] | false;
  head?: string | false;
  publicKey?: string;
  partial: boolean;
  json: boolean;
  heads?: string;
  headsRedis?: string;
  headsPrefix: string;
  merge: boolean;
}

/** Head records published apart from the logs: a folder (`createFileAuditHeads`) or Redis. */
async function publishedHeads(opts: VerifyCliOptions): Promise<Record<string, string> | undefined> {
  if (!opts.heads && !opts.headsRedis) return undefined;
  const heads: Record<string, string> = {};
  if (opts.heads) Object.assign(heads, await createFileAuditHeads(opts.heads).list());
  if (opts.headsRedis) {
    const { Redis } = await import('ioredis');
    const client = new Redis(opts.headsRedis, {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      connectTimeout: 5000,
      retryStrategy: () => null,
    });
    client.on('error', () => {});
    try {
      await client.connect();
      Object.assign(heads, await createRedisAuditHeads(client, { keyPrefix: opts.headsPrefix }).list());
    } finally {
      client.disconnect();
    }
  }
  return heads;
}

/** Report of a fleet verification: one block per chain, then the chains only the published heads know. */
export function formatFleetResult(fleet: FleetVerifyResult): string {
  const lines: string[] = [];
  for (const chain of fleet.chains) {
    lines.push(`== ${chain.key}${chain.instance ? ` (instance ${chain.instance})` : ''}`);
    const head = chain.headSource === 'published' ? `published head of ${chain.instance}` : chain.headFile;
    lines.push(
      formatVerifyResult(chain.result, chain.checkpointFile ? [chain.checkpointFile] : [], head)
        .split('\n')
        .map((line) => `  ${line}`)
        .join('\n'),
    );
  }
  for (const missing of fleet.missing) lines.push(`FAIL  missing chain: ${missing.message}`);
  const failed = fleet.chains.filter((chain) => !chain.result.ok).length;
  lines.push(
    fleet.ok
      ? `FLEET OK  ${fleet.chains.length} chain${fleet.chains.length === 1 ? '' : 's'}, ${fleet.chains.reduce((n, c) => n + c.result.entries, 0)} entries`
      : `FLEET FAIL  ${failed} of ${fleet.chains.length} chain${fleet.chains.length === 1 ? '' : 's'} failed${fleet.missing.length ? `, ${fleet.missing.length} missing` : ''}`,
  );
  return lines.join('\n');
}

/** Reads a JWK (JSON) or PEM (SPKI) Ed25519 public key. */
function readPublicKey(path: string): JsonWebKey {
  const text = readFileSync(path, 'utf8').trim();
  if (text.startsWith('{')) return JSON.parse(text) as JsonWebKey;
  return createPublicKey(text).export({ format: 'jwk' }) as JsonWebKey;
}

/** A file the file sink writes beside the logs (`checkpoints_{model}.jsonl`, `head_{model}.json`), if present. */
async function besideLogs(files: string[], name: (model: string) => string): Promise<string | undefined> {
  const [first] = await orderAuditFiles(files);
  if (!first) return undefined;
  const line = readFileSync(first, 'utf8').split('\n', 1)[0] ?? '';
  const model = (/"model":"([^"]*)"/.exec(line)?.[1] ?? 'default').replace(/[^A-Za-z0-9_-]/g, '_');
  const candidate = join(dirname(first), name(model));
  return existsSync(candidate) ? candidate : undefined;
}

/**
 * The audit HMAC key from the environment: the variable `name` when given, else
 * `AI_SHIELD_AUDIT_HMAC_KEY`, else the seed's `AUDIT_HMAC_KEY` when `AI_SHIELD_SEED_ENV=1`.
 */
export function auditKeyFromEnv(env: Record<string, string | undefined>, name?: string): string | undefined {
  if (name) return env[name] || undefined;
  return (
    env.AI_SHIELD_AUDIT_HMAC_KEY || (envFlag(env[SEED_ENV]) ? env.AUDIT_HMAC_KEY || undefined : undefined)
  );
}

/** Human-readable report of a verification. */
export function formatVerifyResult(
  result: VerifyResult & { order?: string[] },
  checkpointFiles: string[],
  headFile?: string,
): string {
  const types = Object.entries(result.types)
    .sort((a, b) => b[1] - a[1])
    .map(([type, n]) => `${type} ${n}`)
    .join(', ');
  const cp = result.checkpoints;
  const lines: string[] = [];
  if (result.ok) {
    lines.push(
      `OK  ${result.entries} entries in ${result.files} file${result.files === 1 ? '' : 's'}${result.entries ? ` (seq ${result.firstSeq}..${result.lastSeq})` : ''}, ${result.keyed ? 'keyed (HMAC)' : 'unkeyed (SHA-256; set AI_SHIELD_AUDIT_HMAC_KEY when writing to stop recomputation)'}`,
    );
  } else {
    const e = result.error!;
    const where = [
      e.file ? `${e.file}${e.line ? `:${e.line}` : ''}` : '',
      e.seq !== undefined ? `entry ${e.seq}` : '',
    ]
      .filter(Boolean)
      .join(', ');
    lines.push(`FAIL  ${e.reason}${where ? ` at ${where}` : ''}: ${e.message}`);
    lines.push(`  checked ${result.entries} entries before the failure`);
  }
  lines.push(
    `  checkpoints: ${cp.total} (${cp.verified} verified${cp.unverified ? `, ${cp.unverified} signed but not checked: pass --public-key` : ''})${checkpointFiles.length ? ` from ${checkpointFiles.join(', ')}` : ' (none: cut-off entries at the end cannot be detected)'}`,
  );
  lines.push(
    result.head
      ? `  head: entry ${result.head.seq} (${result.head.verified ? 'verified' : 'signature not checked'}) from ${headFile}`
      : `  head: ${headFile ? `unusable (${headFile})` : 'none (entries cut off after the last checkpoint cannot be detected)'}`,
  );
  if (result.repairs) lines.push(`  torn-line repairs recorded: ${result.repairs}`);
  if (result.truncations) {
    lines.push(
      `  WARNING: ${result.truncations} truncation${result.truncations === 1 ? '' : 's'} recorded: on start, the writer found fewer entries than its head record named (entries cut off while it was down, or lost to a power loss); see the audit.truncated entries`,
    );
  }
  if (types) lines.push(`  types: ${types}`);
  return lines.join('\n');
}

/** Registers `audit verify`. */
export function registerAuditCommand(program: Command): void {
  const audit = program.command('audit').description('Work with AI Shield audit logs');
  audit
    .command('verify')
    .description(
      'Verify the hash chain, key and checkpoints of audit log files (any order; they are sorted along the chain)',
    )
    .argument('<paths...>', 'audit log files (JSONL) or folders holding them (one chain per instance)')
    .option(
      '--key-env <name>',
      'environment variable holding the HMAC key (default: AI_SHIELD_AUDIT_HMAC_KEY; AUDIT_HMAC_KEY with AI_SHIELD_SEED_ENV=1)',
    )
    .option(
      '--key-file <path>',
      'read the HMAC key from a file instead (keys on the command line leak into process lists)',
    )
    .option(
      '--checkpoints <files...>',
      'checkpoint files (default: checkpoints_{model}.jsonl beside the logs)',
    )
    .option('--no-checkpoints', 'ignore checkpoints')
    .option('--head <file>', 'head record file (default: head_{model}.json beside the logs)')
    .option('--no-head', 'ignore the head record')
    .option('--public-key <file>', 'Ed25519 public key (JWK or PEM) for signed checkpoints')
    .option('--partial', 'accept a log that does not start at entry 0 (earlier files archived)', false)
    .option('--json', 'print the result as JSON', false)
    .option(
      '--heads <dir>',
      'folder of head records published by createFileAuditHeads (detects deleted chains)',
    )
    .option(
      '--heads-redis <url>',
      'Redis holding head records published by createRedisStores / createRedisAuditHeads',
    )
    .option('--heads-prefix <prefix>', 'key prefix of the published heads in Redis', 'ais')
    .option(
      '--merge',
      'after verifying, write every entry of every chain to stdout as one time-ordered JSONL stream (the report goes to stderr)',
      false,
    )
    .action(async (paths: string[], opts: VerifyCliOptions) => {
      try {
        const hmacKey = opts.keyFile
          ? readFileSync(opts.keyFile, 'utf8').trim()
          : auditKeyFromEnv(process.env, opts.keyEnv);
        const chains = await findAuditChains(paths);
        const heads = await publishedHeads(opts);
        if (chains.length === 0 && !heads) {
          throw new Error(`no audit log files found in ${paths.join(', ')}`);
        }
        if (chains.length !== 1 || heads || opts.merge) {
          if (chains.length > 1 && (opts.checkpoints || opts.head)) {
            throw new Error(
              '--checkpoints and --head apply to one chain; with several, each uses the files beside it',
            );
          }
          const fleet = await verifyAuditFleet(chains, {
            ...(hmacKey ? { hmacKey } : {}),
            ...(opts.publicKey ? { publicKey: readPublicKey(opts.publicKey) } : {}),
            partial: opts.partial,
            ...(heads ? { heads } : {}),
          });
          const report = opts.json ? JSON.stringify(fleet, null, 2) : formatFleetResult(fleet);
          if (opts.merge) {
            process.stderr.write(`${report}\n`);
            for await (const entry of mergeAuditChains(chains))
              process.stdout.write(`${JSON.stringify(entry)}\n`);
          } else {
            process.stdout.write(`${report}\n`);
          }
          process.exitCode = fleet.ok ? 0 : 1;
          return;
        }
        const files = chains[0]!.files;
        const defaultCheckpoints =
          chains[0]!.checkpointFile ?? (await besideLogs(files, (model) => `checkpoints_${model}.jsonl`));
        const checkpointFiles =
          opts.checkpoints === false
            ? []
            : (opts.checkpoints ?? (defaultCheckpoints ? [defaultCheckpoints] : []));
        const headFile =
          opts.head === false
            ? undefined
            : (opts.head ??
              chains[0]!.headFile ??
              (await besideLogs(files, (model) => `head_${model}.json`)));
        const result = await verifyAuditFiles(files, {
          ...(hmacKey ? { hmacKey } : {}),
          ...(opts.publicKey ? { publicKey: readPublicKey(opts.publicKey) } : {}),
          checkpoints: await readCheckpointFiles(checkpointFiles),
          ...(headFile ? { head: readFileSync(headFile, 'utf8') } : {}),
          partial: opts.partial,
        });
        process.stdout.write(
          `${opts.json ? JSON.stringify({ ...result, checkpointFiles, headFile }, null, 2) : formatVerifyResult(result, checkpointFiles, headFile)}\n`,
        );
        process.exitCode = result.ok ? 0 : 1;
      } catch (e) {
        process.stderr.write(`ai-shield audit verify: ${(e as Error).message}\n`);
        process.exitCode = 2;
      }
    });
}
