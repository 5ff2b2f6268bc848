import { ValidationError } from '../runtime/errors';
import type { HttpCaller } from './http';
import { tokenSchema, userSchema, type UserResponse } from '../wire/schemas';

export interface Credentials {
  username: string;
  password: string;
}

/** Who the token belongs to, and getting a token (Polyaxon's `AuthApi`). */
export class AuthApi {
  /** @internal Built by PolyaxonClient. */
  constructor(
    private readonly http: HttpCaller,
    private readonly useToken: (token: string) => void,
  ) {}

  async getUser(): Promise<UserResponse> {
    return this.http.call({ method: 'GET', path: ['users'] }, userSchema);
  }

  /** Exchanges credentials for a token (form-encoded, as the server's login view reads them) and uses it from now on. */
  async login(credentials: Credentials): Promise<string> {
    for (const field of ['username', 'password'] as const) {
      const value = credentials?.[field];
      if (typeof value !== 'string' || value.length === 0) throw new ValidationError(field, 'must be a non-empty string');
    }
    const form = { username: credentials.username, password: credentials.password };
    const { token } = await this.http.call({ method: 'POST', path: ['users', 'token'], form }, tokenSchema);
    this.useToken(token);
    return token;
  }
}
