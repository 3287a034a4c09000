// Unit tests of the retry-or-give-up sorting of S3 failures.
import { isRetriableS3Error } from './errors';

const s3Error = (name: string, status: number, extra: object = {}) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status }, ...extra });

describe('isRetriableS3Error', () => {
  it('retries network failures, timeouts, 5xx and throttling', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']) expect(isRetriableS3Error(Object.assign(new Error(code), { code }))).toBe(true);
    expect(isRetriableS3Error(Object.assign(new Error('t'), { name: 'TimeoutError' }))).toBe(true);
    expect(isRetriableS3Error(s3Error('InternalError', 500))).toBe(true);
    expect(isRetriableS3Error(s3Error('ServiceUnavailable', 503))).toBe(true);
    expect(isRetriableS3Error(s3Error('SlowDown', 503))).toBe(true);
    expect(isRetriableS3Error(s3Error('TooManyRequests', 429))).toBe(true);
    expect(isRetriableS3Error(s3Error('RequestTimeout', 400))).toBe(true);
    expect(isRetriableS3Error(s3Error('Whatever', 400, { $retryable: { throttling: true } }))).toBe(true);
    expect(isRetriableS3Error(new Error('wrapped', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) }))).toBe(true);
    expect(isRetriableS3Error(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]))).toBe(true);
  });

  it('gives up on 4xx, aborts and plain errors', () => {
    for (const [name, status] of [['NoSuchBucket', 404], ['AccessDenied', 403], ['InvalidAccessKeyId', 403], ['NoSuchKey', 404], ['InvalidBucketName', 400]] as const) {
      expect(isRetriableS3Error(s3Error(name, status))).toBe(false);
    }
    expect(isRetriableS3Error(Object.assign(new Error('aborted'), { name: 'AbortError' }))).toBe(false);
    expect(isRetriableS3Error(new TypeError('bad line'))).toBe(false);
    expect(isRetriableS3Error(undefined)).toBe(false);
    expect(isRetriableS3Error('ECONNREFUSED')).toBe(false);
  });

  it('reads the code from the message when the SDK wrapped an error from another realm (Jest)', () => {
    const wrapped = Object.assign(new Error('AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:9000'), { $metadata: { attempts: 2 } });
    expect(isRetriableS3Error(wrapped)).toBe(true);
    expect(isRetriableS3Error(new Error('AWS SDK error wrapper for Error: socket hang up'))).toBe(true);
  });
});
