// @clickstream/simulator — programmatic API. The CLI (dist/main.js) is a thin wrapper around it.

export { seededRandom, type Random } from './random';
export {
  ConfigError,
  SESSION_TIMEOUT_MS,
  applyConfigDocument,
  defaultConfig,
  loadConfigFile,
  parseConfigText,
  parseDuration,
  parseSite,
  parseStart,
  type ButtonConfig,
  type CampaignConfig,
  type PageConfig,
  type ProductConfig,
  type ReferrerConfig,
  type SimulationConfig,
} from './config';
export { BOT_USER_AGENTS, USER_AGENTS } from './catalog';
export { MALFORMED_KINDS, createGenerator, generateEvents, type EventGenerator, type GeneratedEvent, type MalformedKind, type SimEvent, type Visitor } from './generator';
export { IngestRefusedError, IngestUnreachableError, createSender, retryAfterMs, type BatchOutcome, type Sender, type SenderOptions } from './sender';
export { SimulationError, runSimulation, type Progress, type RunHooks, type RunOptions, type Summary } from './run';
export { USAGE, parseCli, runCli, type CliIo, type CliSettings } from './cli';
