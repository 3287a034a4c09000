// What other projects (tools/bench, tools/stack) build the web server from in-process.
export { buildServer, type WebDeps } from './app';
export { createAnalystStore, type Analyst, type AnalystStore } from './auth/analyst-store';
export { createLiveFeed, type LiveFeed } from './live/live-feed';
export { createPipelineStatus } from './pipeline/pipeline-status';
