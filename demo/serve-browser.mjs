// A tiny static server for the browser demo: the page, the script-tag build from dist/, TF.js from
// node_modules, and a config script pointing the page at the local Polyaxon server.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Only these files are served: nothing else of the disk is reachable. */
const FILES = {
  '/': ['demo/browser/index.html', 'text/html'],
  '/app.mjs': ['demo/browser/app.mjs', 'text/javascript'],
  '/model.mjs': ['demo/model.mjs', 'text/javascript'],
  '/polyaxon-tracking.iife.min.js': ['dist/polyaxon-tracking.iife.min.js', 'text/javascript'],
  '/tf.min.js': ['node_modules/@tensorflow/tfjs/dist/tf.min.js', 'text/javascript'],
};

export async function serveBrowserDemo({ server, project, port = 0 }) {
  const config = `window.POLYAXON_ENV = ${JSON.stringify({
    POLYAXON_API_HOST: server.host,
    POLYAXON_HTTP_PORT: String(server.port),
    POLYAXON_SECRET_USER_TOKEN: server.token,
  })};\nwindow.DEMO = ${JSON.stringify({ project, dashboard: `${server.url}/` })};\n`;
  const http = createServer(async (request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path === '/config.js') return send(response, 200, 'text/javascript', config);
    const file = FILES[path];
    if (!file) return send(response, 404, 'text/plain', 'not found');
    try {
      send(response, 200, file[1], await readFile(root + file[0]));
    } catch {
      send(response, 500, 'text/plain', `missing ${file[0]}: run npm run build`);
    }
  });
  await new Promise((resolve) => http.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${http.address().port}/`,
    close: () => new Promise((resolve) => http.close(resolve)),
  };
}

function send(response, status, type, body) {
  response.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' });
  response.end(body);
}
