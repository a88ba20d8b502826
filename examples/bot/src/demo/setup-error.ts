/**
 * The demo cannot run as set up: a DEMO_* variable, a login, the bot's start. Its message says
 * what to change, and the demo exits with 2 rather than 1 (an answer that differs).
 */
export class SetupError extends Error {
  override name = 'SetupError'
}
