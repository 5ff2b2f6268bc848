import { render } from 'preact';
import { startPage } from './api/early';
import { App } from './app';

// Usually done already by boot.ts; this covers the app running first.
startPage();
const root = document.getElementById('app');
if (root) {
  root.replaceChildren();
  render(<App />, root);
}
