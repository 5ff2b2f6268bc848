/**
 * What `serve` prints. On a terminal, for the person there: the dashboard link with the token in
 * its fragment (a browser never sends a fragment, so it reaches no server log or Referer; the page
 * moves it to session storage) and the line that hands the token to a shell. Output that is not a
 * terminal often ends up in log files, so there the token itself is never printed (F40), only
 * where it is. One write, so a reader sees the address and the way in together.
 */
export function startBanner(server: {
  url: string;
  username: string;
  token: string;
  /** Where a generated or saved token is; null when the user gave it. */
  tokenFile: string | null;
  noAuth: boolean;
  dataDir: string;
  interactive: boolean;
}): string {
  const { url, username, token, tokenFile, noAuth, dataDir, interactive } = server;
  let lines: string[];
  if (noAuth) {
    lines = [`polyaxon-tracking server: ${url}/ (API ${url}/api/v1/)`, 'authentication: off (--no-auth); the dashboard is served to this machine only'];
  } else if (interactive) {
    lines = [`polyaxon-tracking server: ${url}/#token=${token}`, `export POLYAXON_SECRET_USER_TOKEN=${token}`, `user: ${username}  API: ${url}/api/v1/`];
  } else {
    lines = [`polyaxon-tracking server: ${url}/ (API ${url}/api/v1/)`, `user: ${username}  token: ${tokenFile ? `in ${tokenFile}` : 'the one given'}`];
  }
  lines.push(`data: ${dataDir}`);
  return `${lines.join('\n')}\n`;
}
