import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

// What the packages weigh in a web app: each bundled for a browser with esbuild, minified, then
// gzipped, as a bundler would ship it. The same build is the repository's check that they use no
// Node.js built-in (esbuild refuses `node:*` for the browser platform).

/** Errors plus conditions, minified and gzipped, at most this many bytes. */
export const BROWSER_BUDGET = 10 * 1024

/** Packages measured, with what each bundle exports. */
export const BROWSER_BUNDLES = {
  conditions: "export * from '@xmpp-errors/conditions'",
  errors: "export * from '@xmpp-errors/errors'",
  xep: "export * from '@xmpp-errors/xep'",
  middleware: "export * from '@xmpp-errors/middleware'",
} as const

export interface BrowserBundle {
  /** The minified bundle. */
  code: string
  bytes: number
  gzipBytes: number
  /** Every file the bundle was built from, relative to the bench dir. */
  inputs: string[]
}

/**
 * `source` (an ES module importing the packages) bundled by esbuild for the browser platform:
 * the packages' `browser` export conditions apply, and a Node.js built-in is a build error.
 * `external` leaves packages out of the bundle (their size is theirs, not ours).
 */
export async function browserBundle(
  source: string,
  external: readonly string[] = [],
): Promise<BrowserBundle> {
  const result = await build({
    stdin: { contents: source, resolveDir: fileURLToPath(new URL('..', import.meta.url)) },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    external: [...external],
    metafile: true,
    write: false,
    logLevel: 'silent',
  })
  const code = result.outputFiles[0]?.text ?? ''
  return {
    code,
    bytes: Buffer.byteLength(code),
    gzipBytes: gzipSync(code, { level: 9 }).length,
    inputs: Object.keys(result.metafile.inputs),
  }
}

/** The size table the bench prints: each package, with and without xmpp.js's XML under it. */
export async function bundleSizes(): Promise<string> {
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`
  const rows = [
    '| bundle | minified | min+gzip | min+gzip without @xmpp/xml |',
    '| --- | --- | --- | --- |',
  ]
  for (const [name, source] of Object.entries(BROWSER_BUNDLES)) {
    const [whole, own] = await Promise.all([
      browserBundle(source),
      browserBundle(source, ['@xmpp/xml', '@xmpp/jid']),
    ])
    rows.push(`| ${name} | ${kb(whole.bytes)} | ${kb(whole.gzipBytes)} | ${kb(own.gzipBytes)} |`)
  }
  return rows.join('\n')
}
