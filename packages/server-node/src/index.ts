/**
 * `@tsgi/server-node`: the Node.js server lifecycle the TSGI adapters build on (issue 17, "one
 * engine, thin adapters"). `@tsgi/node`, `@tsgi/fastcgi` and the `tsgi` CLI listen, replace
 * stale unix sockets, shut down, handle signals and load applications through it, so each
 * adapter only turns a request into `environ` and sends the response.
 *
 * ```ts
 * import { GracefulShutdown, handleShutdownSignals, listen, listenUrl } from '@tsgi/server-node';
 * const address = await listen(server, { kind: 'unix', path: '/run/app.sock', socketMode: 0o660 });
 * ```
 * @module
 */
export {
  APP_EXPORTS,
  AppLoadError,
  type AppSpec,
  describeExports,
  loadFailure,
  type NodeRequestListener,
  nodeHandlerOf,
  pickApplication,
  splitAppSpec,
} from './app-export.js';
export {
  describeInFlight,
  GatewayLifecycle,
  type GatewayServerOptions,
  type InFlightRequest,
  inFlightTarget,
} from './gateway.js';
export {
  type GatewayAppHost,
  gatewayEnviron,
  gatewayInput,
  runGatewayRequest,
} from './gateway-request.js';
export {
  type GatewayConnection,
  GatewayServer,
  type GatewaySetup,
  logToStderr,
} from './gateway-server.js';
export { GatewaySink, type GatewaySinkOwner, type WaitSettle } from './gateway-sink.js';
export { nativeLatin1 } from './latin1.js';
export {
  DEFAULT_HOST,
  isInheritedSocket,
  type ListenAddress,
  type ListenOptions,
  type ListenTarget,
  listen,
  listenTarget,
  listenUrl,
  SD_LISTEN_FDS_START,
  systemdListenFd,
  urlHost,
} from './listen.js';
export {
  type FetchHandler,
  type LoadAppOptions,
  loadApp,
  resolveAppModule,
} from './load-app.js';
export { type LifecycleOptions, positiveOption } from './options.js';
export { PendingRuns } from './pending-runs.js';
export {
  ABORT_GRACE,
  DEFAULT_SHUTDOWN_TIMEOUT,
  GracefulShutdown,
  type PendingWork,
  type ShutdownTransport,
} from './shutdown.js';
export {
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
  exitCodeForSignal,
  handleShutdownSignals,
  SHUTDOWN_SIGNALS,
  type SignalOptions,
  serverSignals,
  signalsOption,
} from './signals.js';
export {
  addressInUseError,
  applySocketOptions,
  clearStaleSocket,
  parseSocketMode,
  probeUnixSocket,
  resolveId,
  type SocketProbe,
  type UnixSocketOptions,
} from './unix-socket.js';
