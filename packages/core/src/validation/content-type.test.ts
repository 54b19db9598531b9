import { describe, expect, it } from 'vitest';
import { charsetOf, isAllowedMediaType, isUtf8Charset, mediaType } from './content-type.js';

describe('content type', () => {
  it('reads the media type and the charset parameter', () => {
    expect(mediaType('Application/JSON; charset=utf-8')).toBe('application/json');
    expect(charsetOf('application/json; charset="UTF-16"')).toBe('utf-16');
    expect(charsetOf('application/json;foo=bar; Charset = Latin1 ')).toBe('latin1');
    expect(charsetOf('application/json')).toBeUndefined();
    expect(isAllowedMediaType('application/vnd.api+json', ['application/json'])).toBe(true);
  });

  it.each([
    ['application/json', true],
    ['application/json; charset=utf-8', true],
    ['application/json; charset=UTF8', true],
    ['application/json; charset=us-ascii', true],
    ['application/json; charset=utf-16', false],
    ['application/json; charset=utf-16le', false],
    ['application/json; charset=iso-8859-1', false],
    ['application/json; charset=', false],
  ])('%s decodes as UTF-8: %s', (header, ok) => {
    expect(isUtf8Charset(header)).toBe(ok);
  });
});
