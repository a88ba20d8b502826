/** dist/app.js, the bundle the page loads. */
export const outfile: string
/** Bundles src/app.js into dist/app.js. */
export function buildPage(): Promise<unknown>
