import { describe, expect, it } from 'vitest';
import { RawJson, stringifyJson } from '../../src/server/json/raw-json';
import type { ExperimentRecord, ProjectRecord } from '../../src/server/model';
import { experimentListBody, experimentListPageJson } from '../../src/server/serialize';
import type { ServerStore } from '../../src/server/store/store';

const project: ProjectRecord = {
  id: 1, uuid: 'p'.repeat(32), user: 'local', name: 'runs "quoted"', description: null, readme: null, tags: [],
  isPublic: false, createdAt: '2020-03-04T10:33:50Z', updatedAt: '2020-03-04T10:33:50Z',
};

const plain: ExperimentRecord = {
  id: 7, uuid: 'a'.repeat(32), projectId: 1, user: 'local', name: null, description: null, readme: null,
  original_experiment: null, content: null, params: null, backend: null, framework: null, is_managed: false,
  run_env: null, data_refs: null, tags: null, ttl: null, createdAt: '2020-03-04T10:33:50.123Z',
  updatedAt: '2020-03-04T10:33:51.000Z', startedAt: null, finishedAt: null, lastStatus: null, lastMetric: null,
  codeReference: null,
};

const hostile: ExperimentRecord = {
  ...plain,
  id: 8, name: '__proto__ "x"\n</script>', description: 'ü/ß \u2028 \ud800', original_experiment: 7,
  params: new RawJson('{"lr":1.0E-3,"constructor":{"a":[1,2.50]}}'), backend: 'native', framework: 'tfjs',
  is_managed: true, tags: ['baseline', 'a"b', ''], startedAt: '2020-03-04T10:34:00.5Z', finishedAt: '2020-03-04T10:35:00Z',
  lastStatus: 'succeeded', lastMetric: new RawJson('{"loss":0.10,"step":3}'),
};

// originalName() reads the cloned-from experiment and its project.
const state = {
  experiment: (id: number) => [plain, hostile].find((experiment) => experiment.id === id),
  project: (id: number) => (id === 1 ? project : undefined),
} as unknown as ServerStore;

describe('experiments list page as JSON text', () => {
  it('is byte for byte the page of list bodies, JSON fields as sent', () => {
    const page = { count: 2000, next: 'http://127.0.0.1:1/api/v1/local/x/experiments/?limit=2&offset=2&q="', previous: null, results: [hostile, plain] };
    const text = experimentListPageJson(page, project, state);
    expect(text).toBe(stringifyJson({ ...page, results: page.results.map((experiment) => experimentListBody(experiment, project, state)) }));
    expect(text).toContain('"params":{"lr":1.0E-3,"constructor":{"a":[1,2.50]}}');
    expect(JSON.parse(text).results[0].original).toBe('local.runs "quoted".7');
    expect(experimentListPageJson({ count: 0, next: null, previous: null, results: [] }, project, state)).toBe('{"count":0,"next":null,"previous":null,"results":[]}');
  });
});
