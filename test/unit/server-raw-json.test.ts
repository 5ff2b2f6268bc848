import { describe, expect, it } from 'vitest';
import { parseJsonKeepingSource } from '../../src/server/json/parse';
import { compactJson, jsonMembers, jsonTextOf, objectText, RawJson, stringifyJson } from '../../src/server/json/raw-json';

const VALID = [
  '{"a": 1.0, "b": [1, 2.50, -0.0, 1E-7, true, false, null], "c": {"d": "x\\"y\\\\z\\u00e9\\n"}}',
  ' [ ] ', '{}', '"text"', '12', '-0', 'null', '[{"values": {"loss": 0.5}, "created_at": "2020-03-04 10:33:50+00:00"}]',
  '{"__proto__": {"x": 1}, "constructor": 2, "10": 3, "2": 4, "b": 5}', '{"a": 1, "a": 2}', '"\\ud800"', '1e400',
];
const INVALID = ['', '{', '[1,]', '{"a":1,}', '{a: 1}', "'x'", 'NaN', '01', '1.', '.5', '"\t"', '{"a" 1}', '[1 2]', 'tru', '"\\x"', '1 2', '"abc'];

describe('parseJsonKeepingSource', () => {
  it('builds the values JSON.parse builds, own __proto__ keys included', () => {
    for (const text of VALID) expect(parseJsonKeepingSource(text), text).toEqual(JSON.parse(text));
    const parsed = parseJsonKeepingSource('{"__proto__": {"x": 1}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.keys(parsed)).toEqual(['__proto__']);
  });

  it('refuses what JSON.parse refuses, with its message', () => {
    for (const text of INVALID) {
      let message = '';
      try {
        JSON.parse(text);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(() => parseJsonKeepingSource(text), JSON.stringify(text)).toThrow(message);
    }
  });

  it('keeps the source text of each object and array, compact', () => {
    const body = parseJsonKeepingSource('[ {"values": {"loss": 1.0, "s": "a b"} , "x": [ 2.50 ]} ]') as Array<Record<string, unknown>>;
    expect(jsonTextOf(body[0].values)).toBe('{"loss":1.0,"s":"a b"}');
    expect(jsonTextOf(body[0].x)).toBe('[2.50]');
    expect(jsonTextOf(body)).toBe('[{"values":{"loss":1.0,"s":"a b"},"x":[2.50]}]');
    expect(jsonTextOf({ built: 1.0 })).toBe('{"built":1}');
  });
});

describe('raw JSON text', () => {
  it('compactJson drops whitespace outside strings only, never leaving a line break', () => {
    expect(compactJson('{ "a" :\n\t[1 ,\r\n 2] , "b c": "d \\" e" }')).toBe('{"a":[1,2],"b c":"d \\" e"}');
  });

  it('jsonMembers splits an object into its members, the last of a repeated key winning in the first place', () => {
    const members = jsonMembers('{"a":1.0,"b":{"c":[1,"}"]},"d\\"e":"x,y","a":2.0}');
    expect([...members]).toEqual([['a', '2.0'], ['b', '{"c":[1,"}"]}'], ['d"e', '"x,y"']]);
    expect(objectText(members)).toBe('{"a":2.0,"b":{"c":[1,"}"]},"d\\"e":"x,y"}');
    expect(jsonMembers('{}').size).toBe(0);
  });

  it('stringifyJson writes RawJson as its text and everything else as JSON.stringify does', () => {
    const body = { id: 1, params: new RawJson('{"lr":1.0}'), list: [new RawJson('true'), undefined, 'x'], skip: undefined, when: new Date(0) };
    expect(stringifyJson(body)).toBe('{"id":1,"params":{"lr":1.0},"list":[true,null,"x"],"when":"1970-01-01T00:00:00.000Z"}');
    expect(JSON.stringify(body)).toBe('{"id":1,"params":{"lr":1},"list":[true,null,"x"],"when":"1970-01-01T00:00:00.000Z"}');
  });
});
