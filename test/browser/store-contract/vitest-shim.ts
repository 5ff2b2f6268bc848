/**
 * The part of vitest's API that test/helpers/store-contract.ts uses (describe, describe.skipIf,
 * it, beforeEach, afterEach, expect with its matchers), for running that same file in a page:
 * the contract is bundled with `vitest` pointing here. It only registers cases; `runCase` runs one
 * with its hooks. Matchers follow vitest's semantics: `toEqual` ignores undefined properties,
 * `toMatchObject` checks a subset, recursively.
 */
type Fn = () => unknown | Promise<unknown>;

interface Suite {
  name: string;
  parent: Suite | undefined;
  skipped: boolean;
  beforeEach: Fn[];
  afterEach: Fn[];
}

interface Case {
  name: string;
  suite: Suite;
  fn: Fn;
}

const root: Suite = { name: '', parent: undefined, skipped: false, beforeEach: [], afterEach: [] };
let current = root;
const cases: Case[] = [];

function suiteNames(suite: Suite | undefined): string[] {
  return suite && suite !== root ? [...suiteNames(suite.parent), suite.name] : [];
}

function fullName(testCase: Case): string {
  return [...suiteNames(testCase.suite), testCase.name].join(' > ');
}

function register(name: string, body: () => void, skipped: boolean): void {
  const suite: Suite = { name, parent: current, skipped: skipped || current.skipped, beforeEach: [], afterEach: [] };
  current = suite;
  try {
    body();
  } finally {
    current = suite.parent!;
  }
}

export const describe = Object.assign((name: string, body: () => void) => register(name, body, false), {
  skipIf: (condition: unknown) => (name: string, body: () => void) => register(name, body, Boolean(condition)),
});

export function it(name: string, fn: Fn): void {
  if (!current.skipped) cases.push({ name, suite: current, fn });
}

export function beforeEach(fn: Fn): void {
  current.beforeEach.push(fn);
}

export function afterEach(fn: Fn): void {
  current.afterEach.push(fn);
}

/** Names of every registered case, `suite > suite > case`. */
export function caseNames(): string[] {
  return cases.map(fullName);
}

/** Runs one case with the beforeEach hooks outermost first and the afterEach hooks innermost first; rejects as the case fails. */
export async function runCase(name: string): Promise<void> {
  const testCase = cases.find((candidate) => fullName(candidate) === name);
  if (!testCase) throw new Error(`no case named ${name}`);
  const chain: Suite[] = [];
  for (let suite: Suite | undefined = testCase.suite; suite; suite = suite.parent) chain.unshift(suite);
  for (const suite of chain) for (const hook of suite.beforeEach) await hook();
  try {
    await testCase.fn();
  } finally {
    for (const suite of [...chain].reverse()) for (const hook of suite.afterEach) await hook();
  }
}

// --- expect ----------------------------------------------------------------------------------

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function equals(actual: unknown, expected: unknown): boolean {
  if (Object.is(actual, expected)) return true;
  if (Array.isArray(actual) || Array.isArray(expected)) {
    return Array.isArray(actual) && Array.isArray(expected) && actual.length === expected.length && actual.every((item, index) => equals(item, expected[index]));
  }
  if (!isObject(actual) || !isObject(expected)) return false;
  const definedKeys = (value: Record<string, unknown>) => Object.keys(value).filter((key) => value[key] !== undefined).sort();
  const keys = definedKeys(actual);
  return equals(keys, definedKeys(expected)) && keys.every((key) => equals(actual[key], expected[key]));
}

function matchesObject(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((item, index) => matchesObject(actual[index], item));
  }
  if (isObject(expected)) return isObject(actual) && Object.keys(expected).every((key) => matchesObject(actual[key], expected[key]));
  return equals(actual, expected);
}

const show = (value: unknown) => {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
};

type Matchers = {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toMatchObject(expected: unknown): void;
  toHaveLength(length: number): void;
  toBeUndefined(): void;
  toBeGreaterThanOrEqual(bound: number): void;
};

function matchers(actual: unknown, negated: boolean): Matchers {
  const check = (passed: boolean, what: string) => {
    if (passed === negated) throw new Error(`expected ${show(actual)} ${negated ? 'not ' : ''}${what}`);
  };
  return {
    toBe: (expected) => check(Object.is(actual, expected), `to be ${show(expected)}`),
    toEqual: (expected) => check(equals(actual, expected), `to equal ${show(expected)}`),
    toMatchObject: (expected) => check(matchesObject(actual, expected), `to match ${show(expected)}`),
    toHaveLength: (length) => check((actual as { length?: unknown })?.length === length, `to have length ${length}`),
    toBeUndefined: () => check(actual === undefined, 'to be undefined'),
    toBeGreaterThanOrEqual: (bound) => check(typeof actual === 'number' && actual >= bound, `to be >= ${bound}`),
  };
}

export function expect(actual: unknown): Matchers & { not: Matchers } {
  return Object.assign(matchers(actual, false), { not: matchers(actual, true) });
}
