export {
  type DomainBalancing,
  type EjabberdServer,
  ejabberdComponents,
  type StartEjabberdOptions,
  startEjabberd,
} from './ejabberd.js'
export {
  type ConnectionScript,
  type HostileConnection,
  type HostileServer,
  type HostileServerOptions,
  type ScriptedStreamError,
  startHostileServer,
  streamErrorXml,
} from './hostile.js'
export { ensureNode, nodeCacheDir } from './node.js'
export {
  DOMAIN,
  findExecutable,
  freePorts,
  HOST,
  type Launched,
  type ReadyOptions,
  type Supervisor,
  serverDir,
  spawnLogged,
  supervise,
  waitReady,
} from './process.js'
export {
  type EnsureProsodyOptions,
  ensureProsody,
  type LaunchedProsody,
  type LaunchProsodyOptions,
  launchProsody,
  PROSODY_INSTALL,
  type ProsodyAccount,
  type ProsodyExecutables,
  ProsodyMissing,
  prosodyComponents,
  type StartProsodyOptions,
  startProsody,
} from './prosody.js'
export {
  type ComponentListener,
  type ServerInfo,
  serverInfo,
  type XmppServer,
  type XmppUser,
} from './server.js'
export {
  DEBIAN_PYTHON,
  type EnsurePackagesOptions,
  ensureInstalled,
  ensurePackages,
  installCommand,
  type Machine,
  MissingPackages,
  SYSTEM_PACKAGES,
  type SystemPackage,
  type SystemPackageName,
} from './system-packages.js'
