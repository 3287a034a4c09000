// The launcher's building blocks, for tools that run the embedded stack their own way (tools/faults
// kills and restarts its components one at a time). `npm start` runs dist/main.js.
export { appEnv, s3Env, type AppName, type S3Settings, type StackWiring } from './env';
export { httpAnswers, httpOk, kafkaApiVersions, portInUse, postgresSelect1, waitUntil } from './health';
export { DEFAULT_PORTS, PORT_NAMES, type PortName, type Ports } from './options';
export { POSTGRES_CHILD_SCRIPT, postgresChildArgs, postgresUrl } from './postgres';
export { ManagedProcess, type Output } from './supervisor';
