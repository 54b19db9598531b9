/**
 * Rates a pickle stream: runs the symbolic VM, turns every import into a finding by policy, follows
 * pickles nested in byte strings and joblib's inline arrays, and reports malformed streams instead of
 * failing on them.
 * @module
 */
import { type ByteSource, type Cursor, ParseError, SliceSource } from '../bytes.js';
import { child, logLine, report, type ScanContext } from '../context.js';
import { scanNested } from '../dispatch.js';
import { describe, type MachineResult, runMachine, type Value } from './machine.js';
import type { GlobalVerdict } from './policy.js';

interface SeenImport {
  verdict: GlobalVerdict;
  offset: number;
  op: string;
  called: Set<string>;
}

/** True when the bytes at `pos` start a protocol 2+ pickle (`PROTO n`). */
export function looksLikePickle(src: ByteSource, pos = 0): boolean {
  const b = src.read(pos, 2);
  return b.length === 2 && b[0] === 0x80 && b[1]! >= 2 && b[1]! <= 5;
}

function dictGet(state: Value, key: string): Value | undefined {
  if (state.t !== 'seq' || state.kind !== 'dict') return undefined;
  for (let i = 0; i + 1 < state.items.length; i += 2) {
    const k = state.items[i]!;
    if (k.t === 'str' && k.v === key) return state.items[i + 1];
  }
  return undefined;
}

/** numpy's NPY_ITEM_HASOBJECT flag in a pickled dtype's state: the items hold Python objects. */
const NPY_ITEM_HASOBJECT = 0x01;

/**
 * Bytes per element of a pickled `numpy.dtype`, or 'object' when elements hold Python objects: object
 * arrays, and records with an object field (`[('i', 'i4'), ('o', 'O')]`), which joblib writes as a nested
 * pickle rather than raw bytes.
 */
function dtypeSize(dtype: Value | undefined): number | 'object' | undefined {
  if (dtype?.t !== 'call' || dtype.fn.t !== 'global' || dtype.fn.name !== 'dtype') return undefined;
  const code = dtype.args.t === 'seq' ? dtype.args.items[0] : undefined;
  if (code?.t !== 'str') return undefined;
  if (code.v.replace(/^[<>|=]/, '').startsWith('O')) return 'object';
  const flags = dtype.state?.t === 'seq' ? dtype.state.items[7] : undefined;
  if (flags?.t === 'int' && flags.v & NPY_ITEM_HASOBJECT) return 'object';
  const elsize = dtype.state?.t === 'seq' ? dtype.state.items[5] : undefined;
  if (elsize?.t === 'int' && elsize.v > 0) return elsize.v;
  const m = /^[<>|=]?[a-zA-Z](\d+)$/.exec(code.v);
  return m ? Number(m[1]) : undefined;
}

/**
 * joblib writes each numpy array's raw bytes straight after the pickled `NumpyArrayWrapper`, so the
 * stream must be resynchronised past them (or, for object arrays, into the embedded pickle).
 */
function skipJoblibArray(obj: Value, state: Value, cur: Cursor, ctx: ScanContext): void {
  if (obj.t !== 'call' || obj.fn.t !== 'global' || obj.fn.name !== 'NumpyArrayWrapper') return;
  const shape = dictGet(state, 'shape');
  const size = dtypeSize(dictGet(state, 'dtype'));
  if (size === 'object') {
    const res = scanStream(cur.src, cur.pos, child(ctx, `joblib-object-array@${cur.pos}`));
    if (!res.stopped) throw new ParseError('embedded object-array pickle did not end cleanly', cur.pos);
    cur.pos = res.end;
    return;
  }
  if (shape?.t !== 'seq' || size === undefined)
    throw new ParseError('cannot size joblib inline array', cur.pos);
  let n = size;
  for (const d of shape.items) {
    if (d.t !== 'int') throw new ParseError('joblib array shape is not numeric', cur.pos);
    n *= d.v;
  }
  const align = dictGet(state, 'numpy_array_alignment_bytes');
  if (align?.t === 'int') cur.skip(cur.u8()); // padding length byte, then that many 0xff bytes
  cur.skip(n);
}

function ruleFor(v: GlobalVerdict): string {
  return v.kind === 'unlisted' ? 'pickle/unknown-global' : 'pickle/dangerous-global';
}

/** Scans one pickle stream starting at `start`; reports findings into `ctx` and returns how it ended. */
export function scanStream(src: ByteSource, start: number, ctx: ScanContext): MachineResult {
  const imports = new Map<string, SeenImport>();
  // Globals computed at load time, by offset; a call of one is as dangerous as any import can be.
  const dynamic = new Map<number, { detail: string; called: Set<string> }>();
  const res = runMachine(
    src,
    start,
    {
      onImport(ev) {
        const key = `${ev.module}.${ev.name}`;
        if (!imports.has(key)) {
          imports.set(key, {
            verdict: ctx.policy.rate(ev.module, ev.name),
            offset: ev.offset,
            op: ev.op,
            called: new Set(),
          });
        }
      },
      onCall(fn, op) {
        if (fn.t === 'global') imports.get(`${fn.module}.${fn.name}`)?.called.add(op);
        else if (fn.t === 'dynamic') dynamic.get(fn.offset)?.called.add(op);
        else if (fn.t === 'call' && fn.fn.t === 'global' && op === 'BUILD') {
          imports.get(`${fn.fn.module}.${fn.fn.name}`)?.called.add('BUILD');
        }
      },
      onDynamicImport(offset, detail) {
        dynamic.set(offset, { detail, called: new Set() });
      },
      onGlobalMutation(target, op, offset) {
        report(ctx, {
          ruleId: 'pickle/global-mutation',
          severity: 'critical',
          offset,
          message:
            `${op} changes the imported object ${describe(target)} itself (a module, class or registry), so ` +
            'names imported later resolve to what the pickle put there. No model stores data this way. Do not load this file.',
          evidence: `${op} on ${describe(target)}`,
          cwe: 'CWE-502',
        });
      },
      onFrameMismatch(offset, detail) {
        report(ctx, {
          ruleId: 'pickle/frame-mismatch',
          severity: 'high',
          offset,
          message:
            'FRAME lengths disagree with the opcodes that follow. Picklers never write this; the C and pure-Python ' +
            'unpicklers, and scanners that trust frames, read such a stream differently. Review every finding in this file.',
          evidence: detail,
          cwe: 'CWE-502',
        });
      },
      onBytes(offset, length) {
        if (length < 4 || ctx.depth >= ctx.limits.maxDepth) return;
        const inner = new SliceSource(src, offset, length);
        scanNested(inner, child(ctx, `bytes@${offset}`), { onlyKnownMagic: true });
      },
      onExtension(code, offset) {
        report(ctx, {
          ruleId: 'pickle/extension-code',
          severity: 'medium',
          offset,
          message:
            'EXT opcodes import whatever the copyreg extension registry maps this code to at load time.',
          evidence: `EXT code ${code}`,
          cwe: 'CWE-502',
        });
      },
      afterBuild(obj, state, cur) {
        skipJoblibArray(obj, state, cur, ctx);
      },
    },
    ctx.limits.maxPickleOps,
  );

  for (const [offset, d] of dynamic) {
    const called = d.called.size > 0;
    report(ctx, {
      ruleId: 'pickle/dynamic-global',
      severity: called ? 'critical' : 'high',
      offset,
      message:
        'STACK_GLOBAL takes its module/name from values computed at load time, so the import target cannot be ' +
        `verified statically${called ? ', and the result is then called' : ''}. Do not load this file.`,
      evidence: `STACK_GLOBAL ${d.detail}${called ? `, invoked via ${[...d.called].join('/')}` : ''}`,
      cwe: 'CWE-502',
    });
  }
  const safe: string[] = [];
  for (const [name, seen] of imports) {
    if (seen.verdict.severity === 'safe') {
      safe.push(name);
      continue;
    }
    const how = seen.called.size ? `, invoked via ${[...seen.called].join('/')}` : '';
    report(ctx, {
      ruleId: ruleFor(seen.verdict),
      severity: seen.verdict.severity,
      offset: seen.offset,
      message:
        seen.verdict.kind === 'unlisted'
          ? `Pickle imports ${name}, which is not on the allow-list (${seen.verdict.reason}). If it is your own code, allow it with --allow-global ${name}; otherwise convert the model to safetensors.`
          : `Pickle imports ${name} (${seen.verdict.reason}); loading this file can run arbitrary code. Do not load it; convert trusted models to safetensors.`,
      evidence: `${seen.op} ${name}${how}`,
      cwe: 'CWE-502',
    });
  }
  if (safe.length) logLine(ctx, 'debug', `allow-listed globals: ${safe.slice(0, 20).join(', ')}`);
  if (res.error) {
    report(ctx, {
      ruleId: 'pickle/malformed',
      severity: 'medium',
      offset: res.error.offset,
      message:
        `Malformed or truncated pickle (${res.error.message}). CPython executes opcodes as it reads, so anything ` +
        'before this point would still run; parsers that disagree on malformed input are a known scanner bypass.',
      evidence: `at offset ${res.error.offset}`,
      cwe: 'CWE-502',
    });
  } else if (!res.stopped && res.end >= src.size) {
    report(ctx, {
      ruleId: 'pickle/malformed',
      severity: 'medium',
      offset: res.end,
      message: 'Pickle stream ends without a STOP opcode (truncated file).',
      evidence: `${res.ops} opcodes read`,
      cwe: 'CWE-502',
    });
  } else if (!res.stopped) {
    report(ctx, {
      ruleId: 'pickle/incomplete',
      severity: 'low',
      offset: res.end,
      message: `Stopped after ${res.ops} opcodes (limit); the rest of the stream was not inspected.`,
    });
  }
  return res;
}

/**
 * Scans a whole pickle file: the first stream, then any further streams that follow it (legacy
 * `torch.save` files are five concatenated pickles; a second stream is also a way to hide a payload).
 */
export function scanPickle(src: ByteSource, ctx: ScanContext): void {
  let pos = 0;
  for (let streams = 0; streams < 16 && pos < src.size; streams++) {
    const res = scanStream(src, pos, streams === 0 ? ctx : child(ctx, `stream${streams}@${pos}`));
    if (!res.stopped) return;
    pos = res.end;
    if (!looksLikePickle(src, pos)) break;
  }
  if (pos < src.size)
    logLine(ctx, 'debug', `${src.size - pos} bytes after the last pickle stream (not pickle data)`);
}

export { describe };
