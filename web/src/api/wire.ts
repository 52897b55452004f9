/**
 * The wire types of the API, read out of the types generated from the server's OpenAPI document
 * (web/src/api.generated.ts, `npm run gen:api`; docs/decisions/0013). A route that changes its
 * schema changes these types, and the browser no longer compiles against the old shape.
 */
import type { paths } from '../api.generated.js';

type Method = 'get' | 'post' | 'put' | 'delete';
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;

/** The JSON a route answers with the given status. */
export type Reply<P extends keyof paths, M extends Method, S extends number = 200> =
  Operation<P, M> extends {
    readonly responses: infer R;
  }
    ? S extends keyof R
      ? R[S] extends { content: { readonly 'application/json': infer T } }
        ? T
        : never
      : never
    : never;

/** The JSON body a route takes. */
export type RequestBody<P extends keyof paths, M extends Method> =
  Operation<P, M> extends {
    readonly requestBody?: infer B;
  }
    ? NonNullable<B> extends { readonly content: { readonly 'application/json': infer T } }
      ? T
      : never
    : never;

/** The items of a paged list's answer. */
export type ItemOf<P extends keyof paths> =
  Reply<P, 'get'> extends { readonly items: readonly (infer T)[] } ? T : never;

/** The query string a route takes. */
export type Query<P extends keyof paths, M extends Method> =
  Operation<P, M> extends {
    readonly parameters: { readonly query?: infer Q };
  }
    ? NonNullable<Q>
    : never;
