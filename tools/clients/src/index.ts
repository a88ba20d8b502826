export * from './clients.js'
