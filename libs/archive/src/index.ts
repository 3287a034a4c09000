// @clickstream/archive — the raw event archive on S3. The S3 reader/writer lands with the stream consumer.
export { parseRawObjectKey, rawObjectKey, rawPrefix, type RawObjectRef } from './object-key';
