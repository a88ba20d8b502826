export * from './process.js'
export * from './prosody.js'
