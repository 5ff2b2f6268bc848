/**
 * What `new Experiment(...)` and the calls before `create()` refuse, before any request: the
 * project reference, the experiment id, calls made too early, a second create.
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Experiment, PolyaxonClient, ValidationError } from '../../src/index.node';
import { tempFolder } from '../helpers/local-server';

let outboxDir: string;
// Nothing listens on port 9 of loopback (discard); no test here gets as far as a request.
const client = new PolyaxonClient({ host: '127.0.0.1', port: 9, token: 't', env: {} });
const opened: Experiment[] = [];

beforeAll(async () => {
  outboxDir = await tempFolder('pxt-exp-unit-');
});

afterAll(async () => {
  await Promise.all(opened.map((experiment) => experiment.close({ timeoutMs: 100 })));
  await rm(outboxDir, { recursive: true, force: true });
});

function make(options: ConstructorParameters<typeof Experiment>[0] = {}): Experiment {
  const experiment = new Experiment({ client, trackLogs: false, outbox: { directory: outboxDir }, ...options });
  opened.push(experiment);
  return experiment;
}

function refusal(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('the project reference', () => {
  it.each([
    ['mnist', { user: undefined, project: 'mnist' }],
    ['user2/t2t', { user: 'user2', project: 't2t' }],
    ['user2.t2t', { user: 'user2', project: 't2t' }],
  ])('%s', (project, ref) => {
    expect(make({ project }).projectRef).toEqual(ref);
  });

  it('is required outside the cluster, with a clear error', () => {
    const error = refusal(() => make());
    expect(error.field).toBe('project');
    expect(error.message).toMatch(/required outside the cluster/);
  });

  it.each([
    ['a/b/c', /must be "name", "user\/name" or "user.name"/],
    ['bad user/p', /user "bad user" must be a slug/],
    ['u/', /must not be empty/],
    ['u/projects', /reserved/],
    ['u/has space', /slug/],
  ])('refuses %s', (project, rule) => {
    const error = refusal(() => make({ project }));
    expect(error.field).toBe('project');
    expect(error.message).toMatch(rule);
  });
});

describe('experimentId', () => {
  it('tracks an existing experiment: the id is known at once and it is running', async () => {
    const experiment = make({ project: 'u/p', experimentId: 42 });
    expect(experiment.id).toBe(42);
    expect(await experiment.whenCreated).toBe(42);
    expect(experiment.isRunning).toBe(true);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses %s', (experimentId) => {
    expect(refusal(() => make({ project: 'p', experimentId })).field).toBe('experimentId');
  });
});

describe('before create()', () => {
  it('a tracking call throws, naming the call and the fix', () => {
    const experiment = make({ project: 'p' });
    const error = refusal(() => experiment.logMetrics({ loss: 1 }));
    expect(error.field).toBe('metrics');
    expect(error.rule).toMatch(/call create\(\) first/);
    expect(experiment.stats()!.outbox.pending).toBe(0);
  });

  it('with strict: false, the call is dropped with no throw', () => {
    const experiment = make({ project: 'p', strict: false });
    expect(() => experiment.logParams({ lr: 1 })).not.toThrow();
    expect(experiment.stats()!.outbox.pending).toBe(0);
  });

  it('refuses a second create()', async () => {
    const experiment = make({ project: 'u/p', experimentId: 3 });
    await expect(experiment.create()).rejects.toMatchObject({ name: 'ValidationError', field: 'create' });
  });
});

describe('the exit settings of the outbox', () => {
  // A client of its own per case: the first experiment of a server decides its outbox's settings.
  let nextPort = 10;
  const freshClient = () => new PolyaxonClient({ host: '127.0.0.1', port: nextPort++, token: 't', env: {} });

  it.each([
    [{ exitFlushTimeoutMs: -1 }, 'outbox.exitFlushTimeoutMs', /zero or a positive number/],
    [{ exitFlushTimeoutMs: Number.NaN }, 'outbox.exitFlushTimeoutMs', /zero or a positive number/],
    [{ sendAfterExit: 'yes' as unknown as boolean }, 'outbox.sendAfterExit', /true or false/],
  ])('refuses %o, naming the field and the rule', (outbox, field, rule) => {
    const error = refusal(() => new Experiment({ client: freshClient(), project: 'p', outbox: { directory: outboxDir, ...outbox } }));
    expect(error.field).toBe(field);
    expect(error.rule).toMatch(rule);
  });
});
