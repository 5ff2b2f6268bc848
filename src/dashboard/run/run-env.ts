import { formatValue } from '../ui/format';

type Env = Record<string, unknown>;

const text = (value: unknown): string | null => (typeof value === 'string' && value ? value : null);
const objectAt = (env: Env, key: string): Env | null => {
  const value = Object.hasOwn(env, key) ? env[key] : undefined;
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Env) : null;
};

/** Browser, GPU and TF.js of a run logged from a page (the library's browser run env), when present. */
export function runEnvSummary(env: Env): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  const agent = text(env.user_agent);
  const browser = agent ? /(Edg|Firefox|Chrome|Version)\/([\d.]+)/.exec(agent) : null;
  if (browser) rows.push(['browser', `${browser[1] === 'Version' ? 'Safari' : browser[1] === 'Edg' ? 'Edge' : browser[1]} ${browser[2]}`]);
  const webgpu = objectAt(env, 'webgpu');
  const webgl = objectAt(env, 'webgl');
  const gpu = text(webgpu?.description) ?? text(webgpu?.device) ?? text(webgl?.renderer);
  if (gpu) rows.push(['GPU', gpu]);
  const tfjs = text(env.tfjs_version);
  if (tfjs) rows.push(['TF.js', `${tfjs}${text(env.tfjs_backend) ? ` (${env.tfjs_backend})` : ''}`]);
  for (const key of ['runtime', 'context', 'os', 'node_version', 'python_version', 'hostname']) {
    const value = text(env[key]);
    if (value && Object.hasOwn(env, key)) rows.push([key, value]);
  }
  return rows;
}

/** Every entry, nested objects one level flattened (`webgl.renderer`), values as text. */
export function flattenEnv(env: Env): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(env)) {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [inner, innerValue] of Object.entries(value as Env)) rows.push([`${key}.${inner}`, formatValue(innerValue)]);
    } else rows.push([key, formatValue(value)]);
  }
  return rows;
}
