/**
 * The one export of Next.js's `next/server` the README's App Router route uses, with the signature
 * Next documents (https://nextjs.org/docs/app/api-reference/functions/after), so the route
 * type-checks without installing Next. test/readme/readme-files.test.ts runs the route with a
 * recording `after` in its place.
 */
declare module 'next/server' {
  export function after<T>(task: Promise<T> | (() => T | Promise<T>)): void;
}
