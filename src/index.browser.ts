import { setEnvironment } from './core/runtime';
import { browserEnvironment } from './browser/environment';

setEnvironment(browserEnvironment());

export * from './public-api';
