import { describe, expect, it } from 'vitest';
import { REDACTED, redactArgv, redactKnownSecrets, redactSecrets, redactText, redactUrlCredentials } from '../../src/runtime/redact';
import { secretValues } from '../../src/node/run-env';

describe('redactUrlCredentials', () => {
  it.each([
    ['https://user:pass@github.com/org/repo.git', 'https://github.com/org/repo.git'],
    ['https://x-access-token:ghs_abc@github.com/o/r', 'https://github.com/o/r'],
    ['https://oauth2token@gitlab.com/o/r.git', 'https://gitlab.com/o/r.git'],
    ['http://u:p@localhost:8000/api', 'http://localhost:8000/api'],
    ['https://github.com/org/repo.git', 'https://github.com/org/repo.git'],
    ['git@github.com:org/repo.git', 'git@github.com:org/repo.git'],
    ['ssh://git@github.com/org/repo.git', 'ssh://git@github.com/org/repo.git'],
    ['ssh://git:secret@host/org/repo.git', 'ssh://git@host/org/repo.git'],
    ['clone https://a:b@h/x and https://c:d@k/y', 'clone https://h/x and https://k/y'],
  ])('%s → %s', (input, expected) => {
    expect(redactUrlCredentials(input)).toBe(expected);
  });
});

describe('redactText', () => {
  it.each([
    ['GITHUB_TOKEN=abc123', `GITHUB_TOKEN=${REDACTED}`],
    ['--api-key=abc', `--api-key=${REDACTED}`],
    ['password: hunter2', `password: ${REDACTED}`],
    ['Bearer abc.def', REDACTED],
    ['https://h/x?api_key=abc&page=2', `https://h/x?api_key=${REDACTED}&page=2`],
    ['uses ghp_0123456789abcdefghijABCDEFGHIJ here', `uses ${REDACTED} here`],
    ['AKIAIOSFODNN7EXAMPLE', REDACTED],
    ['--epochs=10', '--epochs=10'],
    ['train.py', 'train.py'],
  ])('%s → %s', (input, expected) => {
    expect(redactText(input)).toBe(expected);
  });
});

describe('redactSecrets', () => {
  it('replaces values under secret-looking keys, any case, at any depth', () => {
    const input = {
      apiKey: 'k',
      nested: { DB_PASSWORD: 'p', list: [{ Secret_Value: 's' }, 'ok'] },
      accessToken: { deep: 'object' },
      epochs: 10,
      name: 'run',
    };
    expect(redactSecrets(input)).toEqual({
      apiKey: REDACTED,
      nested: { DB_PASSWORD: REDACTED, list: [{ Secret_Value: REDACTED }, 'ok'] },
      accessToken: REDACTED,
      epochs: 10,
      name: 'run',
    });
  });

  it('redacts secret-looking text inside string values and leaves the input untouched', () => {
    const input = { remote: 'https://u:p@host/r', note: 'TOKEN=x' };
    expect(redactSecrets(input)).toEqual({ remote: 'https://host/r', note: `TOKEN=${REDACTED}` });
    expect(input.remote).toBe('https://u:p@host/r');
  });

  it('survives cycles and keeps shared non-cyclic objects', () => {
    const shared = { a: 1 };
    const input: Record<string, unknown> = { left: shared, right: shared };
    input.self = input;
    expect(redactSecrets(input)).toEqual({ left: { a: 1 }, right: { a: 1 }, self: '[circular]' });
  });
});

describe('F40 known secrets and the -t flag', () => {
  it('F40 redacts the value after -t and any argument holding the token, even bare or inside another', () => {
    const token = 'abc123-token-value';
    expect(redactArgv(['train.js', '-t', 'x1', token, `--other=${token}`, 'short', '-n', '5'], [token, undefined, ''])).toEqual([
      'train.js', '-t', REDACTED, REDACTED, `--other=${REDACTED}`, 'short', '-n', '5',
    ]);
  });

  it('F40 a short known secret is redacted only where it is a whole value', () => {
    expect(redactArgv(['ab', 'tab', 'x'], ['ab'])).toEqual([REDACTED, 'tab', 'x']);
  });

  it('F40 secret variables give the values to redact; deep redaction reaches every string', () => {
    expect(secretValues({ POLYAXON_SECRET_USER_TOKEN: 't0ken-1', PATH: '/bin', API_KEY: '', HOME: '/root' })).toEqual(['t0ken-1']);
    expect(redactKnownSecrets({ argv: ['x', 't0ken-1'], nested: { line: 'token is t0ken-1' }, n: 1 }, ['t0ken-1'])).toEqual({
      argv: ['x', REDACTED], nested: { line: `token is ${REDACTED}` }, n: 1,
    });
  });
});

describe('redactArgv', () => {
  it('redacts inline and next-argument values of secret flags', () => {
    expect(
      redactArgv(['train.js', '--token=abc', '--password', 'hunter2', '--api-key', 'k1', '--epochs', '5', '--lr=0.1']),
    ).toEqual(['train.js', `--token=${REDACTED}`, '--password', REDACTED, '--api-key', REDACTED, '--epochs', '5', '--lr=0.1']);
  });

  it('keeps a following long flag, and redacts a value that merely starts with a dash', () => {
    expect(redactArgv(['--secret', '--verbose'])).toEqual(['--secret', '--verbose']);
    expect(redactArgv(['--secret', '-x9'])).toEqual(['--secret', REDACTED]);
  });

  it('redacts env-style assignments and URL credentials in arguments', () => {
    expect(redactArgv(['AWS_SECRET_ACCESS_KEY=zzz', 'https://u:p@h/x'])).toEqual([
      `AWS_SECRET_ACCESS_KEY=${REDACTED}`,
      'https://h/x',
    ]);
  });
});
