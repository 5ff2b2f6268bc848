import { describe, expect, it } from 'vitest';
import { detectNotebook, pageNotebookProbe } from '../../src/browser/notebook';
import { collectBrowserRunEnv } from '../../src/browser/run-env';
import { CLIENT_VERSION } from '../../src/runtime/version';

/** A WebGL context double exposing the debug-renderer extension, recording loseContext. */
function fakeWebgl(lost: string[]) {
  return {
    VENDOR: 1,
    RENDERER: 2,
    VERSION: 3,
    getExtension(name: string) {
      if (name === 'WEBGL_debug_renderer_info') return { UNMASKED_VENDOR_WEBGL: 10, UNMASKED_RENDERER_WEBGL: 11 };
      if (name === 'WEBGL_lose_context') return { loseContext: () => lost.push('lost') };
      return null;
    },
    getParameter(code: number) {
      return ({ 1: 'WebKit', 2: 'WebKit WebGL', 3: 'WebGL 1.0', 10: 'Google Inc. (Google)', 11: 'ANGLE (SwiftShader)' } as Record<number, string>)[code];
    },
  };
}

function fakeWindow(overrides: Record<string, unknown> = {}) {
  const lost: string[] = [];
  const scope: Record<string, unknown> = {
    location: { href: 'https://user:secret@lab.example.org/train/page.html?token=abc#cell-3', hostname: 'lab.example.org', protocol: 'https:' },
    navigator: {
      userAgent: 'Mozilla/5.0 Test',
      language: 'en-GB',
      languages: ['en-GB', 'en'],
      hardwareConcurrency: 8,
      deviceMemory: 4,
      onLine: true,
      platform: 'Linux x86_64',
      userAgentData: {
        brands: [{ brand: 'Chromium', version: '156' }],
        mobile: false,
        platform: 'Linux',
        getHighEntropyValues: async () => ({ architecture: 'x86', bitness: '64', platformVersion: '6.1', model: '', fullVersionList: [{ brand: 'Chromium', version: '156.0.1' }] }),
      },
      gpu: { requestAdapter: async () => ({ info: { vendor: 'google', architecture: 'swiftshader', device: '', description: 'SwiftShader' } }) },
    },
    screen: { width: 1920, height: 1080, colorDepth: 24 },
    devicePixelRatio: 2,
    OffscreenCanvas: class {
      getContext(kind: string) {
        return kind === 'webgl' ? fakeWebgl(lost) : null;
      }
    },
    tf: { version: { tfjs: '4.22.0' }, getBackend: () => 'cpu' },
    ...overrides,
  };
  return { scope, lost };
}

describe('browser run env', () => {
  it('describes the browser, the GPU and TF.js, and frees its WebGL context', async () => {
    const { scope, lost } = fakeWindow();
    const env = await collectBrowserRunEnv({ probeWebGpuAdapter: true }, scope);
    expect(env).toMatchObject({
      runtime: 'browser',
      context: 'window',
      client_version: CLIENT_VERSION,
      is_notebook: false,
      os: 'Linux',
      user_agent: 'Mozilla/5.0 Test',
      language: 'en-GB',
      languages: ['en-GB', 'en'],
      hardware_concurrency: 8,
      device_memory_gb: 4,
      online: true,
      screen: { width: 1920, height: 1080, device_pixel_ratio: 2, color_depth: 24 },
      webgl: { vendor: 'Google Inc. (Google)', renderer: 'ANGLE (SwiftShader)', version: 'WebGL 1.0' },
      webgpu: { available: true, vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader' },
      tfjs_version: '4.22.0',
      tfjs_backend: 'cpu',
      ua_hints: { platform: 'Linux', mobile: false, brands: ['Chromium 156'], architecture: 'x86', bitness: '64', platform_version: '6.1', full_versions: ['Chromium 156.0.1'] },
    });
    expect(lost).toEqual(['lost']);
  });

  it('asks for no WebGPU adapter unless told to (Chromium prints "No available adapters."): only whether the API exists', async () => {
    const { scope } = fakeWindow();
    let asked = 0;
    (scope.navigator as Record<string, any>).gpu.requestAdapter = async () => {
      asked += 1;
      return null;
    };
    const env = await collectBrowserRunEnv({}, scope);
    expect(asked).toBe(0);
    expect(env.webgpu).toEqual({ api: true });
  });

  it('reports the page URL without query, hash or credentials', async () => {
    const env = await collectBrowserRunEnv({}, fakeWindow().scope);
    expect(env.page_url).toBe('https://lab.example.org/train/page.html');
    expect(JSON.stringify(env)).not.toMatch(/secret|abc|cell-3/);
  });

  it('takes TF.js from the option when the page has no global tf', async () => {
    const { scope } = fakeWindow({ tf: undefined });
    const env = await collectBrowserRunEnv({ tf: { version: { tfjs: '4.1.0' }, getBackend: () => 'webgl' } }, scope);
    expect(env).toMatchObject({ tfjs_version: '4.1.0', tfjs_backend: 'webgl' });
  });

  it('never waits longer than the probe timeout for hints or the GPU adapter', async () => {
    const never = () => new Promise(() => {});
    const { scope } = fakeWindow();
    const navigator = scope.navigator as Record<string, any>;
    navigator.userAgentData.getHighEntropyValues = never;
    navigator.gpu.requestAdapter = never;
    const started = Date.now();
    const env = await collectBrowserRunEnv({ probeTimeoutMs: 50, probeWebGpuAdapter: true }, scope);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(env.ua_hints).toEqual({ platform: 'Linux', mobile: false, brands: ['Chromium 156'] });
    expect(env.webgpu).toBeUndefined();
  });

  it('leaves out whatever throws, and never throws itself', async () => {
    const exploding = () => {
      throw new Error('blocked');
    };
    const navigator = new Proxy({}, { get: (_target, name) => (name === 'userAgent' ? 'UA' : exploding()) });
    const scope = {
      navigator,
      location: { get href(): string { return exploding(); } },
      OffscreenCanvas: exploding,
      tf: { version: { tfjs: '4.22.0' }, getBackend: exploding },
    };
    const env = await collectBrowserRunEnv({}, scope as never).catch((error) => ({ threw: String(error) }));
    expect(env).not.toHaveProperty('threw');
    expect(env).toMatchObject({ runtime: 'browser', client_version: CLIENT_VERSION, tfjs_version: '4.22.0' });
    expect(env).not.toHaveProperty('webgl');
    expect(env).not.toHaveProperty('tfjs_backend');
  });

  it('in a Worker scope reports the worker URL, without screen or WebGL canvas from a document', async () => {
    class WorkerGlobalScope {}
    const scope = Object.assign(new WorkerGlobalScope(), {
      WorkerGlobalScope,
      location: { href: 'http://127.0.0.1:8080/worker.js?x=1', hostname: '127.0.0.1', protocol: 'http:' },
      navigator: { userAgent: 'UA', hardwareConcurrency: 2 },
    });
    const env = await collectBrowserRunEnv({}, scope as never);
    expect(env).toMatchObject({ context: 'worker', worker_url: 'http://127.0.0.1:8080/worker.js', is_notebook: false });
    expect(env).not.toHaveProperty('page_url');
    expect(env).not.toHaveProperty('screen');
  });

  it('redacts secret-looking values that reach the run env', async () => {
    const { scope } = fakeWindow();
    (scope.navigator as Record<string, unknown>).userAgent = 'Bot/1.0 token=ghp_abcdefghijklmnopqrstuvwxyz0123';
    const env = await collectBrowserRunEnv({}, scope);
    expect(JSON.stringify(env)).not.toContain('ghp_abcdefghijklmnopqrstuvwxyz0123');
  });
});

describe('notebook detection', () => {
  const probe = (hostname: string, globals: string[] = [], elements: string[] = [], protocol = 'https:') => ({
    hostname,
    protocol,
    hasGlobal: (name: string) => globals.includes(name),
    hasElement: (id: string) => elements.includes(id),
  });

  it.each([
    ['colab page', probe('colab.research.google.com'), 'colab'],
    ['colab output frame', probe('abc-dot-colab.googleusercontent.com', ['google.colab']), 'colab'],
    ['googleusercontent without colab', probe('x.googleusercontent.com'), null],
    ['kaggle', probe('www.kaggle.com'), 'kaggle'],
    ['vscode webview', probe('abc', [], [], 'vscode-webview:'), 'vscode'],
    ['classic jupyter', probe('localhost', ['Jupyter']), 'jupyter'],
    ['jupyterlab', probe('localhost', [], ['jupyter-config-data']), 'jupyter'],
    ['observable', probe('user.static.observableusercontent.com'), 'observable'],
    ['plain page', probe('example.org'), null],
    ['lookalike domain', probe('notkaggle.com'), null],
  ])('%s', (_name, given, expected) => {
    expect(detectNotebook(given)).toBe(expected);
  });

  it('reads real globals and elements through guarded lookups', async () => {
    const scope = {
      location: { hostname: 'localhost', protocol: 'http:' },
      document: { getElementById: (id: string) => (id === 'jupyter-config-data' ? {} : null) },
    };
    expect(detectNotebook(pageNotebookProbe(scope))).toBe('jupyter');
    expect(detectNotebook(pageNotebookProbe({}))).toBeNull();
    const env = await collectBrowserRunEnv({}, scope as never);
    expect(env).toMatchObject({ is_notebook: true, notebook_kind: 'jupyter' });
  });
});
