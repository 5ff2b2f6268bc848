import * as z from 'zod';
import type { Accounts } from '../auth';
import { badRequest, json } from '../http';
import type { Route } from '../router';
import { userBody } from '../serialize';
import { bodyObject, parseOrRefuse, text } from '../validation';

const loginBody = z.object({ username: text, password: text });

/**
 * `GET users/` (who am I) and `POST users/token/` (login). The local server keeps no passwords:
 * a user's password is their token, so `login(username, token)` from a Polyaxon client works.
 */
export function userRoutes(accounts: Accounts): Route[] {
  return [
    {
      method: 'GET',
      path: 'users',
      mutates: false,
      handle: ({ user }) => json(200, userBody(user)),
    },
    {
      method: 'POST',
      path: 'users/token',
      anonymous: true,
      mutates: false,
      // The Python client logs in with a form (`requests.post(data=...)`).
      formBody: true,
      handle: ({ body }) => {
        const { username, password } = parseOrRefuse(loginBody, bodyObject(body));
        const user = accounts.login(username, password);
        // DRF's ObtainAuthToken wording for bad credentials.
        if (!user) throw badRequest({ non_field_errors: ['Unable to log in with provided credentials.'] });
        return json(200, { token: user.token });
      },
    },
  ];
}
