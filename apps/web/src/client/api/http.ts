// fetch for the analyst API: same-origin JSON with the session cookie, and one error type that
// carries the API's `{error:{code,message}}` (or a readable stand-in when the body is not one).

import type { ApiErrorBody } from '../../shared/api-types';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError;
}

/** A 4xx means the request itself is wrong (or the login is gone): trying again will not help. */
export function isClientError(err: unknown): boolean {
  return isApiError(err) && err.status >= 400 && err.status < 500;
}

async function errorFrom(response: Response): Promise<ApiError> {
  let body: Partial<ApiErrorBody> | undefined;
  try {
    body = (await response.json()) as Partial<ApiErrorBody>;
  } catch {
    body = undefined;
  }
  const e = body?.error;
  if (e && typeof e.message === 'string') return new ApiError(response.status, typeof e.code === 'string' ? e.code : 'error', e.message);
  return new ApiError(response.status, 'http_error', `The server answered ${response.status} ${response.statusText}`.trim());
}

export async function requestJson<T>(url: string, init: RequestInit = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, {
      credentials: 'same-origin',
      ...init,
      headers: { accept: 'application/json', ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers },
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network', 'Cannot reach the server. Check your connection and retry.');
  }
  if (!response.ok) throw await errorFrom(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

export function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  return requestJson<T>(url, { signal });
}

export function postJson<T>(url: string, body?: unknown): Promise<T> {
  return requestJson<T>(url, { method: 'POST', body: JSON.stringify(body ?? {}) });
}
