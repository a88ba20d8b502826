export { eventAttributes, metricAttributes } from './attributes.js'
export {
  EVENT_NAME,
  HANDLED_ERRORS,
  HANDLED_STANZAS,
  METER_NAME,
  METER_VERSION,
  type OtelOnError,
  type OtelOptions,
  otel,
  RECEIVED_ERRORS,
} from './otel.js'
