import { errors } from '@xmpp-errors/middleware'
import { connectComponent, stopAll } from '@xmpp-errors/throwaway-clients'
import type { ServerInfo } from '@xmpp-errors/throwaway-servers'
import { NS, noopLogger, routes } from './inprocess.js'

// P3's two components, in a process of their own so that their CPU time is theirs alone: the
// first answers via errors() + throw, the second with the <error/> built by hand. The parent
// asks for this process's CPU time ('cpu') around each round, and ends it with 'stop'.

export interface ComponentsArgs {
  server: ServerInfo
  domains: readonly [string, string]
}

const { server, domains } = JSON.parse(process.argv[2] ?? '{}') as ComponentsArgs
const [throwing, handBuilt] = domains
await connectComponent(
  server,
  throwing,
  (c) => {
    c.middleware.use(errors({ logger: noopLogger }))
    c.iqCallee.get(NS, 'query', routes.throw)
  },
  { reconnect: false },
)
await connectComponent(
  server,
  handBuilt,
  (c) => {
    c.iqCallee.get(NS, 'query', routes['hand-built'])
  },
  { reconnect: false },
)
process.on('message', (message) => {
  if (message === 'cpu') process.send?.({ cpu: process.cpuUsage() })
  if (message === 'stop') stopAll().finally(() => process.exit(0))
})
process.send?.({ ready: true })
