/**
 * The in-cluster getters as static members of Experiment (the getters themselves are covered in
 * context.test.ts): getTfConfig builds TF_CONFIG and writes it to the process environment.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Experiment } from '../../src/index.node';

const VARIABLES = ['POLYAXON_IS_MANAGED', 'POLYAXON_CLUSTER', 'POLYAXON_TASK_INFO', 'POLYAXON_RUN_OUTPUTS_PATH', 'TF_CONFIG', 'MY_TF_CONFIG', 'POLYAXON_PARAMS'];
const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));

afterEach(() => {
  for (const name of VARIABLES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

function inCluster(): void {
  process.env.POLYAXON_IS_MANAGED = 'yes';
  process.env.POLYAXON_CLUSTER = JSON.stringify({ master: ['plxjob-master0:2222'], worker: ['plxjob-worker0:2222', 'plxjob-worker1:2222'], ps: ['plxjob-ps0:2222'] });
  process.env.POLYAXON_TASK_INFO = JSON.stringify({ type: 'worker', index: 1 });
  process.env.POLYAXON_RUN_OUTPUTS_PATH = '/outputs/user/mnist/experiments/3';
}

describe('Experiment.getTfConfig', () => {
  it('builds cluster, task, model_dir, environment in that order and sets TF_CONFIG', () => {
    inCluster();
    delete process.env.TF_CONFIG;
    const config = Experiment.getTfConfig();
    expect(Object.keys(config)).toEqual(['cluster', 'task', 'model_dir', 'environment']);
    expect(config).toEqual({
      cluster: { master: ['plxjob-master0:2222'], worker: ['plxjob-worker0:2222', 'plxjob-worker1:2222'], ps: ['plxjob-ps0:2222'] },
      task: { type: 'worker', index: 1 },
      model_dir: '/outputs/user/mnist/experiments/3',
      environment: 'cloud',
    });
    expect(process.env.TF_CONFIG).toBe(JSON.stringify(config));
  });

  it('writes another variable when asked, and none with envvar: null', () => {
    inCluster();
    delete process.env.TF_CONFIG;
    const config = Experiment.getTfConfig({ envvar: 'MY_TF_CONFIG' });
    expect(JSON.parse(process.env.MY_TF_CONFIG!)).toEqual(config);
    expect(process.env.TF_CONFIG).toBeUndefined();
    Experiment.getTfConfig({ envvar: null });
    expect(process.env.TF_CONFIG).toBeUndefined();
  });

  it('gives null parts for missing or invalid variables', () => {
    inCluster();
    delete process.env.POLYAXON_CLUSTER;
    process.env.POLYAXON_TASK_INFO = '{oops';
    delete process.env.POLYAXON_RUN_OUTPUTS_PATH;
    expect(Experiment.getTfConfig({ envvar: null })).toEqual({ cluster: null, task: null, model_dir: null, environment: 'cloud' });
  });

  it('throws outside the cluster, as every in-cluster getter does', () => {
    delete process.env.POLYAXON_IS_MANAGED;
    expect(() => Experiment.getTfConfig()).toThrow(/not managed by Polyaxon/);
    expect(() => Experiment.getParams()).toThrow(/not managed by Polyaxon/);
    expect(process.env.TF_CONFIG).toBe(saved.TF_CONFIG);
  });

  it('getParams is getDeclarations', () => {
    inCluster();
    process.env.POLYAXON_PARAMS = JSON.stringify({ lr: 0.1, layers: 3 });
    expect(Experiment.getParams()).toEqual({ lr: 0.1, layers: 3 });
    expect(Experiment.getDeclarations()).toEqual({ lr: 0.1, layers: 3 });
  });
});
