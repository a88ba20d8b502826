export { isStanzaError, isStreamError, isXmppError } from './brand.js'
export type { XmlElement } from './element.js'
export { isSeeOtherHost } from './host.js'
export {
  StanzaError,
  type StanzaErrorBaseOptions,
  type StanzaErrorOptions,
} from './stanza-error.js'
export {
  StreamError,
  type StreamErrorBaseOptions,
  type StreamErrorOptions,
} from './stream-error.js'
export { errorText, MAX_ADDRESS_LENGTH, MAX_TEXT_LENGTH, sanitizeXmlText } from './text.js'
export { type BuildElement, xmlLike } from './xml-like.js'
