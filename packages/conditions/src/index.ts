export * from './conditions.js'
export { fromLegacyCode, type LegacyCode, legacyCodes } from './legacy.js'
