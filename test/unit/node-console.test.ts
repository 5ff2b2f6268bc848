import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConsoleLevel } from '../../src/runtime/environment';
import { LOG_PREFIX, logger, setLogLevel } from '../../src/runtime/logger';
import { captureConsole } from '../../src/node/console';

const LEVELS: ConsoleLevel[] = ['log', 'info', 'warn', 'error', 'debug'];

/** Stand-ins for the real console methods, recording exactly what reaches them. */
let printed: Array<[ConsoleLevel, unknown[]]>;
let saved: Record<ConsoleLevel, unknown>;
let fakes: Record<ConsoleLevel, (...args: unknown[]) => void>;

beforeEach(() => {
  printed = [];
  saved = {} as Record<ConsoleLevel, unknown>;
  fakes = {} as Record<ConsoleLevel, (...args: unknown[]) => void>;
  for (const level of LEVELS) {
    saved[level] = console[level];
    fakes[level] = (...args: unknown[]) => printed.push([level, args]);
    console[level] = fakes[level];
  }
});

afterEach(() => {
  for (const level of LEVELS) (console as unknown as Record<string, unknown>)[level] = saved[level];
  setLogLevel('warn');
});

function collect(): { lines: Array<[ConsoleLevel, string]>; uninstall: () => void } {
  const lines: Array<[ConsoleLevel, string]> = [];
  const uninstall = captureConsole((level, line) => lines.push([level, line]));
  return { lines, uninstall };
}

describe('captureConsole', () => {
  it('passes the same arguments to the console and gives the sink util.format lines with levels', () => {
    const { lines, uninstall } = collect();
    const detail = { loss: 0.5, nested: { step: 2 } };
    console.log('epoch %d of %s', 3, 'ten');
    console.info('info', detail);
    console.warn('careful');
    console.error(new Error('bad').message);
    console.debug('dbg', [1, 2]);
    uninstall();

    expect(printed).toEqual([
      ['log', ['epoch %d of %s', 3, 'ten']],
      ['info', ['info', detail]],
      ['warn', ['careful']],
      ['error', ['bad']],
      ['debug', ['dbg', [1, 2]]],
    ]);
    expect(printed[1][1][1]).toBe(detail);
    expect(lines).toEqual([
      ['log', 'epoch 3 of ten'],
      ['info', 'info { loss: 0.5, nested: { step: 2 } }'],
      ['warn', 'careful'],
      ['error', 'bad'],
      ['debug', 'dbg [ 1, 2 ]'],
    ]);
  });

  it('skips the library’s own messages, flagged or prefixed', () => {
    setLogLevel('debug');
    const { lines, uninstall } = collect();
    logger.info('sending paused');
    logger.warnOnce('node-console-test', 'one warning');
    console.log(`${LOG_PREFIX} looks like ours`);
    console.log('user line');
    uninstall();
    expect(lines).toEqual([['log', 'user line']]);
    expect(printed.map(([, args]) => String(args[0]))).toEqual([
      `${LOG_PREFIX} sending paused`,
      `${LOG_PREFIX} one warning`,
      `${LOG_PREFIX} looks like ours`,
      'user line',
    ]);
  });

  it('swallows a throwing sink and still prints', () => {
    const uninstall = captureConsole(() => {
      throw new Error('sink broke');
    });
    expect(() => console.log('still printed')).not.toThrow();
    uninstall();
    expect(printed).toEqual([['log', ['still printed']]]);
  });

  it('swallows a formatting failure from user inspect code', () => {
    const { lines, uninstall } = collect();
    const hostile = {
      [Symbol.for('nodejs.util.inspect.custom')]() {
        throw new Error('no inspecting me');
      },
    };
    expect(() => console.log('value', hostile)).not.toThrow();
    uninstall();
    expect(lines).toEqual([]);
    expect(printed).toHaveLength(1);
  });

  it('does not capture what a sink itself logs', () => {
    const lines: string[] = [];
    const uninstall = captureConsole((_level, line) => {
      lines.push(line);
      console.log('from the sink');
    });
    console.log('from the user');
    uninstall();
    expect(lines).toEqual(['from the user']);
    expect(printed.map(([, args]) => args[0])).toEqual(['from the user', 'from the sink']);
  });

  it('stacked captures uninstall in any order and restore the original methods at the end', () => {
    const first = collect();
    const second = collect();
    console.log('both');
    first.uninstall();
    console.log('second only');
    first.uninstall();
    const third = collect();
    console.log('second and third');
    second.uninstall();
    third.uninstall();
    console.log('none');

    expect(first.lines).toEqual([['log', 'both']]);
    expect(second.lines).toEqual([['log', 'both'], ['log', 'second only'], ['log', 'second and third']]);
    expect(third.lines).toEqual([['log', 'second and third']]);
    for (const level of LEVELS) expect(console[level]).toBe(fakes[level]);
    expect(printed).toHaveLength(4);
  });

  it('leaves a wrapper installed on top of it in place', () => {
    const { lines, uninstall } = collect();
    const ours = console.log;
    const theirs = (...args: unknown[]) => ours('theirs:', ...args);
    console.log = theirs;
    uninstall();
    expect(console.log).toBe(theirs);
    console.log('x');
    expect(lines).toEqual([]);
    expect(printed).toEqual([['log', ['theirs:', 'x']]]);

    const again = collect();
    console.log('y');
    again.uninstall();
    expect(again.lines).toEqual([['log', 'y']]);
    expect(console.log).toBe(theirs);
    expect(printed).toEqual([
      ['log', ['theirs:', 'x']],
      ['log', ['theirs:', 'y']],
    ]);
  });

  it('captures again after another library replaced the console method outright', () => {
    const first = collect();
    first.uninstall();
    const replacement = (...args: unknown[]) => printed.push(['log', ['replaced', ...args]]);
    console.log = replacement;
    const { lines, uninstall } = collect();
    console.log('z');
    uninstall();
    expect(lines).toEqual([['log', 'z']]);
    expect(console.log).toBe(replacement);
  });
});
