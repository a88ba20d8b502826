// Bundles src/app.js and what it imports into dist/app.js, one file the page loads:
//   node build.js
// A browser cannot resolve `@xmpp/client`'s bare imports (some thirty packages) without an import
// map listing each one; esbuild turns the graph into one module, taking the packages' `browser`
// entries (the middleware's guard() that says it needs Node.js), with no config of its own.
import { build } from 'esbuild'

export const outfile = new URL('dist/app.js', import.meta.url).pathname

// @xmpp/resolve 0.14's `browser` field leaves out its DNS lookup as `./lib/dns`, but it imports
// `./lib/dns.js`, so a bundler follows it into `node:dns`. The page gives its service URL, which
// xmpp.js then uses without a lookup: an empty module stands in for node:dns.
const noDns = {
  name: 'no-dns',
  setup(build) {
    build.onResolve({ filter: /^node:dns$/ }, () => ({ path: 'node:dns', namespace: 'no-dns' }))
    build.onLoad({ filter: /.*/, namespace: 'no-dns' }, () => ({ contents: 'export default {}' }))
  },
}

export function buildPage() {
  return build({
    entryPoints: [new URL('src/app.js', import.meta.url).pathname],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    outfile,
    plugins: [noDns],
    logLevel: 'warning',
  })
}

if (import.meta.url === `file://${process.argv[1]}`) await buildPage()
