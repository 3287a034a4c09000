// The headers every dead-lettered message carries: why it failed and where it came from.

export type FailureStage = 'ingest' | 'archiver' | 'live' | 'etl';

export interface DeadLetterReason {
  stage: FailureStage;
  code: string;
  message: string;
  source?: { topic: string; partition: number; offset: string };
  failedAt: Date;
}

const MAX_MESSAGE = 1000;

export function deadLetterHeaders(reason: DeadLetterReason): Record<string, string> {
  const headers: Record<string, string> = {
    'error-stage': reason.stage,
    'error-code': reason.code,
    'error-message': reason.message.length > MAX_MESSAGE ? reason.message.slice(0, MAX_MESSAGE - 1) + '…' : reason.message,
    'failed-at': reason.failedAt.toISOString(),
  };
  if (reason.source) {
    headers['source-topic'] = reason.source.topic;
    headers['source-partition'] = String(reason.source.partition);
    headers['source-offset'] = reason.source.offset;
  }
  return headers;
}

/** Reads the headers back (values as kafkajs delivers them: Buffer, string or undefined). */
export function readDeadLetterHeaders(headers: Record<string, Buffer | string | undefined | Array<Buffer | string>>): Partial<Record<string, string>> {
  const out: Partial<Record<string, string>> = {};
  for (const [key, value] of Object.entries(headers)) {
    const v = Array.isArray(value) ? value[value.length - 1] : value;
    if (v !== undefined) out[key] = v.toString();
  }
  return out;
}
