// The dashboard's reads: the login, the sites, and any report URL, keyed by that URL.

import { useMutation, useQuery, useQueryClient, type UseQueryOptions } from '@tanstack/react-query';
import type { Me, SitesReply } from '../../shared/api-types';
import { getJson, isApiError, postJson } from './http';
import { ME_KEY } from './query-client';

/** The analyst logged in, null when nobody is (401). */
export function useMe() {
  return useQuery({
    queryKey: ME_KEY,
    queryFn: async ({ signal }) => {
      try {
        return await getJson<Me>('/api/me', signal);
      } catch (err) {
        if (isApiError(err) && err.status === 401) return null;
        throw err;
      }
    },
    staleTime: Infinity,
  });
}

export function useLogin() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (credentials: { username: string; password: string }) => postJson<Me>('/api/login', credentials),
    onSuccess: (me) => {
      // Whatever failed with the old (or no) session is fetched again.
      client.removeQueries({ predicate: (q) => q.queryKey[0] !== ME_KEY[0] });
      client.setQueryData(ME_KEY, me);
    },
  });
}

export function useLogout() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => postJson<unknown>('/api/logout'),
    onSettled: () => {
      client.clear();
      client.setQueryData(ME_KEY, null);
    },
  });
}

export function useSites() {
  return useQuery({ queryKey: ['api', '/api/sites'], queryFn: ({ signal }) => getJson<SitesReply>('/api/sites', signal), staleTime: 5 * 60_000 });
}

type ApiQueryOptions<T> = Omit<UseQueryOptions<T, Error, T, readonly unknown[]>, 'queryKey' | 'queryFn'>;

/** GET `url` (undefined: not yet known, the query waits). */
export function useApi<T>(url: string | undefined, options: ApiQueryOptions<T> = {}) {
  return useQuery<T, Error, T, readonly unknown[]>({
    queryKey: ['api', url],
    queryFn: ({ signal }) => getJson<T>(url as string, signal),
    ...options,
    enabled: url !== undefined && options.enabled !== false,
  });
}
