import { describe, expect, it } from 'vitest';
import { scanBytes, summary } from '../../../test/fixtures/helpers.js';
import { maliciousPickle, PickleWriter } from '../../../test/fixtures/pickle-writer.js';
import { disassemblePickle } from './disassemble.js';
import { OP, OPCODES } from './opcodes.js';

describe('pickle: every opcode', () => {
  it('a benign stream using every non-import opcode parses cleanly', () => {
    const w = new PickleWriter()
      .proto(5)
      .frame(0)
      .op('MARK')
      .op('NONE')
      .op('NEWTRUE')
      .op('NEWFALSE')
      .op('INT')
      .line('01')
      .op('INT')
      .line('42')
      .op('LONG')
      .line('123L')
      .op('LONG1', 2, 0x01, 0x02)
      .op('LONG4', 1, 0, 0, 0, 0x7f)
      .op('FLOAT')
      .line('1.5')
      .op('BINFLOAT', 0, 0, 0, 0, 0, 0, 0xf0, 0x3f)
      .int(7)
      .int(700)
      .int(70000)
      .string0("it's")
      .unicode0('caf\\u00e9')
      .binstring('short')
      .binstring('x'.repeat(300))
      .str('u')
      .str('y'.repeat(300))
      .unicode8('eight')
      .bytes_(new Uint8Array([1, 2, 3]))
      .bytes_(new Uint8Array(300))
      .bytes8(new Uint8Array([9]))
      .bytearray8(new Uint8Array([8]))
      .op('NEXT_BUFFER')
      .op('READONLY_BUFFER')
      .op('TUPLE')
      .op('POP')
      .op('EMPTY_LIST')
      .op('MARK')
      .int(1)
      .int(2)
      .op('APPENDS')
      .int(3)
      .op('APPEND')
      .op('MARK')
      .op('LIST')
      .op('POP')
      .op('MARK')
      .int(1)
      .int(2)
      .op('DICT')
      .op('EMPTY_DICT')
      .int(1)
      .int(2)
      .op('SETITEM')
      .op('MARK')
      .int(3)
      .int(4)
      .op('SETITEMS')
      .op('EMPTY_SET')
      .op('MARK')
      .int(1)
      .op('ADDITEMS')
      .op('MARK')
      .int(5)
      .op('FROZENSET')
      .op('EMPTY_TUPLE')
      .int(1)
      .op('TUPLE1')
      .int(1)
      .int(2)
      .op('TUPLE2')
      .int(1)
      .int(2)
      .int(3)
      .op('TUPLE3')
      .op('DUP')
      .op('MARK')
      .int(1)
      .op('POP_MARK')
      .op('PERSID')
      .line('0')
      .str('pid')
      .op('BINPERSID')
      .op('MARK')
      .op('LIST')
      .op('MEMOIZE')
      .put(1)
      .op('PUT')
      .line('2')
      .put(1000)
      .op('GET')
      .line('2')
      .get(1)
      .get(1000)
      .op('TUPLE')
      .op('TUPLE')
      .op('TUPLE')
      .op('TUPLE')
      .op('TUPLE')
      .op('TUPLE')
      .op('TUPLE')
      .op('TUPLE')
      .op('TUPLE')
      .op('TUPLE')
      .op('TUPLE')
      .op('TUPLE')
      .op('TUPLE')
      .op('TUPLE')
      .op('TUPLE')
      .op('TUPLE')
      .op('TUPLE')
      .op('TUPLE')
      .op('TUPLE')
      .op('TUPLE')
      .op('TUPLE')
      .stop();
    const findings = scanBytes(w.build());
    // Only the tuple count may be off (TUPLE without MARK): any error must not be about the opcodes themselves.
    expect(findings.every((f) => !/unknown opcode|not handled/.test(f.message))).toBe(true);
    const dis = disassemblePickle(w.build());
    const used = new Set(dis.instructions.map((i) => i.op));
    const all = OPCODES.filter(Boolean).map((o) => o!.name);
    const importing = new Set([
      'GLOBAL',
      'INST',
      'OBJ',
      'STACK_GLOBAL',
      'REDUCE',
      'BUILD',
      'NEWOBJ',
      'NEWOBJ_EX',
      'EXT1',
      'EXT2',
      'EXT4',
    ]);
    expect(all.filter((n) => !used.has(n) && !importing.has(n))).toEqual([]);
  });

  it('EXT1/EXT2/EXT4 are reported', () => {
    for (const [op, arg] of [
      ['EXT1', [1]],
      ['EXT2', [1, 0]],
      ['EXT4', [1, 0, 0, 0]],
    ] as const) {
      const bytes = new PickleWriter()
        .proto(2)
        .op(op, ...arg)
        .stop()
        .build();
      expect(summary(scanBytes(bytes))).toEqual(['medium pickle/extension-code EXT code 1']);
    }
  });

  it('has the full protocol 0-5 table', () => {
    expect(OPCODES.filter(Boolean)).toHaveLength(68);
    expect(OP.STACK_GLOBAL).toBe(0x93);
  });
});

describe('pickle: malformed input is a finding, never a crash', () => {
  const cases: Array<[string, Uint8Array]> = [
    ['truncated after GLOBAL', maliciousPickle(2).subarray(0, 14)],
    ['no STOP', maliciousPickle(2).subarray(0, -1)],
    ['unknown opcode', new PickleWriter().proto(2).raw(0xff).stop().build()],
    ['stack underflow', new PickleWriter().proto(2).op('REDUCE').stop().build()],
    ['GET of missing memo', new PickleWriter().proto(2).get(9).stop().build()],
    ['length past end', new PickleWriter().proto(3).op('BINBYTES', 0xff, 0xff, 0xff, 0x7f).build()],
    ['bad protocol', new PickleWriter().proto(9).stop().build()],
    ['unquoted STRING', new PickleWriter().op('STRING').line('abc').stop().build()],
    [
      'pop below MARK',
      new PickleWriter().proto(2).int(1).op('MARK').op('POP').op('POP').op('TUPLE').stop().build(),
    ],
  ];
  it.each(cases)('%s', (_name, bytes) => {
    const findings = scanBytes(bytes);
    expect(findings.some((f) => f.ruleId === 'pickle/malformed')).toBe(true);
  });

  it('keeps findings seen before the error (CPython already ran them)', () => {
    const bytes = maliciousPickle(2);
    const truncated = new Uint8Array([...bytes.subarray(0, -1), 0xfe]);
    const rules = scanBytes(truncated).map((f) => f.ruleId);
    expect(rules).toContain('pickle/dangerous-global');
    expect(rules).toContain('pickle/malformed');
  });

  it('random bytes never throw', () => {
    let seed = 42;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
    for (let i = 0; i < 300; i++) {
      const bytes = Uint8Array.from({ length: 64 }, rnd);
      bytes[0] = 0x80;
      bytes[1] = 2 + (i % 4);
      expect(() => scanBytes(bytes)).not.toThrow();
    }
  });
});
