// ApiVersions: the version ranges this broker speaks. A client that opens with a newer version
// than we know gets UNSUPPORTED_VERSION in a v0 body listing our ranges, and retries (KIP-511).

import type { ApiHandler } from '../context';
import { SUPPORTED_VERSIONS } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/error-codes';
import { Writer } from '../protocol/writer';

export const MAX_API_VERSIONS_VERSION = 2;

export function apiVersionsBody(version: number, errorCode: number): Writer {
  const w = new Writer().int16(errorCode);
  w.array([...SUPPORTED_VERSIONS], (w, [key, [min, max]]) => w.int16(key).int16(min).int16(max));
  if (version >= 1) w.int32(0);
  return w;
}

export const handleApiVersions: ApiHandler = (_ctx, req) => {
  const v = req.header.apiVersion;
  return v > MAX_API_VERSIONS_VERSION ? apiVersionsBody(0, ErrorCode.UNSUPPORTED_VERSION) : apiVersionsBody(v, ErrorCode.NONE);
};
