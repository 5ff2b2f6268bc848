import { setEnvironment } from './runtime/runtime';
import { nodeEnvironment } from './node/environment';

setEnvironment(nodeEnvironment());

export * from './api/index';
