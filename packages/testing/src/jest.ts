import { matchers, type TestingMatchers } from './matchers.js'

// `import '@xmpp-errors/testing/jest'` in a test file or in `setupFilesAfterEnv`. Jest puts
// `expect` on the global object of each test file; nothing here imports Jest itself.
const { expect } = globalThis as { expect?: { extend(matchers: object): void } }
if (expect === undefined) {
  throw new Error('@xmpp-errors/testing/jest: no global expect; import it inside a Jest test run')
}
expect.extend(matchers)

declare global {
  namespace jest {
    interface Matchers<R> extends TestingMatchers<R> {}
  }
}
