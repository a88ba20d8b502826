// The entry a bundler takes for a browser (the `browser` condition of package.json's `exports`):
// everything the Node.js entry has, with a guard() that says at once that it needs Node.js.
// guard() works on the component's TCP socket (its write queue, pause and drain) and on byte
// counts, which a WebSocket in a browser does not have.
import type { guard as nodeGuard } from './guard.js'

export * from './index.js'

/** guard() needs Node.js: in a browser it throws at once, before touching the entity. */
export const guard: typeof nodeGuard = () => {
  throw new Error(
    'guard() needs Node.js (a component on a TCP socket); in a browser, use errors() alone',
  )
}
