/**
 * The API token. `serve` prints a link with the token in the fragment (`/#token=...`), which a
 * browser never sends to a server or in a Referer; the page moves it to session storage (gone when
 * the tab closes) and clears it from the address bar, history and any later screenshot.
 */
const TOKEN_KEY = 'polyaxon-tracking-token';

export function adoptTokenFromFragment(): void {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const token = fragment.get('token');
  if (token === null) return;
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  fragment.delete('token');
  const rest = fragment.toString();
  history.replaceState(history.state, '', `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`);
}

export function currentToken(): string {
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

export function saveToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token.trim());
}
