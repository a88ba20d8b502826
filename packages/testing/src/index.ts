export type { ConnectionScript, Script, ScriptedStreamError } from './behaviours.js'
export { type ClientOptions, testClient, testComponent } from './create.js'
export {
  attach,
  type DrivableEntity,
  describeExchange,
  type Exchange,
  type Setup,
  type SetupTools,
  type StreamClose,
  type TestEntity,
  type TestEntityOptions,
} from './entity.js'
export {
  get,
  isErrorRecord,
  type LogEntry,
  type RecordedLevel,
  type RecordingLogger,
  recordingLogger,
} from './logger.js'
export {
  type ErrorReplyExpectation,
  matchers,
  type RecordExpectation,
  type StreamCloseExpectation,
  type TestingMatchers,
} from './matchers.js'
export { assertWellFormed, illegalXmlChar, parseStrict, saxesError } from './xml-checks.js'
