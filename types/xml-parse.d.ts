// @types/xmpp__xml declares the package's entry point only; the tests and @xmpp-errors/testing
// also parse with the function xmpp.js reads the wire with.
declare module '@xmpp/xml/lib/parse.js' {
  import type { Element } from '@xmpp/xml'

  /** The one root element of `data`, null for no input. */
  export default function parse(data: string): Element | null
}
