import { describe, expect, it } from 'vitest';
import { arrayElements, compactJson, jsonMembers, memberText, objectText, RawJson, stringifyJson } from '../../src/server/json/raw-json';

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

  it('arrayElements and memberText read a metrics body point by point, values as sent', () => {
    const body = compactJson('[ {"values": {"loss": 1.0, "s": "a, b]"}, "created_at": null} , {"x": [2.50], "values": {}, "values": {"a": true}},\n{"valu\\u0065s": {"b": 1E-7}} ]');
    const points = arrayElements(body);
    expect(points).toEqual(['{"values":{"loss":1.0,"s":"a, b]"},"created_at":null}', '{"x":[2.50],"values":{},"values":{"a":true}}', '{"valu\\u0065s":{"b":1E-7}}']);
    expect(points.map((point) => memberText(point, 'values'))).toEqual(['{"loss":1.0,"s":"a, b]"}', '{"a":true}', '{"b":1E-7}']);
    expect(points.map((point) => JSON.parse(memberText(point, 'values')!))).toEqual(JSON.parse(body).map((point: { values: unknown }) => point.values));
    expect(memberText('{"a":1}', 'values')).toBeUndefined();
    expect(arrayElements('[]')).toEqual([]);
  });

  it('stringifyJson writes RawJson as its text and everything else as JSON.stringify does', () => {
    const body = { id: 1, params: new RawJson('{"lr":1.0}'), list: [new RawJson('true'), undefined, 'x'], skip: undefined, when: new Date(0) };
    expect(stringifyJson(body)).toBe('{"id":1,"params":{"lr":1.0},"list":[true,null,"x"],"when":"1970-01-01T00:00:00.000Z"}');
    expect(JSON.stringify(body)).toBe('{"id":1,"params":{"lr":1},"list":[true,null,"x"],"when":"1970-01-01T00:00:00.000Z"}');
  });
});
