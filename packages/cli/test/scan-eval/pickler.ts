/**
 * A small Python pickler for test data: it writes a description of Python objects the way CPython's
 * `pickle._Pickler` does (memo, MEMOIZE or BINPUT, STACK_GLOBAL or GLOBAL, frames of ~64 KiB for
 * protocol 4+, batches of 1000 APPENDS/SETITEMS, NEWOBJ for `copyreg.__newobj__`), so the benign corpus
 * has the opcode shapes real files have. Malicious samples that need exact, unusual opcode sequences use
 * `PickleWriter` instead.
 */

/** A Python object. */
export type Py =
  | null
  | boolean
  | number // int
  | bigint
  | string
  | Uint8Array // bytes
  | Py[] // list
  | { float: number }
  | { tuple: Py[] }
  | { dict: Array<[Py, Py]> }
  | { set: Py[] }
  | { frozenset: Py[] }
  | { bytearray: Uint8Array }
  | { global: [module: string, name: string] }
  | PyReduce
  | { raw: (p: Pickler) => void }; // writes its own opcodes (joblib's out-of-band array bytes)

/** `obj.__reduce_ex__()`: a callable and its args, then optional state and list/dict items. */
export interface PyReduce {
  reduce: Py;
  args: Py[];
  /** `copyreg.__newobj__`: written as NEWOBJ (protocol 2+) with `args[0]` the class. */
  newobj?: boolean;
  state?: Py;
  listitems?: Py[];
  dictitems?: Array<[Py, Py]>;
}

export const float = (v: number): Py => ({ float: v });
export const tuple = (...items: Py[]): Py => ({ tuple: items });
export const dict = (entries: Record<string, Py> | Array<[Py, Py]>): Py => ({
  dict: Array.isArray(entries) ? entries : Object.entries(entries),
});
export const global = (module: string, name: string): Py => ({ global: [module, name] });
/** `cls.__new__(cls, *args)` then `__setstate__(state)` / `__dict__.update(state)`: plain class instances. */
export const instance = (module: string, name: string, state: Py, args: Py[] = []): Py => {
  const cls = global(module, name);
  return { reduce: cls, args: [cls, ...args], newobj: true, state };
};
export const call = (module: string, name: string, ...args: Py[]): Py => ({
  reduce: global(module, name),
  args,
});

const enc = new TextEncoder();
const PY2_NAMES: Record<string, string> = { builtins: '__builtin__', copyreg: 'copy_reg' };
const FRAME_TARGET = 64 * 1024;

/** Serializes `obj` with `protocol` (2 to 5). Objects are memoized by identity, as CPython does. */
export function dumps(obj: Py, protocol = 4): Uint8Array {
  const p = new Pickler(protocol);
  p.dump(obj);
  return p.bytes();
}

export class Pickler {
  private out: number[] = [];
  private frame: number[] | undefined;
  private memo = new Map<object, number>();
  /** Strings are memoized by value: CPython's identifiers and interned keys are shared objects. */
  private strings = new Map<string, number>();

  constructor(readonly protocol: number) {}

  /** Writes opcodes into the current frame (protocol 4+) or the stream. */
  w(...b: number[]): void {
    (this.frame ?? this.out).push(...b);
  }
  wBytes(b: Uint8Array): void {
    const t = this.frame ?? this.out;
    for (const x of b) t.push(x);
  }
  /** Writes straight to the file, outside any frame (after committing it): joblib's array data. */
  direct(b: Uint8Array): void {
    this.commitFrame(true);
    for (const x of b) this.out.push(x);
  }
  commitFrame(force = false): void {
    if (!this.frame) return;
    if (this.frame.length >= FRAME_TARGET || force) {
      const f = this.frame;
      if (f.length > 0) {
        this.out.push(0x95, ...u64(f.length));
        for (const x of f) this.out.push(x);
      }
      this.frame = [];
    }
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.out);
  }

  dump(obj: Py): void {
    this.out.push(0x80, this.protocol);
    if (this.protocol >= 4) this.frame = [];
    this.save(obj);
    this.w(0x2e); // STOP
    this.commitFrame(true);
    this.frame = undefined;
  }

  private memoize(o: object): void {
    const i = this.memo.size;
    this.memo.set(o, i);
    if (this.protocol >= 4) this.w(0x94);
    else if (i < 256) this.w(0x71, i);
    else this.w(0x72, ...u32(i));
  }

  private get(o: object): boolean {
    const i = this.memo.get(o);
    if (i === undefined) return false;
    if (i < 256) this.w(0x68, i);
    else this.w(0x6a, ...u32(i));
    return true;
  }

  save(obj: Py): void {
    this.commitFrame();
    if (obj === null) {
      this.w(0x4e);
      return;
    }
    if (obj === true) {
      this.w(0x88);
      return;
    }
    if (obj === false) {
      this.w(0x89);
      return;
    }
    if (typeof obj === 'number') {
      this.int(obj);
      return;
    }
    if (typeof obj === 'bigint') {
      this.long(obj);
      return;
    }
    if (typeof obj === 'string') {
      this.str(obj);
      return;
    }
    if (obj instanceof Uint8Array) {
      this.bytesObj(obj);
      return;
    }
    if (typeof obj !== 'object') throw new Error('unsupported value');
    if (this.get(obj)) return;
    if (Array.isArray(obj)) {
      this.w(0x5d); // EMPTY_LIST
      this.memoize(obj);
      this.batched(
        obj.map((x) => [x]),
        0x65,
      );
      return;
    }
    if ('float' in obj) {
      const b = new DataView(new ArrayBuffer(8));
      b.setFloat64(0, obj.float);
      this.w(0x47, ...new Uint8Array(b.buffer));
      return;
    }
    if ('tuple' in obj) {
      this.tuple(obj.tuple, obj);
      return;
    }
    if ('dict' in obj) {
      this.w(0x7d); // EMPTY_DICT
      this.memoize(obj);
      this.batched(obj.dict, 0x75);
      return;
    }
    if ('set' in obj || 'frozenset' in obj) {
      const items = 'set' in obj ? obj.set : obj.frozenset;
      if (this.protocol < 4) {
        // set([...]) via REDUCE, as CPython does below protocol 4.
        this.save({ reduce: global('builtins', 'set' in obj ? 'set' : 'frozenset'), args: [items] });
        return;
      }
      if ('set' in obj) {
        this.w(0x8f);
        this.memoize(obj);
        this.batched(
          items.map((x) => [x]),
          0x90,
        );
      } else {
        this.w(0x28);
        for (const x of items) this.save(x);
        this.w(0x91);
        this.memoize(obj);
      }
      return;
    }
    if ('bytearray' in obj) {
      if (this.protocol >= 5) {
        this.w(0x96, ...u64(obj.bytearray.length));
        this.wBytes(obj.bytearray);
        this.memoize(obj);
        return;
      }
      this.save({ reduce: global('builtins', 'bytearray'), args: [obj.bytearray] });
      return;
    }
    if ('global' in obj) {
      const [m, n] = obj.global;
      if (this.protocol >= 4) {
        this.str(m);
        this.str(n);
        this.w(0x93);
      } else {
        // Python 2 names below protocol 3 (`fix_imports`).
        const m2 = this.protocol < 3 ? (PY2_NAMES[m] ?? m) : m;
        this.w(0x63);
        this.wBytes(enc.encode(`${m2}\n${n}\n`));
      }
      this.memoize(obj);
      return;
    }
    if ('raw' in obj) obj.raw(this);
    else this.reduce(obj, obj);
  }

  private reduce(r: PyReduce, key: object): void {
    if (r.newobj) {
      const [cls, ...rest] = r.args;
      this.save(cls ?? null);
      this.tuple(rest, {});
      this.w(0x81); // NEWOBJ
    } else {
      this.save(r.reduce);
      this.tuple(r.args, {});
      this.w(0x52); // REDUCE
    }
    this.memoize(key);
    if (r.listitems)
      this.batched(
        r.listitems.map((x) => [x]),
        0x65,
      );
    if (r.dictitems) this.batched(r.dictitems, 0x75);
    if (r.state !== undefined) {
      this.save(r.state);
      this.w(0x62); // BUILD
    }
  }

  private tuple(items: Py[], key: object): void {
    if (items.length === 0) {
      this.w(0x29);
      return;
    }
    if (items.length <= 3) {
      for (const x of items) this.save(x);
      this.w(0x84 + items.length);
    } else {
      this.w(0x28);
      for (const x of items) this.save(x);
      this.w(0x74);
    }
    this.memoize(key);
  }

  /** APPENDS / SETITEMS / ADDITEMS in batches of 1000, as `_batch_appends` does. */
  private batched(items: Py[][], op: number): void {
    for (let i = 0; i < items.length; i += 1000) {
      const chunk = items.slice(i, i + 1000);
      if (chunk.length === 1 && op !== 0x90) {
        for (const x of chunk[0]!) this.save(x);
        this.w(op === 0x65 ? 0x61 : 0x73); // APPEND / SETITEM
        continue;
      }
      this.w(0x28);
      for (const kv of chunk) for (const x of kv) this.save(x);
      this.w(op);
    }
  }

  private int(n: number): void {
    if (n >= 0 && n < 256) this.w(0x4b, n);
    else if (n >= 0 && n < 65536) this.w(0x4d, n & 0xff, n >> 8);
    else if (n >= -0x80000000 && n <= 0x7fffffff) this.w(0x4a, ...u32(n >>> 0));
    else this.long(BigInt(n));
  }

  private long(n: bigint): void {
    const bytes: number[] = [];
    let v = n;
    for (;;) {
      bytes.push(Number(v & 0xffn));
      v >>= 8n;
      if ((v === 0n && !(bytes[bytes.length - 1]! & 0x80)) || (v === -1n && bytes[bytes.length - 1]! & 0x80))
        break;
    }
    this.w(0x8a, bytes.length, ...bytes);
  }

  private str(s: string): void {
    const seen = this.strings.get(s);
    if (seen !== undefined) {
      if (seen < 256) this.w(0x68, seen);
      else this.w(0x6a, ...u32(seen));
      return;
    }
    this.strings.set(s, this.memo.size);
    const b = enc.encode(s);
    if (b.length < 256 && this.protocol >= 4) this.w(0x8c, b.length);
    else this.w(0x58, ...u32(b.length));
    this.wBytes(b);
    this.memoize({});
  }

  private bytesObj(b: Uint8Array): void {
    if (this.protocol < 3) {
      // Protocol 2 has no bytes type: CPython writes _codecs.encode(str, 'latin1').
      this.save({ reduce: global('_codecs', 'encode'), args: [latin1(b), 'latin1'] });
      return;
    }
    if (b.length < 256) this.w(0x43, b.length);
    else this.w(0x42, ...u32(b.length));
    this.wBytes(b);
    this.memoize({});
  }
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += String.fromCharCode(x);
  return s;
}

export function u32(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}

export function u64(n: number): number[] {
  return [...u32(n >>> 0), ...u32(Math.floor(n / 2 ** 32))];
}
