import { render } from 'preact';
import { startEarly } from './api/early';
import { adoptTokenFromFragment } from './api/token';
import { App } from './app';

// Before anything reads the address bar or sends a request.
adoptTokenFromFragment();
startEarly(location.search);
const root = document.getElementById('app');
if (root) {
  root.replaceChildren();
  render(<App />, root);
}
