// The one react-query client: data is fresh for 30 s, a failure is retried once unless it is a
// 4xx, and a 401 anywhere means the session is gone, so the app shows the login page.

import { QueryCache, QueryClient } from '@tanstack/react-query';
import type { Me } from '../../shared/api-types';
import { isApiError, isClientError } from './http';

export const ME_KEY = ['me'] as const;

export function createQueryClient(): QueryClient {
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({
      onError: (err, query) => {
        if (isApiError(err) && err.status === 401 && query.queryKey[0] !== ME_KEY[0]) client.setQueryData<Me | null>(ME_KEY, null);
      },
    }),
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        retry: (failures, err) => !isClientError(err) && failures < 1,
        refetchOnWindowFocus: false,
      },
      mutations: { retry: false },
    },
  });
  return client;
}
