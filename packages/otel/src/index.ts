export { eventAttributes, metricAttributes } from './attributes.js'
export {
  COUNTER_NAME,
  EVENT_NAME,
  METER_NAME,
  type OtelOnError,
  type OtelOptions,
  otel,
} from './otel.js'
