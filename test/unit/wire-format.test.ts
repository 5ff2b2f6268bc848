import { describe, expect, it } from 'vitest';
import { logLine, pythonDatetime, pythonDatetimeLength, pythonDatetimeMs, pythonLogLevel } from '../../src/wire/format';

const AT = Date.UTC(2020, 2, 4, 10, 33, 50, 123);

describe('pythonDatetime: Python str(datetime) in UTC', () => {
  it('writes microseconds, a space and +00:00, as in the contract example', () => {
    expect(pythonDatetime(AT)).toBe('2020-03-04 10:33:50.123000+00:00');
  });

  it('omits the fraction when it is zero, as Python does', () => {
    expect(pythonDatetime(Date.UTC(2020, 2, 4, 10, 33, 50))).toBe('2020-03-04 10:33:50+00:00');
    expect(pythonDatetime(0)).toBe('1970-01-01 00:00:00+00:00');
  });

  it('keeps leading zeros in every part and truncates fractional milliseconds', () => {
    expect(pythonDatetime(Date.UTC(2021, 0, 2, 3, 4, 5, 6))).toBe('2021-01-02 03:04:05.006000+00:00');
    expect(pythonDatetime(AT + 0.9)).toBe('2020-03-04 10:33:50.123000+00:00');
  });

  it('refuses a time that is not a date', () => {
    expect(() => pythonDatetime(NaN)).toThrow(RangeError);
  });
});

describe('pythonDatetimeMs: the instant pythonDatetime wrote', () => {
  it('reads back what pythonDatetime writes, with its length known without writing it', () => {
    for (const ms of [AT, 0, -1, -1000, -1001, 999, 1000, Date.UTC(2021, 0, 2, 3, 4, 5, 6), Date.UTC(9999, 11, 31, 23, 59, 59, 999)]) {
      expect(pythonDatetimeMs(pythonDatetime(ms)), String(ms)).toBe(ms);
      expect(pythonDatetimeLength(ms), String(ms)).toBe(pythonDatetime(ms).length);
    }
  });

  it('gives NaN for text pythonDatetime never writes', () => {
    for (const text of [
      '2020-03-04T10:33:50.123Z',
      '2020-03-04 10:33:50.123+00:00',
      '2020-03-04 10:33:50.000000+00:00',
      '2020-13-04 10:33:50+00:00',
      '2020-02-30 10:33:50+00:00',
      '2020-03-04 24:00:00+00:00',
      '2020-03-04 10:33:50.123456+00:00',
      ' 2020-03-04 10:33:50+00:00',
    ]) {
      expect(pythonDatetimeMs(text), text).toBeNaN();
    }
  });
});

describe('logLine: the logs endpoint line format', () => {
  it('matches the contract example exactly', () => {
    expect(logLine('INFO', 'message', Date.UTC(2020, 2, 4, 10, 33, 50, 999))).toBe('2020-03-04 10:33:50 UTC INFO -- message');
  });

  it('files console levels under Python logging names', () => {
    expect(pythonLogLevel('log')).toBe('INFO');
    expect(pythonLogLevel('info')).toBe('INFO');
    expect(pythonLogLevel('warn')).toBe('WARNING');
    expect(pythonLogLevel('error')).toBe('ERROR');
    expect(pythonLogLevel('debug')).toBe('DEBUG');
    expect(pythonLogLevel('CRITICAL')).toBe('CRITICAL');
    expect(logLine('warn', 'disk almost full', AT)).toBe('2020-03-04 10:33:50 UTC WARNING -- disk almost full');
    expect(logLine('ERROR', 'boom', AT)).toBe('2020-03-04 10:33:50 UTC ERROR -- boom');
    expect(logLine('debug', '', AT)).toBe('2020-03-04 10:33:50 UTC DEBUG -- ');
  });
});
