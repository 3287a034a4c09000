// Public API of @clickstream/runtime: the plumbing every Clickstream app is built on.
export * from './config';
export * from './logger';
export * from './metrics';
export * from './health';
export * from './ops-server';
export * from './shutdown';
export * from './cli';
export * from './until-done';
export * from './http-error';
