import { describe, expect, it } from 'vitest';
import { chatSchema, createChatSchema, createTensorSchema, tensorSchema } from './schemas.js';

const issues = (result: {
  success: boolean;
  error?: { issues: Array<{ path: PropertyKey[]; message: string }> };
}) => (result.error?.issues ?? []).map((issue) => `${issue.path.join('.')}: ${issue.message}`);

describe('chatSchema', () => {
  const messages = (n: number, content = 'hi') => ({
    messages: Array.from({ length: n }, () => ({ role: 'user', content })),
  });

  it('accepts a normal conversation', () => {
    expect(chatSchema.safeParse(messages(3)).success).toBe(true);
    expect(
      chatSchema.safeParse({ messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] }).success,
    ).toBe(true);
  });

  it('caps messages per request, characters per message and in total', () => {
    expect(issues(chatSchema.safeParse(messages(20_000)))).toEqual([
      'messages: must contain at most 128 messages',
    ]);
    expect(issues(chatSchema.safeParse(messages(1, 'x'.repeat(32_001))))).toEqual([
      'messages.0.content: must be at most 32000 characters',
    ]);
    expect(issues(chatSchema.safeParse(messages(5, 'x'.repeat(30_000))))).toEqual([
      'messages: must have at most 128000 characters in total (has 150000)',
    ]);
    const small = createChatSchema({ maxMessages: 2, maxMessageChars: 10, maxTotalChars: 15 });
    expect(small.safeParse(messages(2, 'x'.repeat(7))).success).toBe(true);
    expect(issues(small.safeParse(messages(2, 'x'.repeat(8))))).toEqual([
      'messages: must have at most 15 characters in total (has 16)',
    ]);
  });

  it.each(['', '   ', '\n\t ', '\u200B\u202E', '\u3000'])('refuses content %j as empty', (content) => {
    expect(issues(chatSchema.safeParse(messages(1, content)))).toEqual([
      'messages.0.content: must not be empty or only whitespace',
    ]);
  });
});

describe('tensorSchema', () => {
  it('accepts vectors and rectangular matrices of finite numbers', () => {
    expect(tensorSchema.safeParse({ input: [0.1, 0.2] }).success).toBe(true);
    expect(
      tensorSchema.safeParse({
        input: [
          [1, 2],
          [3, 4],
        ],
      }).success,
    ).toBe(true);
  });

  it.each([
    [
      { input: Array.from({ length: 100_000 }, () => 0.5) },
      'input: must have at most 4096 numbers (has 100000)',
    ],
    [{ input: [] }, 'input: must not be empty'],
    [{ input: 'x' }, 'input: must be an array of numbers'],
    [{}, 'input: must be an array of numbers'],
    [{ input: [[[1]]] }, 'input: must have at most 2 dimensions'],
    [{ input: [[1, 2], [3]] }, 'input.1: rows must all have 2 elements'],
    [{ input: [1, '2', null] }, 'input.1: must be a finite number'],
  ])('refuses %j', (body, message) => {
    expect(issues(tensorSchema.safeParse(body))[0]).toBe(message);
  });

  it('checks a declared shape', () => {
    const four = createTensorSchema({ shape: [4] });
    expect(four.safeParse({ input: [1, 2, 3, 4] }).success).toBe(true);
    expect(issues(four.safeParse({ input: [1, 2, 3] }))).toEqual([
      'input: must have shape [4] (dimension 0 has 3)',
    ]);
    const rows = createTensorSchema({ shape: [null, 2], maxElements: 6 });
    expect(
      rows.safeParse({
        input: [
          [1, 2],
          [3, 4],
          [5, 6],
        ],
      }).success,
    ).toBe(true);
    expect(issues(rows.safeParse({ input: [1, 2] }))).toEqual([
      'input: must have shape [any, 2] (has 1 dimension)',
    ]);
    expect(
      issues(
        rows.safeParse({
          input: [
            [1, 2],
            [3, 4],
            [5, 6],
            [7, 8],
          ],
        }),
      ),
    ).toEqual(['input: must have at most 6 numbers (has 8)']);
  });
});
