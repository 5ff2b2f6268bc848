import { setEnvironment } from './runtime/runtime';
import { browserEnvironment } from './browser/environment';

setEnvironment(browserEnvironment());

export * from './api/index';
