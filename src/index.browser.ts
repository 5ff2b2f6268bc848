import { installEnvironment } from './runtime/installed';
import { browserEnvironment } from './browser/environment';

installEnvironment(browserEnvironment());

export * from './api/index';
