// The part of a pino logger (as made by @clickstream/runtime's createLogger) the warehouse writes to.
export interface WarehouseLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  debug?(obj: object, msg: string): void;
}
