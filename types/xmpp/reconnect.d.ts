declare module '@xmpp/reconnect' {
  /** The plugin that client() and component() attach as `reconnect`. */
  export interface Reconnect {
    /** Milliseconds between a lost connection and the next attempt. */
    delay: number
    /** Stops reconnecting for good. */
    stop(): void
    on(event: 'reconnecting' | 'reconnected', listener: () => void): this
  }
}
