export {
  type AllowedType,
  type ErrorType,
  NS_STANZAS,
  NS_STREAM,
  NS_STREAMS,
  type StanzaCondition,
  type StreamCondition,
} from '@xmpp-errors/conditions'
export {
  catalogueMarkdown,
  defineErrors,
  isStanzaError,
  isStreamError,
  isXmppError,
  lookupLanguage,
  type ReadLanguageOptions,
  StanzaError,
  type StanzaErrorOptions,
  StreamError,
  type StreamErrorOptions,
  type XmlElement,
} from '@xmpp-errors/errors'
export { MAX_RECORD_LINE, MAX_RECORDED_LENGTH } from './cap.js'
export {
  type AfterServerStreamError,
  type BackoffOptions,
  defaultBackoff,
  type ServerStreamErrorRule,
  serverStreamErrors,
} from './connection-policy.js'
export type { CorrelationId } from './correlation.js'
export type { DropReason, ReplyTo } from './decide.js'
export { type GuardableEntity, type GuardOptions, guard } from './guard.js'
export { streamErrorLevels } from './levels.js'
export { consoleLogger, MAX_PENDING_STDERR, stderrLogger } from './logger.js'
export { type ErrorsMiddleware, type ErrorsOptions, errors } from './middleware.js'
export type { MapError, XmppError } from './normalize.js'
export {
  defaultOutgoing,
  OutgoingLimitError,
  type OutgoingOptions,
  type Refusal,
} from './outgoing.js'
export type { RateLimitCounts, RateLimitOptions } from './rate-limit.js'
export type { ErrorRecord, Level, StanzaSummary } from './record.js'
export { type EchoOptions, MAX_DEFAULT_BY_LENGTH } from './reply.js'
export type { ReportingOptions } from './reporting.js'
export type { AfterStreamError } from './stream.js'
export type { Address, Context, Logger, Middleware, Next, XmppEntity } from './types.js'
export type { Upstream, UpstreamPolicy } from './upstream.js'
