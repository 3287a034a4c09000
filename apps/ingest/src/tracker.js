/* Clickstream tracker: <script src="https://ingest.example/tracker.js" data-write-key="KEY" async></script>
   Page views (also SPA history changes), clicks on button/a/[data-track], scroll depth, page close,
   sessions (30 min of inactivity), an anonymous user id, batching with retry, optional Do-Not-Track.
   API: window.clickstream.track(name, props), .page(), .flush(). */
(function () {
  'use strict';
  var w = window, d = document, ls;
  try { ls = w.localStorage; } catch { ls = null; }
  var script = d.currentScript || d.querySelector('script[src*="tracker.js"]');
  if (!script || w.clickstream) return;
  var attr = function (n) { return script.getAttribute('data-' + n); };
  var host = (attr('host') || new URL(script.src, location.href).origin).replace(/\/$/, '');
  var key = attr('write-key') || '';
  var SESSION_MS = 30 * 60 * 1000, FLUSH_MS = 5000, MAX_BATCH = 50, MAX_QUEUE = 500;
  if (attr('respect-dnt') === 'true' && (navigator.doNotTrack === '1' || w.doNotTrack === '1')) {
    w.clickstream = { track: function () {}, page: function () {}, flush: function () {} };
    return;
  }

  var mem = {};
  var get = function (k) { try { return ls ? ls.getItem(k) : mem[k]; } catch { return mem[k]; } };
  var set = function (k, v) { try { if (ls) ls.setItem(k, v); else mem[k] = v; } catch { mem[k] = v; } };
  var uuid = function () {
    if (w.crypto && w.crypto.randomUUID) return w.crypto.randomUUID();
    return 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, function (c) {
      var r = (Math.random() * 16) | 0;
      return (c === 'x' ? r : (r & 3) | 8).toString(16);
    });
  };

  var userId = get('cs_uid') || uuid();
  set('cs_uid', userId);
  var queue = [], timer = null, retryMs = 1000, sending = false;

  function session() {
    var now = Date.now(), sid = get('cs_sid'), last = +get('cs_last') || 0, fresh = !sid || now - last > SESSION_MS;
    if (fresh) { sid = uuid(); set('cs_sid', sid); }
    set('cs_last', String(now));
    return { id: sid, fresh: fresh };
  }

  function enqueue(type, fields) {
    var s = session();
    if (s.fresh && type !== 'session_start') push('session_start', {}, s.id);
    push(type, fields, s.id);
  }

  function push(type, fields, sid) {
    var e = { event_id: uuid(), event_type: type, user_id: userId, session_id: sid, client_time: new Date().toISOString(),
      page: { url: location.href, path: location.pathname, title: d.title, referrer: d.referrer || undefined } };
    for (var k in fields) if (Object.prototype.hasOwnProperty.call(fields, k)) e[k] = fields[k];
    if (queue.length >= MAX_QUEUE) queue.shift();
    queue.push(e);
    if (queue.length >= MAX_BATCH) flush(); else if (!timer) timer = setTimeout(flush, FLUSH_MS);
  }

  function endpoint(path) { return host + path + (key ? '?write_key=' + encodeURIComponent(key) : ''); }

  function flush() {
    clearTimeout(timer); timer = null;
    if (sending || !queue.length) return;
    var batch = queue.splice(0, MAX_BATCH);
    sending = true;
    fetch(endpoint('/api/events/batch'), {
      method: 'POST', keepalive: true, headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ events: batch, sent_at: new Date().toISOString() })
    }).then(function (r) {
      sending = false;
      // Server-side trouble: keep the events (their ids make the retry safe) and back off.
      if (r.status >= 500 || r.status === 429) return retry(batch);
      retryMs = 1000;
      if (queue.length) flush();
    }, function () { sending = false; retry(batch); });
  }

  function retry(batch) {
    queue = batch.concat(queue).slice(0, MAX_QUEUE);
    timer = setTimeout(flush, retryMs);
    retryMs = Math.min(retryMs * 2, 60000);
  }

  function beacon() {
    if (!queue.length) return;
    var body = JSON.stringify({ events: queue.splice(0, MAX_BATCH), sent_at: new Date().toISOString() });
    if (!(navigator.sendBeacon && navigator.sendBeacon(endpoint('/api/collect'), body))) {
      fetch(endpoint('/api/collect'), { method: 'POST', keepalive: true, headers: { 'Content-Type': 'text/plain' }, body: body });
    }
  }

  var lastPath = null, maxDepth = 0, sentDepth = 0;
  function page() {
    if (location.pathname + location.search === lastPath) return;
    lastPath = location.pathname + location.search;
    maxDepth = sentDepth = 0;
    enqueue('page_view', {});
  }

  function depth() {
    var el = d.documentElement, h = Math.max(el.scrollHeight, d.body ? d.body.scrollHeight : 0) - w.innerHeight;
    return h <= 0 ? 100 : Math.min(100, Math.round(((w.scrollY || el.scrollTop) / h) * 100));
  }

  w.addEventListener('scroll', function () {
    maxDepth = Math.max(maxDepth, depth());
    var mark = Math.floor(maxDepth / 25) * 25;
    if (mark > sentDepth) { sentDepth = mark; enqueue('scroll', { scroll_depth: maxDepth }); }
  }, { passive: true });

  d.addEventListener('click', function (ev) {
    var t = ev.target && ev.target.closest ? ev.target.closest('button, a, [data-track]') : null;
    if (!t) return;
    var id = t.getAttribute('data-track') || t.id || (t.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 64) || t.tagName.toLowerCase();
    enqueue('click', { button_id: id });
  }, true);

  var hook = function (name) {
    var orig = history[name];
    history[name] = function () { var r = orig.apply(this, arguments); setTimeout(page, 0); return r; };
  };
  hook('pushState'); hook('replaceState');
  w.addEventListener('popstate', page);
  w.addEventListener('pagehide', function () { enqueue('page_close', maxDepth ? { props: { scroll_depth: maxDepth } } : {}); beacon(); });
  d.addEventListener('visibilitychange', function () { if (d.visibilityState === 'hidden') beacon(); });

  w.clickstream = {
    track: function (name, props) { enqueue(String(name), props ? { props: props } : {}); },
    page: function () { lastPath = null; page(); },
    flush: flush
  };
  if (attr('auto') !== 'false') page();
})();
