import { beforeEach, describe, expect, it } from 'vitest';
import * as inCluster from '../../src/runtime/in-cluster';
import { ValidationError } from '../../src/runtime/errors';

const { CONTEXT_AUTH_TOKEN_PATH, NotManagedError, parseExperimentName } = inCluster;

/** The runtime the getters are handed: built by `install`, reading this file's variables and files. */
let environment: inCluster.InClusterEnvironment;
const getClusterDef = () => inCluster.getClusterDef(environment);
const getDataPaths = () => inCluster.getDataPaths(environment);
const getDeclarations = () => inCluster.getDeclarations(environment);
const getExperimentInfo = () => inCluster.getExperimentInfo(environment);
const getLogLevel = () => inCluster.getLogLevel(environment);
const getOutputsPath = () => inCluster.getOutputsPath(environment);
const getParams = () => inCluster.getParams(environment);
const getTaskInfo = () => inCluster.getTaskInfo(environment);
const getTfConfig = (options?: inCluster.TfConfigOptions) => inCluster.getTfConfig(environment, options);
const readInClusterToken = () => inCluster.readInClusterToken(environment);

let variables: Record<string, string | undefined>;
let files: Record<string, string>;

function install(options: { canSetEnv?: boolean; canReadFiles?: boolean } = {}): void {
  const { canSetEnv = true, canReadFiles = true } = options;
  environment = {
    getEnv: (name) => variables[name],
    readTextFile: canReadFiles ? (path) => files[path] : undefined,
    setEnv: canSetEnv ? (name, value) => void (variables[name] = value) : undefined,
  };
}

beforeEach(() => {
  variables = { POLYAXON_IS_MANAGED: 'true' };
  files = {};
  install();
});

const CLUSTER = { master: ['plxjob-master0:2000'], worker: ['plxjob-worker1:2000', 'plxjob-worker2:2000'], ps: ['plxjob-ps3:2000'] };
const TASK = { type: 'worker', index: 1 };
const INFO = {
  project_name: 'alice.mnist',
  experiment_group_name: null,
  experiment_name: 'alice.mnist.17',
  project_uuid: 'a1',
  experiment_group_uuid: null,
  experiment_uuid: 'e1',
};

// Getter, its variable, a valid value and what the getter returns for it.
const JSON_GETTERS: Array<[string, () => unknown, string, unknown]> = [
  ['getClusterDef', getClusterDef, 'POLYAXON_CLUSTER', CLUSTER],
  ['getDeclarations', getDeclarations, 'POLYAXON_PARAMS', { lr: 0.1, layers: 3 }],
  ['getParams', getParams, 'POLYAXON_PARAMS', { lr: 0.1 }],
  ['getExperimentInfo', getExperimentInfo, 'POLYAXON_EXPERIMENT_INFO', INFO],
  ['getTaskInfo', getTaskInfo, 'POLYAXON_TASK_INFO', TASK],
  ['getDataPaths', getDataPaths, 'POLYAXON_RUN_DATA_PATHS', { mnist: '/data/mnist' }],
];
const TEXT_GETTERS: Array<[string, () => unknown, string, string]> = [
  ['getOutputsPath', getOutputsPath, 'POLYAXON_RUN_OUTPUTS_PATH', '/outputs/alice/mnist/17'],
  ['getLogLevel', getLogLevel, 'POLYAXON_LOG_LEVEL', 'INFO'],
];
const ALL_GETTERS: Array<[string, () => unknown]> = [
  ...JSON_GETTERS.map(([name, getter]): [string, () => unknown] => [name, getter]),
  ...TEXT_GETTERS.map(([name, getter]): [string, () => unknown] => [name, getter]),
  ['getTfConfig', () => getTfConfig()],
];

describe('outside the cluster every getter throws', () => {
  it.each(ALL_GETTERS)('%s', (name, getter) => {
    for (const managed of [undefined, 'false', '0', 'no']) {
      variables = { POLYAXON_IS_MANAGED: managed, POLYAXON_CLUSTER: JSON.stringify(CLUSTER) };
      expect(getter).toThrow(NotManagedError);
      expect(getter).toThrow(/not managed by Polyaxon/);
      expect(getter).toThrow(name);
    }
  });

  it('the legacy POLYAXON_IN_CLUSTER flag counts as managed', () => {
    variables = { POLYAXON_IN_CLUSTER: 'yes', POLYAXON_LOG_LEVEL: 'DEBUG' };
    expect(getLogLevel()).toBe('DEBUG');
  });
});

describe('JSON getters in the cluster', () => {
  it.each(JSON_GETTERS)('%s: missing, empty, invalid JSON, not an object, valid', (_name, getter, variable, value) => {
    expect(getter()).toBeNull();
    variables[variable] = '';
    expect(getter()).toBeNull();
    variables[variable] = '{not json';
    expect(getter()).toBeNull();
    variables[variable] = '[1, 2]';
    expect(getter()).toBeNull();
    variables[variable] = '"text"';
    expect(getter()).toBeNull();
    variables[variable] = JSON.stringify(value);
    expect(getter()).toEqual(value);
  });

  it('getDeclarations falls back to the 0.4 POLYAXON_DECLARATIONS only when POLYAXON_PARAMS is absent', () => {
    variables.POLYAXON_DECLARATIONS = '{"lr": 0.5}';
    expect(getDeclarations()).toEqual({ lr: 0.5 });
    variables.POLYAXON_PARAMS = '';
    expect(getDeclarations()).toEqual({ lr: 0.5 });
    variables.POLYAXON_PARAMS = '{"lr": 0.1}';
    expect(getDeclarations()).toEqual({ lr: 0.1 });
    variables.POLYAXON_PARAMS = 'broken';
    expect(getDeclarations()).toBeNull();
  });
});

describe('text getters in the cluster', () => {
  it.each(TEXT_GETTERS)('%s: missing, empty, set', (_name, getter, variable, value) => {
    expect(getter()).toBeNull();
    variables[variable] = '';
    expect(getter()).toBeNull();
    variables[variable] = value;
    expect(getter()).toBe(value);
  });
});

describe('getTfConfig', () => {
  beforeEach(() => {
    variables.POLYAXON_CLUSTER = JSON.stringify(CLUSTER);
    variables.POLYAXON_TASK_INFO = JSON.stringify(TASK);
    variables.POLYAXON_RUN_OUTPUTS_PATH = '/outputs/17';
  });

  it('builds cluster, task, model_dir, environment in that order and sets TF_CONFIG', () => {
    const config = getTfConfig();
    expect(Object.keys(config)).toEqual(['cluster', 'task', 'model_dir', 'environment']);
    expect(config).toEqual({ cluster: CLUSTER, task: TASK, model_dir: '/outputs/17', environment: 'cloud' });
    expect(variables.TF_CONFIG).toBe(JSON.stringify(config));
  });

  it('writes another variable when asked, and none when envvar is falsy', () => {
    getTfConfig({ envvar: 'MY_TF_CONFIG' });
    expect(JSON.parse(variables.MY_TF_CONFIG as string).environment).toBe('cloud');
    expect(variables.TF_CONFIG).toBeUndefined();
    getTfConfig({ envvar: '' });
    getTfConfig({ envvar: null });
    expect(variables.TF_CONFIG).toBeUndefined();
  });

  it('holds nulls for missing parts, and returns the config where variables cannot be set', () => {
    variables = { POLYAXON_IS_MANAGED: '1' };
    install({ canSetEnv: false });
    expect(getTfConfig()).toEqual({ cluster: null, task: null, model_dir: null, environment: 'cloud' });
    expect(variables.TF_CONFIG).toBeUndefined();
  });
});

describe('readInClusterToken', () => {
  it('the context file wins over the variable in the cluster', () => {
    variables.POLYAXON_SECRET_USER_TOKEN = 'from-env';
    files[CONTEXT_AUTH_TOKEN_PATH] = JSON.stringify({ POLYAXON_SECRET_USER_TOKEN: 'from-file' });
    expect(readInClusterToken()).toBe('from-file');
  });

  it('falls back to the variable when the file is missing, invalid, or has no token', () => {
    variables.POLYAXON_SECRET_USER_TOKEN = 'from-env';
    expect(readInClusterToken()).toBe('from-env');
    for (const text of ['not json', '{}', '{"POLYAXON_SECRET_USER_TOKEN": ""}', '{"POLYAXON_SECRET_USER_TOKEN": 5}', 'null']) {
      files[CONTEXT_AUTH_TOKEN_PATH] = text;
      expect(readInClusterToken()).toBe('from-env');
    }
  });

  it('falls back to the variable when reading the file throws or the runtime has no files', () => {
    variables.POLYAXON_SECRET_USER_TOKEN = 'from-env';
    environment = { ...environment, readTextFile: () => { throw new Error('EACCES'); } };
    expect(readInClusterToken()).toBe('from-env');
    install({ canReadFiles: false });
    expect(readInClusterToken()).toBe('from-env');
  });

  it('outside the cluster reads only the variable, and gives undefined when there is none', () => {
    variables = { POLYAXON_SECRET_USER_TOKEN: 'from-env' };
    files[CONTEXT_AUTH_TOKEN_PATH] = JSON.stringify({ POLYAXON_SECRET_USER_TOKEN: 'from-file' });
    expect(readInClusterToken()).toBe('from-env');
    variables = {};
    expect(readInClusterToken()).toBeUndefined();
  });
});

describe('parseExperimentName', () => {
  it('splits user.project.id and user.project.group.id', () => {
    expect(parseExperimentName('alice.mnist.17')).toEqual({ user: 'alice', project: 'mnist', id: 17 });
    expect(parseExperimentName('alice.mnist.3.17')).toEqual({ user: 'alice', project: 'mnist', group: 3, id: 17 });
  });

  it.each([['alice.mnist'], ['alice.mnist.x'], ['alice..17'], ['a.b.c.d.17'], [''], [17]])('refuses %j', (name) => {
    expect(() => parseExperimentName(name)).toThrow(ValidationError);
    expect(() => parseExperimentName(name)).toThrow(/experiment_name: must be "user.project.id"/);
  });
});
