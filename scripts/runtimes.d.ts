/** One Vitest run: what it is, in the README's words, and its arguments. */
export interface RuntimeRun {
  what: string
  args: string[]
}
/** The Node.js versions `pnpm test` also runs on, each with its runs. */
export const RUNTIMES: ReadonlyArray<{ node: string; runs: RuntimeRun[] }>
