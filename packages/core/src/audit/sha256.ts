/**
 * Synchronous SHA-256 and HMAC-SHA-256 (FIPS 180-4, RFC 2104) in plain JavaScript. The chain needs one
 * hash per entry, strictly in order; `crypto.subtle` costs a thread-pool round trip per call in Node
 * (about 150 µs on a loaded machine against a few µs here), which capped appends and verification at a
 * few thousand entries per second. Tested against Web Crypto on random inputs (sha256.test.ts).
 * @module
 */

let K: Uint32Array | undefined;
function constants(): Uint32Array {
  // First 32 bits of the fractional parts of the cube roots of the first 64 primes.
  K ??= Uint32Array.from([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]);
  return K;
}

/**
 * Scratch shared by every call: the message schedule and an 8-word state. Allocated on first use (never
 * at import) and safe to share because hashing is synchronous; per-call allocations were a third of
 * the audit log's CPU (issue 15).
 */
let scratch: { w: Int32Array; state: Int32Array; tail: Uint8Array } | undefined;
function getScratch() {
  scratch ??= { w: new Int32Array(64), state: new Int32Array(8), tail: new Uint8Array(128) };
  return scratch;
}

const INITIAL = [
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/** Runs the compression function over the 64-byte blocks of `bytes[from, to)` into `state`. */
function compress(state: Int32Array, bytes: Uint8Array, from: number, to: number): void {
  const k = constants();
  const w = getScratch().w;
  let h0 = state[0]!;
  let h1 = state[1]!;
  let h2 = state[2]!;
  let h3 = state[3]!;
  let h4 = state[4]!;
  let h5 = state[5]!;
  let h6 = state[6]!;
  let h7 = state[7]!;
  for (let offset = from; offset + 64 <= to; offset += 64) {
    for (let i = 0, j = offset; i < 16; i++, j += 4) {
      w[i] = (bytes[j]! << 24) | (bytes[j + 1]! << 16) | (bytes[j + 2]! << 8) | bytes[j + 3]!;
    }
    for (let i = 16; i < 64; i++) {
      const a = w[i - 15]!;
      const b = w[i - 2]!;
      const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
      const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
      w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
    }
    let a = h0;
    let b = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    let f = h5;
    let g = h6;
    let h = h7;
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (h + S1 + ((e & f) ^ (~e & g)) + k[i]! + w[i]!) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
    h5 = (h5 + f) | 0;
    h6 = (h6 + g) | 0;
    h7 = (h7 + h) | 0;
  }
  state[0] = h0;
  state[1] = h1;
  state[2] = h2;
  state[3] = h3;
  state[4] = h4;
  state[5] = h5;
  state[6] = h6;
  state[7] = h7;
}

/**
 * Hashes `data` into `state` (already holding the state after `prefixBytes` bytes, a multiple of 64)
 * and pads: the whole blocks are read in place, only the last one or two are copied.
 */
function finish(state: Int32Array, data: Uint8Array, prefixBytes: number): void {
  const whole = data.length & ~63;
  compress(state, data, 0, whole);
  const rest = data.length - whole;
  const tail = getScratch().tail;
  tail.fill(0);
  tail.set(data.subarray(whole), 0);
  tail[rest] = 0x80;
  const size = rest + 9 <= 64 ? 64 : 128;
  const bits = (prefixBytes + data.length) * 8;
  const high = Math.floor(bits / 0x100000000);
  const low = bits >>> 0;
  tail[size - 8] = high >>> 24;
  tail[size - 7] = high >>> 16;
  tail[size - 6] = high >>> 8;
  tail[size - 5] = high;
  tail[size - 4] = low >>> 24;
  tail[size - 3] = low >>> 16;
  tail[size - 2] = low >>> 8;
  tail[size - 1] = low;
  compress(state, tail, 0, size);
}

function digestOf(state: Int32Array): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const value = state[i]!;
    out[i * 4] = value >>> 24;
    out[i * 4 + 1] = value >>> 16;
    out[i * 4 + 2] = value >>> 8;
    out[i * 4 + 3] = value;
  }
  return out;
}

let encoder: TextEncoder | undefined;
let utf8Buffer: Uint8Array | undefined;

/**
 * UTF-8 bytes of `text` in a shared buffer (valid until the next call): the hashes below consume them
 * synchronously, so no per-call array is allocated for the audit writer's hash inputs.
 */
export function utf8Scratch(text: string): Uint8Array {
  encoder ??= new TextEncoder();
  // encodeInto writes at most 3 bytes per UTF-16 code unit.
  if (!utf8Buffer || utf8Buffer.length < text.length * 3) {
    utf8Buffer = new Uint8Array(Math.max(4096, text.length * 3));
  }
  const { written } = encoder.encodeInto(text, utf8Buffer);
  return utf8Buffer.subarray(0, written);
}

/** SHA-256 of `data`. */
export function sha256(data: Uint8Array): Uint8Array {
  const { state } = getScratch();
  state.set(INITIAL);
  finish(state, data, 0);
  return digestOf(state);
}

/** An HMAC-SHA-256 function for one key (inner and outer pads prepared once). */
export function createHmacSha256(key: Uint8Array): (data: Uint8Array) => Uint8Array {
  const block = new Uint8Array(64);
  block.set(key.length > 64 ? sha256(key) : key);
  const inner = block.map((byte) => byte ^ 0x36);
  const outer = block.map((byte) => byte ^ 0x5c);
  block.fill(0);
  // The states after the padded key blocks are the same for every message: computed once, an HMAC
  // then costs the message's blocks plus two, not four.
  const innerState = Int32Array.from(INITIAL);
  compress(innerState, inner, 0, 64);
  const outerState = Int32Array.from(INITIAL);
  compress(outerState, outer, 0, 64);
  inner.fill(0);
  outer.fill(0);
  return (data) => {
    const { state } = getScratch();
    state.set(innerState);
    finish(state, data, 64);
    const innerDigest = digestOf(state);
    state.set(outerState);
    finish(state, innerDigest, 64);
    return digestOf(state);
  };
}
