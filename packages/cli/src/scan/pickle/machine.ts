/**
 * A symbolic pickle virtual machine. It replays the stack and memo semantics of CPython's `_Unpickler`
 * with placeholder values instead of objects, so that every global that would be imported — however it
 * reaches the stack (GLOBAL, STACK_GLOBAL from memoized strings, INST, OBJ, NEWOBJ, NEWOBJ_EX, REDUCE)
 * — is resolved to a `module.name` without importing or calling anything.
 * @module
 */
import { type ByteSource, Cursor, ParseError } from '../bytes.js';
import { type Instruction, nextInstruction } from './decode.js';
import { resolveGlobal } from './policy.js';

/** A placeholder for a Python object on the symbolic stack. */
export type Value =
  | { t: 'global'; module: string; name: string }
  | { t: 'str'; v: string }
  | { t: 'bytes'; offset: number; length: number }
  | { t: 'int'; v: number }
  | { t: 'scalar' }
  | { t: 'seq'; kind: 'tuple' | 'list' | 'set' | 'dict'; items: Value[] }
  | { t: 'call'; fn: Value; args: Value; op: string; state?: Value }
  /** A global whose module/name were computed at load time and could not be followed. */
  | { t: 'dynamic'; offset: number; detail: string }
  | { t: 'opaque'; what: string };

const MARK: Value = { t: 'opaque', what: 'mark' };
/** Containers keep this many items; the rest are counted out, so hostile pickles cannot exhaust memory. */
const MAX_ITEMS = 256;

/** A global import as seen by the VM. */
export interface ImportEvent {
  module: string;
  name: string;
  offset: number;
  op: string;
}

/** Callbacks that let the caller rate imports and react to payloads. */
export interface MachineHooks {
  onImport(ev: ImportEvent): void;
  onCall(fn: Value, op: string, offset: number): void;
  /** A STACK_GLOBAL whose operands are not plain strings: the import target cannot be known statically. */
  onDynamicImport(offset: number, detail: string): void;
  /** BUILD or an item opcode (SETITEM(S), APPEND(S), ADDITEMS) applied to an imported object itself. */
  onGlobalMutation(target: Value, op: string, offset: number): void;
  /** FRAME lengths that disagree with the opcodes (a frame cut mid-opcode, nested, or past the end). */
  onFrameMismatch(offset: number, detail: string): void;
  onBytes(offset: number, length: number): void;
  onExtension(code: number, offset: number): void;
  /** Lets the caller consume out-of-band data that follows a BUILD (joblib arrays); returns the new position. */
  afterBuild?(obj: Value, state: Value, cur: Cursor): void;
}

/** How one stream ended. */
export interface MachineResult {
  stopped: boolean;
  end: number;
  ops: number;
  protocol: number;
  error?: ParseError;
}

function str(v: Value | undefined): string | undefined {
  return v?.t === 'str' ? v.v : undefined;
}

/** Renders a value briefly, for evidence strings. */
export function describe(v: Value | undefined): string {
  if (!v) return '?';
  switch (v.t) {
    case 'global':
      return `${v.module}.${v.name}`;
    case 'str':
      return JSON.stringify(v.v.length > 80 ? `${v.v.slice(0, 80)}…` : v.v);
    case 'int':
      return String(v.v);
    case 'bytes':
      return `<${v.length} bytes>`;
    case 'seq': {
      const inner = v.items.slice(0, 4).map(describe).join(', ');
      return v.kind === 'dict' ? `{${inner}}` : `(${inner}${v.items.length > 4 ? ', …' : ''})`;
    }
    case 'call':
      return `${describe(v.fn)}(…)`;
    case 'dynamic':
      return `<global computed at load time: ${v.detail}>`;
    default:
      return `<${v.t === 'opaque' ? v.what : v.t}>`;
  }
}

function push(items: Value[], v: Value): void {
  if (items.length < MAX_ITEMS) items.push(v);
}

const latin1 = new TextDecoder('latin1');

/**
 * The string an allowed call evaluates to, when its arguments are constants: `str(b'posix', 'ascii')`,
 * `copyreg._reconstructor(str, str, 'os')`, `copyreg.__newobj__(str, 'os')`, `str('os')` via NEWOBJ. These
 * are how a pickle assembles an import target from allowed parts, so they are followed, not trusted.
 */
function foldString(src: ByteSource, fn: Value, args: Value): string | undefined {
  if (fn.t !== 'global' || args.t !== 'seq') return undefined;
  const text = (v: Value | undefined): string | undefined => {
    if (v?.t === 'str') return v.v;
    if (v?.t === 'bytes' && v.length <= 256) return latin1.decode(src.read(v.offset, v.length));
    return undefined;
  };
  const isStr = (v: Value | undefined) => v?.t === 'global' && v.module === 'builtins' && v.name === 'str';
  const [a, b, c] = args.items;
  const full = `${fn.module}.${fn.name}`;
  if (full === 'builtins.str') return text(a);
  if (full === 'copyreg._reconstructor' && isStr(a) && isStr(b)) return text(c);
  if (full === 'copyreg.__newobj__' && isStr(a)) return text(b);
  return undefined;
}

/** Runs one pickle stream from `start` until STOP, an error, or the op budget. Never throws. */
export function runMachine(
  src: ByteSource,
  start: number,
  hooks: MachineHooks,
  maxOps: number,
): MachineResult {
  const cur = new Cursor(src, start);
  const stack: Value[] = [];
  const marks: number[] = [];
  const memo = new Map<number, Value>();
  let ops = 0;
  let protocol = 0;

  const pop = (ins: Instruction): Value => {
    // Since Python 3.? the unpickler keeps the items after MARK on a fresh stack: nothing below is poppable.
    const floor = marks.length ? marks[marks.length - 1]! + 1 : 0;
    if (stack.length <= floor) throw new ParseError(`${ins.info.name} on an empty stack`, ins.offset);
    return stack.pop()!;
  };
  const top = (ins: Instruction): Value => {
    const v = stack[stack.length - 1];
    if (!v || v === MARK) throw new ParseError(`${ins.info.name} on an empty stack`, ins.offset);
    return v;
  };
  const popMark = (ins: Instruction): Value[] => {
    const m = marks.pop();
    if (m === undefined) throw new ParseError(`${ins.info.name} without MARK`, ins.offset);
    const items = stack.splice(m);
    items.shift(); // the MARK itself
    return items;
  };
  const seq = (kind: 'tuple' | 'list' | 'set' | 'dict', items: Value[]): Value => ({
    t: 'seq',
    kind,
    items: items.slice(0, MAX_ITEMS),
  });
  const call = (fn: Value, args: Value, op: string, offset: number): Value => {
    hooks.onCall(fn, op, offset);
    // NEWOBJ of `str` is `str.__new__(str, *args)`: the same value as calling it.
    const folded = op === 'REDUCE' || op === 'NEWOBJ' ? foldString(src, fn, args) : undefined;
    return folded === undefined ? { t: 'call', fn, args, op } : { t: 'str', v: folded };
  };
  // Frames: where the current one ends, so opcodes that cross its end are seen.
  let frameEnd = -1;
  let frameReported = false;
  const frameProblem = (offset: number, detail: string) => {
    if (!frameReported) hooks.onFrameMismatch(offset, detail);
    frameReported = true;
  };
  const mutate = (target: Value, ins: Instruction) => {
    if (target.t === 'global' || target.t === 'dynamic')
      hooks.onGlobalMutation(target, ins.info.name, ins.offset);
  };
  const imported = (module: string, name: string, offset: number, op: string): Value => {
    const [m, n] = resolveGlobal(module, name, protocol);
    const ev = { module: m, name: n, offset, op };
    hooks.onImport(ev);
    return { t: 'global', module: m, name: n };
  };

  try {
    for (;;) {
      if (++ops > maxOps) return { stopped: false, end: cur.pos, ops, protocol };
      const ins = nextInstruction(cur);
      const a = ins.arg;
      if (frameEnd >= 0 && ins.info.name !== 'FRAME') {
        if (ins.offset < frameEnd && cur.pos > frameEnd)
          frameProblem(
            ins.offset,
            `${ins.info.name} at ${ins.offset} runs past the end of its frame (${frameEnd})`,
          );
        if (cur.pos >= frameEnd) frameEnd = -1;
      }
      switch (ins.info.name) {
        case 'PROTO':
          protocol = a as number;
          if (protocol > 5) throw new ParseError(`unsupported protocol ${protocol}`, ins.offset);
          break;
        case 'FRAME': {
          const n = a as number;
          if (frameEnd >= 0 && ins.offset < frameEnd)
            frameProblem(
              ins.offset,
              `FRAME at ${ins.offset} opens before the previous frame ends at ${frameEnd}`,
            );
          if (n > cur.remaining)
            frameProblem(ins.offset, `FRAME at ${ins.offset} announces ${n} bytes, ${cur.remaining} remain`);
          frameEnd = cur.pos + n;
          break;
        }
        case 'READONLY_BUFFER':
          break;
        case 'STOP':
          return { stopped: true, end: cur.pos, ops, protocol };
        case 'MARK':
          marks.push(stack.length);
          stack.push(MARK);
          break;
        case 'POP':
          if (stack[stack.length - 1] === MARK) popMark(ins);
          else pop(ins);
          break;
        case 'POP_MARK':
          popMark(ins);
          break;
        case 'DUP':
          stack.push(top(ins));
          break;
        case 'NONE':
        case 'NEWTRUE':
        case 'NEWFALSE':
        case 'FLOAT':
        case 'BINFLOAT':
          stack.push({ t: 'scalar' });
          break;
        case 'INT':
        case 'LONG': {
          const n = Number.parseInt(String(a).replace(/L$/, ''), 10);
          stack.push(Number.isSafeInteger(n) ? { t: 'int', v: n } : { t: 'scalar' });
          break;
        }
        case 'BININT':
        case 'BININT1':
        case 'BININT2':
        case 'LONG1':
        case 'LONG4':
          stack.push(typeof a === 'number' ? { t: 'int', v: a } : { t: 'scalar' });
          break;
        case 'STRING':
        case 'UNICODE':
          stack.push({ t: 'str', v: a as string });
          break;
        case 'BINSTRING':
        case 'SHORT_BINSTRING':
        case 'BINUNICODE':
        case 'SHORT_BINUNICODE':
        case 'BINUNICODE8': {
          const p = a as { offset: number; length: number; text: string };
          stack.push({ t: 'str', v: p.text });
          if (ins.info.name.includes('STRING')) hooks.onBytes(p.offset, p.length);
          break;
        }
        case 'BINBYTES':
        case 'SHORT_BINBYTES':
        case 'BINBYTES8':
        case 'BYTEARRAY8': {
          const p = a as { offset: number; length: number };
          hooks.onBytes(p.offset, p.length);
          stack.push({ t: 'bytes', offset: p.offset, length: p.length });
          break;
        }
        case 'NEXT_BUFFER':
          stack.push({ t: 'opaque', what: 'out-of-band buffer' });
          break;
        case 'PERSID':
          stack.push({ t: 'opaque', what: `persistent id ${String(a)}` });
          break;
        case 'BINPERSID':
          stack.push({ t: 'opaque', what: `persistent id ${describe(pop(ins))}` });
          break;
        case 'EMPTY_TUPLE':
          stack.push(seq('tuple', []));
          break;
        case 'EMPTY_LIST':
          stack.push(seq('list', []));
          break;
        case 'EMPTY_DICT':
          stack.push(seq('dict', []));
          break;
        case 'EMPTY_SET':
          stack.push(seq('set', []));
          break;
        case 'TUPLE':
          stack.push(seq('tuple', popMark(ins)));
          break;
        case 'LIST':
          stack.push(seq('list', popMark(ins)));
          break;
        case 'DICT':
          stack.push(seq('dict', popMark(ins)));
          break;
        case 'FROZENSET':
          stack.push(seq('set', popMark(ins)));
          break;
        case 'TUPLE1':
        case 'TUPLE2':
        case 'TUPLE3': {
          const n = ins.code - 0x84;
          const items: Value[] = [];
          for (let i = 0; i < n; i++) items.unshift(pop(ins));
          stack.push(seq('tuple', items));
          break;
        }
        case 'APPEND':
        case 'SETITEM': {
          const vals = ins.info.name === 'SETITEM' ? [pop(ins), pop(ins)].reverse() : [pop(ins)];
          const target = top(ins);
          if (target.t === 'seq') for (const v of vals) push(target.items, v);
          else mutate(target, ins);
          break;
        }
        case 'APPENDS':
        case 'SETITEMS':
        case 'ADDITEMS': {
          const vals = popMark(ins);
          const target = top(ins);
          if (target.t === 'seq') for (const v of vals) push(target.items, v);
          else mutate(target, ins);
          break;
        }
        case 'GLOBAL': {
          const [m, n] = a as [string, string];
          stack.push(imported(m, n, ins.offset, 'GLOBAL'));
          break;
        }
        case 'STACK_GLOBAL': {
          const name = pop(ins);
          const module = pop(ins);
          const m = str(module);
          const n = str(name);
          if (m === undefined || n === undefined) {
            const detail = `${describe(module)}.${describe(name)}`;
            hooks.onDynamicImport(ins.offset, detail);
            stack.push({ t: 'dynamic', offset: ins.offset, detail });
          } else stack.push(imported(m, n, ins.offset, 'STACK_GLOBAL'));
          break;
        }
        case 'INST': {
          const [m, n] = a as [string, string];
          const args = popMark(ins);
          stack.push(call(imported(m, n, ins.offset, 'INST'), seq('tuple', args), 'INST', ins.offset));
          break;
        }
        case 'OBJ': {
          const items = popMark(ins);
          const cls = items.shift();
          if (!cls) throw new ParseError('OBJ without a class', ins.offset);
          stack.push(call(cls, seq('tuple', items), 'OBJ', ins.offset));
          break;
        }
        case 'REDUCE': {
          const args = pop(ins);
          stack.push(call(pop(ins), args, 'REDUCE', ins.offset));
          break;
        }
        case 'NEWOBJ': {
          const args = pop(ins);
          stack.push(call(pop(ins), args, 'NEWOBJ', ins.offset));
          break;
        }
        case 'NEWOBJ_EX': {
          pop(ins); // kwargs
          const args = pop(ins);
          stack.push(call(pop(ins), args, 'NEWOBJ_EX', ins.offset));
          break;
        }
        case 'BUILD': {
          const state = pop(ins);
          const obj = top(ins);
          if (obj.t === 'call') obj.state = state;
          // BUILD on an imported module, class or function sets its attributes: later imports of the same
          // names resolve to whatever the pickle put there.
          mutate(obj, ins);
          // BUILD calls `obj.__setstate__(state)` when it exists: a call on whatever was built.
          hooks.onCall(obj, 'BUILD', ins.offset);
          hooks.afterBuild?.(obj, state, cur);
          break;
        }
        case 'EXT1':
        case 'EXT2':
        case 'EXT4':
          hooks.onExtension(a as number, ins.offset);
          stack.push({ t: 'opaque', what: `extension ${String(a)}` });
          break;
        case 'PUT':
        case 'BINPUT':
        case 'LONG_BINPUT': {
          const idx = typeof a === 'string' ? Number.parseInt(a, 10) : (a as number);
          if (!Number.isFinite(idx) || idx < 0) throw new ParseError('negative memo index', ins.offset);
          memo.set(idx, top(ins));
          break;
        }
        case 'MEMOIZE':
          memo.set(memo.size, top(ins));
          break;
        case 'GET':
        case 'BINGET':
        case 'LONG_BINGET': {
          const idx = typeof a === 'string' ? Number.parseInt(a, 10) : (a as number);
          const v = memo.get(idx);
          if (!v) throw new ParseError(`memo key ${idx} was never stored`, ins.offset);
          stack.push(v);
          break;
        }
        default:
          throw new ParseError(`opcode ${ins.info.name} not handled`, ins.offset);
      }
    }
  } catch (e) {
    if (e instanceof ParseError) return { stopped: false, end: cur.pos, ops, protocol, error: e };
    throw e;
  }
}
