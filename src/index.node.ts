import { installEnvironment } from './runtime/installed';
import { nodeEnvironment } from './node/environment';

installEnvironment(nodeEnvironment());

export * from './api/index';
