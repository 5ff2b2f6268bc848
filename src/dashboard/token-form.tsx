import { useState } from 'preact/hooks';
import { saveToken } from './api/token';

/** Asked for when the API refuses the page: the token `serve` printed (kept in this tab's session storage only). */
export function TokenForm({ message, onSaved }: { message: string; onSaved(): void }) {
  const [token, setToken] = useState('');
  return (
    <div class="token-form">
      <h1>polyaxon-tracking</h1>
      <p>The server asks for a token ({message}). Open the link that <code>polyaxon-tracking serve</code> printed, or paste the token here.</p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (!token.trim()) return;
          saveToken(token);
          onSaved();
        }}
      >
        <input type="password" autoComplete="off" aria-label="token" placeholder="token" value={token} onInput={(event) => setToken((event.currentTarget as HTMLInputElement).value)} />
        <button type="submit" class="primary">open</button>
      </form>
    </div>
  );
}
