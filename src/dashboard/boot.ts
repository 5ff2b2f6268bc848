import { startPage } from './api/early';

/**
 * The page's script (index.html names only this one): it takes the token and sends the first
 * requests, then starts the app, which index.html has the browser fetch beforehand
 * (`modulepreload`). Run from the page itself, the app (Preact, uPlot, the views) was read and
 * started before the first request went out; now the runs are on their way meanwhile.
 */
startPage();
void import('./main');
