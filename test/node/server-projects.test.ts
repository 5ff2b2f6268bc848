import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server-api';

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer({ users: { alice: 'alice-token' } });
});
afterEach(async () => {
  await t.dispose();
});

describe('users', () => {
  it('GET users/ answers who the token belongs to', async () => {
    const me = await t.call('GET', 'users/');
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ username: 'local', email: 'local@localhost', is_superuser: true });
    const alice = await t.call('GET', 'users', undefined, { token: 'alice-token' });
    expect(alice.body).toMatchObject({ username: 'alice', is_superuser: false });
  });

  it('POST users/token/ logs in with form fields, the token being the password', async () => {
    const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
    const good = await t.call('POST', 'users/token/', undefined, { token: null, headers: form, raw: 'username=alice&password=alice-token' });
    expect(good.status).toBe(200);
    expect(good.body).toEqual({ token: 'alice-token' });
    const bad = await t.call('POST', 'users/token/', undefined, { token: null, headers: form, raw: 'username=alice&password=nope' });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ non_field_errors: ['Unable to log in with provided credentials.'] });
    const missing = await t.call('POST', 'users/token/', undefined, { token: null, headers: form, raw: 'username=alice' });
    expect(missing.body).toEqual({ password: ['This field is required.'] });
  });
});

describe('projects', () => {
  it('creates a project (201) with Polyaxon fields and reads it back', async () => {
    const created = await t.call('POST', 'projects/', { name: 'mnist', description: 'digits', tags: ['a', 'b'] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'mnist', unique_name: 'local.mnist', user: 'local', description: 'digits', tags: ['a', 'b'],
      is_public: true, num_experiments: 0,
    });
    expect(created.body.uuid).toMatch(/^[0-9a-f]{32}$/);
    const read = await t.call('GET', 'local/mnist');
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
  });

  it('refuses bad names with field errors: non-slug, reserved, too long, missing, duplicate', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ name: 'has space' }, /slug/],
      [{ name: 'Experiments' }, /reserved/],
      [{ name: 'x'.repeat(129) }, /no more than 128 characters/],
      [{}, /This field is required/],
    ];
    for (const [body, message] of cases) {
      const answer = await t.call('POST', 'projects/', body);
      expect(answer.status).toBe(400);
      expect(answer.body.name[0]).toMatch(message);
    }
    await t.call('POST', 'projects/', { name: 'p1' });
    const duplicate = await t.call('POST', 'projects/', { name: 'p1' });
    expect(duplicate.status).toBe(400);
    expect(duplicate.body).toEqual({ name: ['A project with name `p1` already exists.'] });
  });

  it('PATCH merges tags with merge: true and replaces them without it', async () => {
    await t.call('POST', 'projects/', { name: 'p1', tags: ['a', 'b'] });
    const merged = await t.call('PATCH', 'local/p1/', { tags: ['b', 'c'], merge: true });
    expect(merged.body.tags).toEqual(['a', 'b', 'c']);
    const replaced = await t.call('PATCH', 'local/p1/', { tags: ['z'], description: 'new' });
    expect(replaced.body).toMatchObject({ tags: ['z'], description: 'new' });
    const renamed = await t.call('PATCH', 'local/p1/', { name: 'p2' });
    expect(renamed.body.unique_name).toBe('local.p2');
    expect((await t.call('GET', 'local/p1/')).status).toBe(404);
  });

  it('DELETE removes the project and its experiments (204, then 404)', async () => {
    await t.call('POST', 'projects/', { name: 'p1' });
    const experiment = await t.call('POST', 'local/p1/experiments/', { is_managed: false });
    const deleted = await t.call('DELETE', 'local/p1/');
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expect((await t.call('GET', 'local/p1/')).status).toBe(404);
    expect((await t.call('GET', `local/p1/experiments/${experiment.body.id}/`)).status).toBe(404);
  });

  it('GET {user}/ lists the projects a caller may see, paginated', async () => {
    for (let index = 0; index < 23; index += 1) await t.call('POST', 'projects/', { name: `p${index}` });
    await t.call('POST', 'projects/', { name: 'public-one' }, { token: 'alice-token' });
    await t.call('POST', 'projects/', { name: 'private-one', is_public: false }, { token: 'alice-token' });
    const first = await t.call('GET', 'local/');
    expect(first.body.count).toBe(23);
    expect(first.body.results).toHaveLength(20);
    expect(first.body.previous).toBeNull();
    const second = await fetch(first.body.next, { headers: { Authorization: 'Token test-token' } }).then((r) => r.json());
    expect(second.results).toHaveLength(3);
    expect(second.next).toBeNull();
    // A superuser and the owner see alice's private project.
    expect((await t.call('GET', 'alice/')).body.count).toBe(2);
    expect((await t.call('GET', 'alice/', undefined, { token: 'alice-token' })).body.count).toBe(2);
    expect((await t.call('GET', 'nobody/')).status).toBe(404);
  });

  it('other users read public projects but get 403 on private ones and on any write', async () => {
    await t.call('POST', 'projects/', { name: 'open' });
    await t.call('POST', 'projects/', { name: 'closed', is_public: false });
    const alice = { token: 'alice-token' };
    expect((await t.call('GET', 'local/open/', undefined, alice)).status).toBe(200);
    const closed = await t.call('GET', 'local/closed/', undefined, alice);
    expect(closed.status).toBe(403);
    expect(closed.body).toEqual({ detail: 'You do not have permission to perform this action.' });
    expect((await t.call('PATCH', 'local/open/', { description: 'x' }, alice)).status).toBe(403);
    expect((await t.call('POST', 'local/open/experiments/', { is_managed: false }, alice)).status).toBe(403);
    expect((await t.call('GET', 'local/', undefined, alice)).body.count).toBe(1);
  });
});
