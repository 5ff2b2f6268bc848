import { startPage } from './api/early';

/**
 * The page's first script, a few hundred bytes loaded `async` (index.html): it takes the token and
 * sends the first requests as soon as it arrives, so that the runs are on their way while the
 * browser still reads and starts Preact, uPlot and the views. The app calls startPage too, in
 * case it runs first; the second call does nothing.
 */
startPage();
