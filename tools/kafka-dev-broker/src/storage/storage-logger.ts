// The logging hook the storage layer reports recovery and background failures through.

/** Injected by the broker; storage code never reaches for a global logger. */
export type StorageLogger = (msg: string, fields: Record<string, unknown>) => void;

export const silentStorageLogger: StorageLogger = () => undefined;
