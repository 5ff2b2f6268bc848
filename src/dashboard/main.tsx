import { render } from 'preact';
import { App } from './app';

// Started by boot.ts, once the token is taken and the first requests are on their way.
const root = document.getElementById('app');
if (root) {
  root.replaceChildren();
  render(<App />, root);
}
