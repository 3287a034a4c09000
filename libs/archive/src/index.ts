// @clickstream/archive — the raw event archive on S3: key layout, NDJSON.gz writer and reader, listing.
export { parseRawObjectKey, rawObjectKey, rawPrefix, type RawObjectRef } from './object-key';
export { createS3Client, type ArchiveConfig, type S3ClientOptions } from './s3-client';
export { isRetriableS3Error } from './errors';
export { assertNdjsonLine, gzipNdjson, splitNdjsonLines, type NdjsonLine } from './ndjson-gzip';
export { NDJSON_GZIP_CONTENT_TYPE, type ObjectWriter, type ObjectWriterOptions, type PutObjectResult } from './object-writer';
export { createRawArchive, RawArchive, utcDays, type ArchiveObject, type ListOptions, type RawArchiveOptions } from './raw-archive';
