import { afterEach, describe, expect, it, vi } from 'vitest';
import { ValidationError } from '../../src/runtime/errors';
import { logger } from '../../src/runtime/logger';
import {
  EXPERIMENT_STATUSES,
  guard,
  isDoneStatus,
  MAX_PARAMS_BYTES,
  refusalKind,
  utf8ByteLength,
  validateBackend,
  validateDescription,
  validateFramework,
  validateMetrics,
  validateName,
  validateParams,
  validateStatus,
  validateTags,
} from '../../src/wire/validation';

function refusal(check: () => unknown): ValidationError {
  try {
    check();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

const circularParams = () => {
  const params: Record<string, unknown> = { opt: { lr: 0.1 } };
  (params.opt as Record<string, unknown>).back = params;
  return params;
};
const circularList = () => {
  const layers: unknown[] = [1];
  layers.push(layers);
  return { layers };
};

// F21: one row per kind of bad input. Each names the field and the rule.
const F21_TABLE: Array<[string, () => unknown, string, RegExp]> = [
  ['metric NaN', () => validateMetrics({ loss: NaN }), 'metrics.loss', /finite number.*NaN/],
  ['metric Infinity', () => validateMetrics({ loss: Infinity }), 'metrics.loss', /finite number.*Infinity/],
  ['metric -Infinity', () => validateMetrics({ loss: -Infinity }), 'metrics.loss', /-Infinity/],
  ['metric string', () => validateMetrics({ acc: '0.9' }), 'metrics.acc', /finite number.*a string/],
  ['metric object', () => validateMetrics({ acc: { v: 1 } }), 'metrics.acc', /an object/],
  ['metric undefined only', () => validateMetrics({ acc: undefined }), 'metrics', /at least one key with a value/],
  ['metric BigInt', () => validateMetrics({ step: 1n }), 'metrics.step', /BigInt/],
  ['metric key that needs quoting', () => validateMetrics({ 'val loss': NaN }), 'metrics["val loss"]', /NaN/],
  ['metric key with a slash', () => validateMetrics({ 'val/loss': 'x' }), 'metrics.val/loss', /a string/],
  ['metric empty key', () => validateMetrics({ '': 1 }), 'metrics[""]', /1 to 256 characters/],
  ['metric key too long', () => validateMetrics({ ['k'.repeat(257)]: 1 }), `metrics.${'k'.repeat(257)}`, /1 to 256/],
  ['metrics not an object', () => validateMetrics([1, 2]), 'metrics', /plain object.*an array/],
  ['metrics empty', () => validateMetrics({}), 'metrics', /at least one key/],
  ['name not a slug', () => validateName('name', 'my run'), 'name', /slug/],
  ['name reserved', () => validateName('name', 'Users'), 'name', /reserved/],
  ['name too long', () => validateName('name', 'n'.repeat(129)), 'name', /at most 128/],
  ['name empty', () => validateName('name', ''), 'name', /empty/],
  ['name not a string', () => validateName('name', 5), 'name', /string/],
  ['tag empty array entry', () => validateTags(['a', 'b', '']), 'tags[2]', /non-empty string/],
  ['tag blank array entry', () => validateTags(['  ']), 'tags[0]', /non-empty string/],
  ['tag not a string', () => validateTags(['a', 7]), 'tags[1]', /non-empty string, got a number/],
  ['tag too long', () => validateTags(['t'.repeat(65)]), 'tags[0]', /at most 64/],
  ['tag too long in a string', () => validateTags(`a, ${'t'.repeat(65)}`), 'tags[1]', /at most 64/],
  ['tags neither string nor array', () => validateTags({ a: 1 }), 'tags', /comma-separated string or an array/],
  ['params circular (object)', () => validateParams(circularParams()), 'params.opt.back', /circular reference to params$/],
  ['params circular (list)', () => validateParams(circularList()), 'params.layers[1]', /circular reference to params.layers/],
  ['params huge', () => validateParams({ blob: 'x'.repeat(MAX_PARAMS_BYTES) }), 'params', /at most 256 KiB/],
  ['params BigInt', () => validateParams({ seed: 1n }), 'params.seed', /JSON data.*BigInt/],
  ['params NaN', () => validateParams({ lr: NaN }), 'params.lr', /finite number.*NaN/],
  ['params Infinity nested', () => validateParams({ opt: { eps: [1, Infinity] } }), 'params.opt.eps[1]', /Infinity/],
  ['params undefined', () => validateParams({ lr: undefined }), 'params.lr', /undefined/],
  ['params function', () => validateParams({ fn: () => 1 }), 'params.fn', /a function/],
  ['params symbol', () => validateParams({ s: Symbol('s') }), 'params.s', /a symbol/],
  ['params Date', () => validateParams({ at: new Date(0) }), 'params.at', /a Date/],
  ['params not an object', () => validateParams('lr=1'), 'params', /plain object, got a string/],
  ['params empty key', () => validateParams({ '': 1 }), 'params[""]', /empty/],
  ['status unknown word', () => validateStatus('done'), 'status', /one of created, .*unknown/],
  ['status wrong case', () => validateStatus('Running'), 'status', /one of/],
  ['description not a string', () => validateDescription(42), 'description', /must be a string, got a number/],
  ['framework too long', () => validateFramework('framework', 'tensorflow-js-node-gpu'), 'framework', /1 to 16 characters/],
  ['backend empty', () => validateBackend('backend', ''), 'backend', /1 to 16 characters/],
];

describe('F21 bad input is refused at the call, naming the field and the rule', () => {
  it.each(F21_TABLE)('F21 %s', (_label, check, field, rule) => {
    const error = refusal(check);
    expect(error.field).toBe(field);
    expect(error.rule).toMatch(rule);
    expect(error.message).toBe(`${field}: ${error.rule}`);
  });
});

describe('F21 strict: false turns a refusal into one warning per kind', () => {
  afterEach(() => {
    logger.resetWarnings();
    vi.restoreAllMocks();
  });

  it.each(F21_TABLE)('F21 %s: warns once and returns undefined', (_label, check, field) => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const refused: ValidationError[] = [];
    for (let call = 0; call < 3; call++) expect(guard(false, check, (error) => refused.push(error))).toBeUndefined();
    expect(refused).toHaveLength(3);
    expect(refused[0].field).toBe(field);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toContain(field);
  });

  it('F21 a NaN under a new key at every step still warns once', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    for (let step = 0; step < 50; step++) guard(false, () => validateMetrics({ step, [`loss_${step}`]: NaN }));
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('F21 different kinds each warn once', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    guard(false, () => validateMetrics({ loss: NaN }));
    guard(false, () => validateMetrics({ loss: 'high' }));
    guard(false, () => validateTags(['']));
    guard(false, () => validateMetrics({ loss: NaN }));
    expect(warn).toHaveBeenCalledTimes(3);
  });

  it('strict: true throws, and other errors pass through either way', () => {
    expect(() => guard(true, () => validateMetrics({ loss: NaN }))).toThrow(ValidationError);
    expect(() => guard(false, () => { throw new TypeError('bug'); })).toThrow(TypeError);
    expect(guard(false, () => validateMetrics({ loss: 1 }))).toEqual({ loss: 1 });
  });

  it('refusalKind blurs names and lengths but keeps field root and rule', () => {
    const reservedA = refusalKind(refusal(() => validateName('name', 'user')));
    const reservedB = refusalKind(refusal(() => validateName('name', 'projects')));
    expect(reservedA).toBe(reservedB);
    expect(reservedA).not.toBe(refusalKind(refusal(() => validateName('name', 'a b'))));
  });
});

describe('validateMetrics accepts what the contract allows', () => {
  it('numbers, booleans as 0/1, and step as one more key', () => {
    expect(validateMetrics({ step: 3, loss: 0.25, done: true, skipped: false })).toEqual({ step: 3, loss: 0.25, done: 1, skipped: 0 });
  });

  it('returns a copy, so later changes by the caller do not alter what was queued', () => {
    const values = { loss: 1 };
    const checked = validateMetrics(values);
    values.loss = 2;
    expect(checked).toEqual({ loss: 1 });
  });

  it('F35 null is kept (sent as JSON null), undefined keys are left out', () => {
    const checked = validateMetrics({ step: 2, loss: null, acc: undefined });
    expect(checked).toEqual({ step: 2, loss: null });
    expect(Object.keys(checked)).toEqual(['step', 'loss']);
    expect(JSON.stringify(checked)).toBe('{"step":2,"loss":null}');
  });

  it('F33 a getter that gives 1 when validated and NaN later: the validated 1 is kept, read once', () => {
    let reads = 0;
    const values = {
      step: 1,
      get loss() {
        reads += 1;
        return reads === 1 ? 1 : Number.NaN;
      },
    };
    const checked = validateMetrics(values);
    expect(reads).toBe(1);
    expect(checked).toEqual({ step: 1, loss: 1 });
    expect(JSON.stringify(checked)).toBe('{"step":1,"loss":1}');
  });

  it('F33 a Proxy whose reads change: what was validated is what is returned', () => {
    let reads = 0;
    const values = new Proxy({ step: 1, loss: 0.5 } as Record<string, number>, {
      get: (target, key) => (typeof key === 'string' && key === 'loss' && ++reads > 1 ? Number.NaN : Reflect.get(target, key)),
    });
    const checked = validateMetrics(values);
    expect(checked).toEqual({ step: 1, loss: 0.5 });
    expect(Number.isNaN(values.loss)).toBe(true);
    expect(checked.loss).toBe(0.5);
  });

  it('accepts objects without a prototype and keeps odd key names as data', () => {
    const values = Object.create(null) as Record<string, unknown>;
    values.loss = 1;
    expect(validateMetrics(values)).toEqual({ loss: 1 });
    const proto = validateMetrics(JSON.parse('{"__proto__": true}'));
    expect(Object.keys(proto)).toEqual(['__proto__']);
    expect(Object.getOwnPropertyDescriptor(proto, '__proto__')?.value).toBe(1);
  });
});

describe('validateParams accepts JSON data', () => {
  it('nested data, shared (not circular) references, and returns a detached copy', () => {
    const shared = { units: 64 };
    const params = { lr: 0.001, layers: [shared, shared], name: 'mnist', seed: null, ok: true };
    const checked = validateParams(params);
    expect(checked).toEqual(params);
    shared.units = 1;
    expect((checked.layers as Array<{ units: number }>)[0].units).toBe(64);
  });

  it('just under the cap is fine, and the cap counts UTF-8 bytes', () => {
    expect(() => validateParams({ blob: 'x'.repeat(MAX_PARAMS_BYTES - 20) })).not.toThrow();
    expect(() => validateParams({ blob: 'é'.repeat(MAX_PARAMS_BYTES / 2) })).toThrow(/256 KiB/);
    expect(utf8ByteLength('aé€😀')).toBe(new TextEncoder().encode('aé€😀').length);
  });
});

describe('validateTags', () => {
  it('splits a string on commas, trims, and ignores empty pieces', () => {
    expect(validateTags('a, b ,,c,')).toEqual(['a', 'b', 'c']);
    expect(validateTags('')).toEqual([]);
    expect(validateTags(' , ')).toEqual([]);
  });

  it('keeps array entries (trimmed), commas inside them included', () => {
    expect(validateTags([' x ', 'y,z'])).toEqual(['x', 'y,z']);
    expect(validateTags([])).toEqual([]);
    expect(validateTags(['t'.repeat(64)])).toEqual(['t'.repeat(64)]);
  });
});

describe('statuses and short fields', () => {
  it('knows the 13 statuses and which are done', () => {
    expect(EXPERIMENT_STATUSES).toHaveLength(13);
    for (const status of EXPERIMENT_STATUSES) expect(validateStatus(status)).toBe(status);
    expect(EXPERIMENT_STATUSES.filter(isDoneStatus)).toEqual(['succeeded', 'failed', 'upstream_failed', 'stopped', 'skipped']);
  });

  it('accepts valid names, descriptions, frameworks and backends', () => {
    expect(validateName('name', 'run-1_a')).toBe('run-1_a');
    expect(validateDescription('')).toBe('');
    expect(validateFramework('framework', 'tensorflow.js')).toBe('tensorflow.js');
    expect(validateBackend('backend', 'other')).toBe('other');
  });
});
