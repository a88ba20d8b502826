import { expect } from 'vitest'
import { matchers, type TestingMatchers } from './matchers.js'

// `import '@xmpp-errors/testing/vitest'` in a test file or in `setupFiles`.
expect.extend(matchers)

declare module 'vitest' {
  // biome-ignore lint/suspicious/noExplicitAny: Vitest declares Matchers<T = any>; a merge must match it.
  interface Matchers<T = any> extends TestingMatchers<T> {}
}
