// The /ws/live connection: every tick goes to `onTick`; when the socket drops it reconnects with
// exponential backoff and jitter, and asks /api/me again (a dropped socket may be a lapsed login).

import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import type { LiveTick } from '../../shared/api-types';
import { ME_KEY } from '../api/query-client';
import { parseTick, reconnectDelay } from '../lib/live-series';

export type SocketStatus = 'connecting' | 'live' | 'reconnecting';

export function liveSocketUrl(site: string): string {
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${window.location.host}/ws/live?site=${encodeURIComponent(site)}`;
}

/** Connects while `site` is set (and `enabled`); returns the connection's state. */
export function useLiveSocket(site: string | undefined, enabled: boolean, onTick: (tick: LiveTick) => void): SocketStatus {
  const [status, setStatus] = useState<SocketStatus>('connecting');
  const onTickRef = useRef(onTick);
  useEffect(() => {
    onTickRef.current = onTick;
  });
  const client = useQueryClient();

  useEffect(() => {
    if (!site || !enabled) return;
    let socket: WebSocket | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    let stopped = false;

    const connect = () => {
      setStatus(attempt === 0 ? 'connecting' : 'reconnecting');
      socket = new WebSocket(liveSocketUrl(site));
      socket.onopen = () => {
        attempt = 0;
        setStatus('live');
      };
      socket.onmessage = (message) => {
        const tick = parseTick(message.data);
        if (tick) onTickRef.current(tick);
      };
      socket.onclose = () => {
        if (stopped) return;
        setStatus('reconnecting');
        void client.invalidateQueries({ queryKey: ME_KEY });
        timer = setTimeout(connect, reconnectDelay(attempt++));
      };
      // An error is always followed by close, which schedules the retry.
      socket.onerror = () => undefined;
    };
    connect();

    return () => {
      stopped = true;
      clearTimeout(timer);
      if (socket) {
        socket.onclose = null;
        socket.onmessage = null;
        // Closing a socket still connecting logs a browser error; close it once it opens instead.
        if (socket.readyState === WebSocket.CONNECTING) {
          const s = socket;
          s.onopen = () => s.close();
        } else socket.close();
      }
    };
  }, [site, enabled, client]);

  return status;
}
