import { afterEach, describe, expect, it } from 'vitest';
import { captureBrowserConsole, formatConsoleArgs, MAX_LINE_CHARS } from '../../src/browser/console';
import { LOG_PREFIX, logger, setLogLevel } from '../../src/runtime/logger';

/** A console double recording what reached the "real" console. */
function fakeConsole() {
  const printed: Array<[string, unknown[]]> = [];
  const target: Record<string, unknown> = {};
  for (const level of ['log', 'info', 'warn', 'error', 'debug']) {
    target[level] = (...args: unknown[]) => printed.push([level, args]);
  }
  return { target, printed };
}

afterEach(() => setLogLevel('warn'));

describe('browser console capture', () => {
  it('mirrors every level into the sink and still prints the same arguments', () => {
    const { target, printed } = fakeConsole();
    const lines: Array<[string, string]> = [];
    const uninstall = captureBrowserConsole((level, line) => lines.push([level, line]), target);
    const payload = { loss: 0.5 };
    for (const level of ['log', 'info', 'warn', 'error', 'debug']) (target[level] as Function)('epoch', 1, payload);
    uninstall();
    expect(printed.map(([level]) => level)).toEqual(['log', 'info', 'warn', 'error', 'debug']);
    expect(printed[0][1][2]).toBe(payload);
    expect(lines).toEqual(['log', 'info', 'warn', 'error', 'debug'].map((level) => [level, 'epoch 1 {"loss":0.5}']));
  });

  it("skips the library's own messages, by flag and by prefix", () => {
    const original = console.warn;
    const lines: string[] = [];
    // The logger writes through the global console, so capture the global one here.
    console.warn = () => {};
    const uninstall = captureBrowserConsole((_level, line) => lines.push(line));
    try {
      setLogLevel('debug');
      logger.warnOnce(`own-${Date.now()}`, 'queue full');
      console.warn(`${LOG_PREFIX} printed by hand`);
      console.warn('user message');
    } finally {
      uninstall();
      console.warn = original;
    }
    expect(lines).toEqual(['user message']);
  });

  it('uninstall restores the original methods and stops forwarding', () => {
    const { target } = fakeConsole();
    const originalLog = target.log;
    const lines: string[] = [];
    const uninstall = captureBrowserConsole((_level, line) => lines.push(line), target);
    expect(target.log).not.toBe(originalLog);
    uninstall();
    uninstall();
    expect(target.log).toBe(originalLog);
    (target.log as Function)('after');
    expect(lines).toEqual([]);
  });

  it('a wrapper installed later keeps working after uninstall, and ours goes quiet', () => {
    const { target, printed } = fakeConsole();
    const lines: string[] = [];
    const uninstall = captureBrowserConsole((_level, line) => lines.push(line), target);
    const ours = target.log as Function;
    const laterCalls: unknown[] = [];
    target.log = (...args: unknown[]) => {
      laterCalls.push(args);
      ours(...args);
    };
    uninstall();
    (target.log as Function)('still printed');
    expect(laterCalls).toHaveLength(1);
    expect(printed.at(-1)).toEqual(['log', ['still printed']]);
    expect(lines).toEqual([]);
  });

  it('a sink that throws or logs never breaks the console nor recurses', () => {
    const { target, printed } = fakeConsole();
    let calls = 0;
    const uninstall = captureBrowserConsole(() => {
      calls += 1;
      (target.error as Function)('sink complains');
      throw new Error('sink broke');
    }, target);
    expect(() => (target.log as Function)('hello')).not.toThrow();
    uninstall();
    expect(calls).toBe(1);
    expect(printed.map(([, args]) => args[0])).toEqual(['hello', 'sink complains']);
  });
});

describe('formatConsoleArgs', () => {
  it.each([
    [['plain', 'words'], 'plain words'],
    [[1, true, null, undefined], '1 true null undefined'],
    [[BigInt(10), Symbol('s')], '10n Symbol(s)'],
    [['%s has %d items (%i%%)', 'list', 3.7, 42.9], 'list has 3.7 items (42%)'],
    [['%o and %O', { a: 1 }, [1, 2]], '{"a":1} and [1,2]'],
    [['%c styled', 'color: red'], ' styled'],
    [['%s missing'], '%s missing'],
    [['extra %s', 'a', 'b'], 'extra a b'],
    [[function named() {}], '[Function named]'],
    [[{ nested: { deep: [1, { x: 'y' }] } }], '{"nested":{"deep":[1,{"x":"y"}]}}'],
  ])('formats case %#', (args, expected) => {
    expect(formatConsoleArgs(args)).toBe(expected);
  });

  it('marks cycles but prints a shared object twice', () => {
    const shared = { v: 1 };
    const cyclic: Record<string, unknown> = { name: 'root', pair: [shared, shared] };
    cyclic.self = cyclic;
    expect(formatConsoleArgs([cyclic])).toBe('{"name":"root","pair":[{"v":1},{"v":1}],"self":"[Circular]"}');
  });

  it('prints Errors with their stack, also inside objects', () => {
    const error = new TypeError('bad shape');
    const line = formatConsoleArgs(['failed:', error]);
    expect(line.startsWith('failed: TypeError: bad shape\n')).toBe(true);
    expect(line).toContain('browser-console.test.ts');
    expect(formatConsoleArgs([{ error }])).toContain('TypeError: bad shape');
  });

  it('prints an object whose toJSON throws by its tag instead of throwing', () => {
    const hostile = { toJSON: () => { throw new Error('no'); } };
    expect(formatConsoleArgs([hostile])).toBe('[object Object]');
  });

  it(`truncates a line past ${MAX_LINE_CHARS} characters`, () => {
    const line = formatConsoleArgs(['x'.repeat(MAX_LINE_CHARS + 10)]);
    expect(line.length).toBeLessThan(MAX_LINE_CHARS + 20);
    expect(line.endsWith('[truncated]')).toBe(true);
  });
});
