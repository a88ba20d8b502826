import {
  attach,
  type DrivableEntity,
  type Setup,
  type TestEntity,
  type TestEntityOptions,
} from './entity.js'
import { recordingLogger } from './logger.js'

// The entities a test builds for itself: xmpp.js's own factories, with an address that no
// socket could reach, since the socket is in memory.

export interface ClientOptions extends TestEntityOptions {
  /** Default `tester`. */
  username?: string
  /** Default `test`. */
  resource?: string
}

/**
 * An `@xmpp/component` entity on a socket in memory, set up by `setup` (your errors(), guard(),
 * middleware and routes, as in production), online once the promise resolves.
 */
export async function testComponent<E = DrivableEntity>(
  setup: Setup<E>,
  options: TestEntityOptions = {},
): Promise<TestEntity<E>> {
  const { component } = await import('@xmpp/component')
  const domain = options.domain ?? 'component.example.org'
  const entity = component({ service: 'xmpp://in-memory:5347', domain, password: 'in-memory' })
  return setUp(entity, setup, { ...options, domain })
}

/** An `@xmpp/client` 0.14 entity (a c2s bot) on a socket in memory; as `testComponent`. */
export async function testClient<E = DrivableEntity>(
  setup: Setup<E>,
  options: ClientOptions = {},
): Promise<TestEntity<E>> {
  const { client, xml } = await import('@xmpp/client')
  const domain = options.domain ?? 'example.org'
  const entity = client({
    service: 'xmpp://in-memory:5222',
    domain,
    resource: options.resource ?? 'test',
    // @xmpp/client never picks PLAIN by itself on a connection without TLS. The user agent
    // matters only to SASL2 (XEP-0388), which a credentials function must pass.
    credentials: (authenticate) =>
      authenticate(
        { username: options.username ?? 'tester', password: 'in-memory' },
        'PLAIN',
        xml('user-agent', { id: 'in-memory' }),
      ),
  })
  return setUp(entity, setup, { ...options, domain })
}

async function setUp<E>(
  entity: unknown,
  setup: Setup<E>,
  options: TestEntityOptions,
): Promise<TestEntity<E>> {
  const logger = options.logger ?? recordingLogger()
  await setup(entity as E, { logger })
  const attached = await attach(entity as DrivableEntity, { ...options, logger })
  return attached as unknown as TestEntity<E>
}
