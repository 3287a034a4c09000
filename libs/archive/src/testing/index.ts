// Test support for projects that need a real S3: S3_ENDPOINT (MinIO, AWS) or s3rver in process.
// Not for production code.
export { startTestS3, usesExternalS3, type StartTestS3Options, type TestS3 } from './test-s3';
