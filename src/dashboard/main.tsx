import { render } from 'preact';
import { adoptTokenFromFragment } from './api/token';
import { App } from './app';

// Before anything reads the address bar or sends a request.
adoptTokenFromFragment();
const root = document.getElementById('app');
if (root) {
  root.replaceChildren();
  render(<App />, root);
}
