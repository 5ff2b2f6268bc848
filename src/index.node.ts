import { setEnvironment } from './core/runtime';
import { nodeEnvironment } from './node/environment';

setEnvironment(nodeEnvironment());

export * from './public-api';
