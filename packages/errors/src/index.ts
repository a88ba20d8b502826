export {
  type Catalogue,
  type CatalogueErrorOptions,
  catalogueMarkdown,
  defineErrors,
  type ErrorDefinition,
  type ErrorFactory,
  type TemplateParams,
} from './catalogue.js'
export {
  attribute,
  childElements,
  localName,
  namespaceOf,
  textOf,
  type XmlElement,
} from './element.js'
export { isStanzaError, isStreamError, isXmppError } from './guards.js'
export { isSeeOtherHost } from './host.js'
export {
  type ReadLanguageOptions,
  StanzaError,
  type StanzaErrorBaseOptions,
  type StanzaErrorOptions,
  type ToElementOptions,
} from './stanza-error.js'
export {
  StreamError,
  type StreamErrorBaseOptions,
  type StreamErrorOptions,
} from './stream-error.js'
export {
  cutAt,
  errorText,
  isLanguageTag,
  lookupLanguage,
  MAX_ADDRESS_LENGTH,
  MAX_LANGUAGES,
  MAX_TEXT_LENGTH,
  sanitizeXmlText,
  type Texts,
} from './text.js'
export { type BuildElement, xmlLike } from './xml-like.js'
