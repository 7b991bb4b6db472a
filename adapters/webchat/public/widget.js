/*
 * Meridian web chat widget. Embed with:
 *   <script src="https://your-meridian-host/widget.js" async></script>
 * Options (attributes of that script tag):
 *   data-mode="page"     fill the page instead of a floating launcher (the page at / does this)
 *   data-accent="#0f766e" brand colour (any CSS colour)
 *   data-open="true"      start with the panel open
 *   data-identity-token="<jwt>"  the shop's signed login token for a logged-in customer (HS256, short-lived;
 *                        see README "One customer across channels"); the session is then linked to them
 *
 * Plain browser JS, no build step. Everything renders inside a shadow root so the host page's CSS and
 * ours never meet. Message text is only ever set through textContent / DOM nodes, never as HTML.
 */
(function () {
  'use strict';

  // The server inlines these when it serves this file (see adapters/webchat/assets.ts).
  var CONFIG = /*@meridian:config*/null;
  var STYLES = /*@meridian:css*/"";

  if (!CONFIG) {
    console.error('[meridian] widget.js must be loaded from a Meridian server');
    return;
  }
  if (window.__meridianWebchat) return; // the snippet was pasted twice
  window.__meridianWebchat = true;

  var script = document.currentScript || document.querySelector('script[src*="widget.js"]');
  var scriptUrl = new URL(script ? script.src : '/widget.js', location.href);
  var mode = script && script.getAttribute('data-mode') === 'page' ? 'page' : 'widget';
  var accent = script && script.getAttribute('data-accent');
  var startOpen = script && script.getAttribute('data-open') === 'true';
  var identityToken = script && script.getAttribute('data-identity-token');

  var wsUrl = new URL(CONFIG.wsPath, scriptUrl);
  wsUrl.protocol = wsUrl.protocol === 'https:' ? 'wss:' : 'ws:';

  var codes = CONFIG.locales.map(function (l) { return l.code; });

  // ---- storage (may throw: private mode, blocked cookies) -------------------------------------------
  var memory = {};
  var prefix = 'meridian-webchat:' + scriptUrl.origin + ':';
  function load(key, store) {
    try { return (store || localStorage).getItem(prefix + key); } catch (e) { return memory[key] || null; }
  }
  function save(key, value, store) {
    try {
      if (value === null) (store || localStorage).removeItem(prefix + key);
      else (store || localStorage).setItem(prefix + key, value);
    } catch (e) { memory[key] = value; }
  }

  // ---- locale ---------------------------------------------------------------------------------------
  function matchLocale(tag) {
    if (!tag) return undefined;
    var lower = String(tag).replace('_', '-').toLowerCase();
    for (var i = 0; i < codes.length; i++) if (codes[i].toLowerCase() === lower) return codes[i];
    var language = lower.split('-')[0];
    for (var j = 0; j < codes.length; j++) if (codes[j].toLowerCase() === language) return codes[j];
    return undefined;
  }
  function browserLocale() {
    return navigator.language || (navigator.languages && navigator.languages[0]) || undefined;
  }
  var picked = matchLocale(load('locale')); // undefined = Automatic
  function uiLocale() {
    // Automatic follows the conversation's language once the bot has answered, else the browser's.
    return picked || matchLocale(load('conversationLocale')) || matchLocale(browserLocale()) ||
      (navigator.languages || []).map(matchLocale).filter(Boolean)[0] || CONFIG.defaultLocale;
  }
  function S() { return CONFIG.strings[uiLocale()] || CONFIG.strings[CONFIG.defaultLocale]; }
  function localeInfo(code) {
    for (var i = 0; i < CONFIG.locales.length; i++) if (CONFIG.locales[i].code === code) return CONFIG.locales[i];
    return { code: code, name: code, dir: 'ltr' };
  }

  // ---- DOM helpers ----------------------------------------------------------------------------------
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) for (var k in attrs) {
      if (attrs[k] === undefined || attrs[k] === null || attrs[k] === false) continue;
      if (k === 'class') node.className = attrs[k];
      else if (k === 'text') node.textContent = attrs[k];
      else node.setAttribute(k, attrs[k] === true ? '' : attrs[k]);
    }
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }
  var SVG = 'http://www.w3.org/2000/svg';
  function icon(paths, size) {
    var svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('width', size || 20);
    svg.setAttribute('height', size || 20);
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    paths.forEach(function (d) {
      var p = document.createElementNS(SVG, 'path');
      p.setAttribute('d', d);
      svg.appendChild(p);
    });
    return svg;
  }
  var ICON_CHAT = ['M4 5.5A2.5 2.5 0 0 1 6.5 3h11A2.5 2.5 0 0 1 20 5.5v8a2.5 2.5 0 0 1-2.5 2.5H10l-4.2 3.6c-.6.5-1.5.1-1.5-.7V16A2.5 2.5 0 0 1 4 13.5z'];
  var ICON_SEND = ['M3.4 20.4 21 12 3.4 3.6l-.1 6.5L15 12 3.3 13.9z'];
  var ICON_CLOSE = ['M6.4 5 5 6.4 10.6 12 5 17.6 6.4 19l5.6-5.6 5.6 5.6 1.4-1.4-5.6-5.6L19 6.4 17.6 5 12 10.6z'];
  var ICON_GLOBE = ['M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm6.9 6h-2.95a15.7 15.7 0 0 0-1.38-3.56A8.03 8.03 0 0 1 18.9 8zM12 4.04c.83 1.2 1.48 2.53 1.91 3.96h-3.82c.43-1.43 1.08-2.76 1.91-3.96zM4.26 14a8.2 8.2 0 0 1 0-4h3.38a16.5 16.5 0 0 0 0 4zm.84 2h2.95c.32 1.25.78 2.45 1.38 3.56A7.99 7.99 0 0 1 5.1 16zm2.95-8H5.1a7.99 7.99 0 0 1 4.33-3.56A15.7 15.7 0 0 0 8.05 8zM12 19.96c-.83-1.2-1.48-2.53-1.91-3.96h3.82c-.43 1.43-1.08 2.76-1.91 3.96zM14.34 14H9.66a14.7 14.7 0 0 1 0-4h4.68a14.7 14.7 0 0 1 0 4zm.25 5.56c.6-1.11 1.06-2.31 1.38-3.56h2.95a8.03 8.03 0 0 1-4.33 3.56zM16.36 14a16.5 16.5 0 0 0 0-4h3.38a8.2 8.2 0 0 1 0 4z'];
  var ICON_BOT = ['M12 2a1.5 1.5 0 0 1 .75 2.8V6H17a3 3 0 0 1 3 3v8a3 3 0 0 1-3 3H7a3 3 0 0 1-3-3V9a3 3 0 0 1 3-3h4.25V4.8A1.5 1.5 0 0 1 12 2zM9 11.25a1.25 1.25 0 1 0 0 2.5 1.25 1.25 0 0 0 0-2.5zm6 0a1.25 1.25 0 1 0 0 2.5 1.25 1.25 0 0 0 0-2.5zM1 11h2v5H1zm20 0h2v5h-2z'];

  /** Bold, links and bare URLs from the bot's light markdown, built as DOM nodes (never innerHTML). */
  var TOKENS = /\*\*([^*\n]+?)\*\*|\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)|(https?:\/\/[^\s<>"']*[^\s<>"'.,;:!?)\]])/g;
  function richText(parent, text) {
    var last = 0;
    var match;
    TOKENS.lastIndex = 0;
    while ((match = TOKENS.exec(text))) {
      if (match.index > last) parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      if (match[1] !== undefined) parent.appendChild(el('strong', { text: match[1] }));
      else parent.appendChild(link(match[3] || match[4], match[2] || match[4]));
      last = TOKENS.lastIndex;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }
  function safeUrl(url) {
    try {
      var u = new URL(url);
      return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : undefined;
    } catch (e) { return undefined; }
  }
  function link(url, label) {
    var href = safeUrl(url);
    if (!href) return document.createTextNode(label);
    return el('a', { href: href, target: '_blank', rel: 'noopener noreferrer nofollow', text: label });
  }

  // ---- layout ---------------------------------------------------------------------------------------
  var hostEl = mode === 'page' && document.getElementById('meridian-webchat');
  if (!hostEl) {
    hostEl = el('div', { id: mode === 'page' ? 'meridian-webchat' : 'meridian-webchat-widget' });
    document.body.appendChild(hostEl);
  }
  var shadow = hostEl.attachShadow({ mode: 'open' });
  try {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(STYLES);
    shadow.adoptedStyleSheets = [sheet];
  } catch (e) {
    shadow.appendChild(el('style', { text: STYLES }));
  }

  var root = el('div', { class: 'mw', 'data-mode': mode });
  if (accent && window.CSS && window.CSS.supports && window.CSS.supports('color', accent)) root.style.setProperty('--mw-accent', accent);

  // The host page owns its <h1>; the widget's title is a section heading there.
  var titleEl = el(mode === 'page' ? 'h1' : 'h2', { class: 'mw-title', id: 'mw-title' });
  var noteEl = el('p', { class: 'mw-note', id: 'mw-note' });
  var langLabel = el('label', { class: 'mw-sr', for: 'mw-lang' });
  // A native select (keyboard, screen readers and phones handle it well) laid invisibly over a compact pill.
  var langSelect = el('select', { id: 'mw-lang', class: 'mw-lang-select', 'data-testid': 'webchat-language' });
  var langText = el('span', { class: 'mw-lang-text', 'aria-hidden': 'true' });
  var autoOption = el('option', { value: '' });
  langSelect.appendChild(autoOption);
  CONFIG.locales.forEach(function (l) {
    langSelect.appendChild(el('option', { value: l.code, lang: l.code, text: l.name }));
  });
  langSelect.value = picked || '';
  var closeBtn = mode === 'widget' ? el('button', { type: 'button', class: 'mw-icon-btn mw-close' }, [icon(ICON_CLOSE)]) : null;

  var header = el('header', { class: 'mw-header' }, [
    el('div', { class: 'mw-avatar', 'aria-hidden': 'true' }, [icon(ICON_BOT, 22)]),
    el('div', { class: 'mw-heading' }, [titleEl, noteEl]),
    el('div', { class: 'mw-tools' }, [langLabel, el('div', { class: 'mw-lang' }, [icon(ICON_GLOBE, 16), langText, langSelect]), closeBtn]),
  ]);
  var statusEl = el('div', { class: 'mw-status', role: 'status', hidden: true });
  var logEl = el('div', { class: 'mw-log', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions', 'aria-labelledby': 'mw-title' });
  var typingText = el('span', { class: 'mw-typing-text' });
  var typingEl = el('div', { class: 'mw-row mw-row-out mw-typing', 'data-testid': 'webchat-typing', role: 'status', hidden: true }, [
    el('div', { class: 'mw-bubble mw-dots', 'aria-hidden': 'true' }, [el('span'), el('span'), el('span')]),
    typingText,
  ]);
  var quickEl = el('div', { class: 'mw-quick', role: 'group', hidden: true });
  var scrollEl = el('div', { class: 'mw-scroll' }, [logEl, typingEl, quickEl]);
  var input = el('textarea', {
    id: 'mw-input', class: 'mw-input', rows: '1', maxlength: String(CONFIG.maxMessageLength),
    'data-testid': 'webchat-input', autocomplete: 'off', enterkeyhint: 'send',
  });
  var inputLabel = el('label', { class: 'mw-sr', for: 'mw-input' });
  var sendBtn = el('button', { type: 'submit', class: 'mw-send', 'data-testid': 'webchat-send' }, [icon(ICON_SEND, 18)]);
  var form = el('form', { class: 'mw-composer' }, [inputLabel, input, sendBtn]);
  var panel = el(mode === 'page' ? 'main' : 'section', {
    class: 'mw-panel', id: 'mw-panel', 'aria-labelledby': 'mw-title', 'aria-describedby': 'mw-note',
    role: mode === 'widget' ? 'dialog' : undefined, tabindex: '-1',
  }, [header, statusEl, scrollEl, form]);

  var launcher = null;
  var badge = null;
  if (mode === 'widget') {
    badge = el('span', { class: 'mw-badge', hidden: true, 'aria-hidden': 'true' });
    launcher = el('button', { type: 'button', class: 'mw-launcher', 'aria-controls': 'mw-panel', 'aria-expanded': 'false', 'data-testid': 'webchat-launcher' }, [
      icon(ICON_CHAT, 26), badge,
    ]);
    panel.hidden = true;
    root.appendChild(panel);
    root.appendChild(launcher);
  } else {
    root.appendChild(panel);
  }
  shadow.appendChild(root);

  function applyStrings() {
    var s = S();
    var info = localeInfo(uiLocale());
    root.setAttribute('lang', info.code);
    root.setAttribute('dir', info.dir);
    titleEl.textContent = s.title;
    noteEl.textContent = s.note;
    langLabel.textContent = s.language;
    langSelect.setAttribute('aria-label', s.language);
    langSelect.title = s.language;
    autoOption.textContent = s.automatic;
    // The page has room for the language's name; the widget's header shows its code.
    langText.textContent = mode === 'page' ? (picked ? localeInfo(picked).name : s.automatic) : info.code.split('-')[0].toUpperCase();
    input.placeholder = s.placeholder;
    inputLabel.textContent = s.placeholder;
    sendBtn.setAttribute('aria-label', s.send);
    sendBtn.title = s.send;
    typingText.textContent = s.typing;
    statusEl.textContent = s.reconnecting;
    if (closeBtn) { closeBtn.setAttribute('aria-label', s.close); closeBtn.title = s.close; }
    if (launcher) { launcher.setAttribute('aria-label', open ? s.close : s.open); launcher.title = s.title; }
    if (welcomeEl) fillWelcome();
    if (mode === 'page') { document.title = s.title; document.documentElement.lang = info.code; }
  }

  // ---- messages -------------------------------------------------------------------------------------
  var seen = new Set();
  var welcomeEl = null;
  var lastButtons = null; // buttons of the latest bot message, to show a chosen value as its title
  var unsent = [];        // frames typed while offline, sent after the next `ready`

  function scrollToEnd() {
    scrollEl.scrollTop = scrollEl.scrollHeight;
  }
  function nearEnd() {
    return scrollEl.scrollHeight - scrollEl.scrollTop - scrollEl.clientHeight < 80;
  }

  function fillWelcome() {
    welcomeEl.querySelector('.mw-welcome-title').textContent = S().title;
    var text = welcomeEl.querySelector('.mw-welcome-text');
    text.textContent = '';
    richText(text, S().welcome);
  }
  function showWelcome() {
    // The bot speaks only when spoken to, so an empty chat opens with the catalog's AI disclosure as an
    // intro. It goes once the conversation starts: the bot's first reply carries the disclosure itself.
    welcomeEl = el('div', { class: 'mw-welcome', 'data-testid': 'webchat-welcome' }, [
      el('div', { class: 'mw-welcome-avatar', 'aria-hidden': 'true' }, [icon(ICON_BOT, 30)]),
      el('p', { class: 'mw-welcome-title' }),
      el('p', { class: 'mw-welcome-text' }),
    ]);
    fillWelcome();
    logEl.appendChild(welcomeEl);
  }
  function hideWelcome() {
    if (welcomeEl) welcomeEl.remove();
    welcomeEl = null;
  }

  function titleFor(text, buttons) {
    if (!buttons) return text;
    for (var i = 0; i < buttons.length; i++) if (buttons[i].value === text) return buttons[i].title;
    return text;
  }

  function addMessage(m, options) {
    if (m.id && seen.has(m.id)) return null;
    if (m.id) seen.add(m.id);
    hideWelcome();
    var out = m.direction === 'out';
    var bubble = el('div', { class: 'mw-bubble' });
    var who = el('span', { class: 'mw-sr', text: (out ? S().assistant : S().you) + ': ' });
    bubble.appendChild(who);
    if (out) richText(bubble, m.text);
    else bubble.appendChild(document.createTextNode(m.display || m.text));
    if (out && m.cards) m.cards.forEach(function (c) { bubble.appendChild(card(c)); });
    if (out && m.attachments) m.attachments.forEach(function (a) { bubble.appendChild(attachment(a)); });
    var row = el('div', {
      class: 'mw-row ' + (out ? 'mw-row-out' : 'mw-row-in'),
      'data-testid': 'webchat-message',
      'data-direction': out ? 'out' : 'in',
      'data-id': m.id,
      lang: out && m.locale ? m.locale : undefined,
    }, [bubble]);
    if (m.at) row.title = new Date(m.at).toLocaleString(uiLocale());
    if (options && options.pending) row.classList.add('mw-pending');
    var stick = nearEnd() || !out;
    logEl.appendChild(row);
    if (stick) scrollToEnd();
    return row;
  }

  function card(c) {
    var img = c.imageUrl && safeUrl(c.imageUrl);
    var node = el('div', { class: 'mw-card' }, [
      img ? el('img', { src: img, alt: '', loading: 'lazy' }) : null,
      el('div', { class: 'mw-card-title', text: c.title }),
      c.subtitle ? el('div', { class: 'mw-card-sub', text: c.subtitle }) : null,
    ]);
    (c.buttons || []).forEach(function (b) {
      var btn = el('button', { type: 'button', class: 'mw-chip', text: b.title });
      btn.addEventListener('click', function () { submit(b.value, b.title); });
      node.appendChild(btn);
    });
    return node;
  }
  function attachment(a) {
    var url = a.url && safeUrl(a.url);
    if (url && /^image\//.test(a.contentType)) return el('img', { class: 'mw-image', src: url, alt: a.name || '', loading: 'lazy' });
    return url ? el('div', { class: 'mw-file' }, [link(url, a.name || url)]) : null;
  }

  function setQuickReplies(buttons) {
    lastButtons = buttons && buttons.length ? buttons : null;
    quickEl.textContent = '';
    quickEl.hidden = !lastButtons;
    (lastButtons || []).forEach(function (b) {
      var btn = el('button', { type: 'button', class: 'mw-chip', 'data-testid': 'webchat-quick-reply', text: b.title });
      btn.addEventListener('click', function (event) {
        submit(b.value, b.title);
        // The chips vanish once used, so focus must not fall out of the chat: a keyboard user continues
        // in the input; after a tap or click the panel holds it (focusing the input would pop a phone keyboard up).
        if (event.detail === 0) input.focus();
        else panel.focus({ preventScroll: true });
      });
      quickEl.appendChild(btn);
    });
    if (lastButtons) scrollToEnd();
  }

  function renderHistory(items) {
    logEl.textContent = '';
    seen = new Set();
    welcomeEl = null;
    var prev = null;
    items.forEach(function (item) {
      // A quick reply was sent as the button's value; show it as the title the customer clicked.
      addMessage({ id: item.id, direction: item.direction, text: item.text, at: item.at, display: item.direction === 'in' ? titleFor(item.text, prev) : undefined });
      prev = item.direction === 'out' ? item.buttons : null;
    });
    if (items.length === 0) showWelcome();
    var lastItem = items[items.length - 1];
    setQuickReplies(lastItem && lastItem.direction === 'out' ? lastItem.buttons : null);
    unsent.forEach(function (frame) { addMessage({ id: 'local:' + frame.clientMessageId, direction: 'in', text: frame.text, display: frame.display }); });
    scrollToEnd();
  }

  function notice(text) {
    var row = el('div', { class: 'mw-notice', role: 'alert', text: text });
    logEl.appendChild(row);
    scrollToEnd();
  }

  // ---- connection -----------------------------------------------------------------------------------
  var ws = null;
  var ready = false;
  var attempt = 0;
  var retryTimer = null;

  function connect() {
    clearTimeout(retryTimer);
    retryTimer = null;
    if (ws && (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING)) return;
    var socket;
    try { socket = new WebSocket(wsUrl.href); } catch (e) { scheduleReconnect(); return; }
    ws = socket;
    // A connect that hangs (a proxy swallowing the upgrade) counts as failed.
    var guard = setTimeout(function () { if (socket.readyState !== WebSocket.OPEN) socket.close(); }, 10000);
    socket.onopen = function () {
      clearTimeout(guard);
      var hello = { type: 'hello', browserLocale: browserLocale() };
      var id = load('session');
      if (id) hello.sessionId = id;
      if (picked) hello.locale = picked;
      if (identityToken) hello.identityToken = identityToken;
      socket.send(JSON.stringify(hello));
    };
    socket.onmessage = function (event) {
      if (socket !== ws) return;
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      onFrame(frame);
    };
    socket.onclose = function () {
      clearTimeout(guard);
      if (socket !== ws) return;
      ready = false;
      ws = null;
      setTyping(false);
      scheduleReconnect();
    };
  }

  function scheduleReconnect() {
    if (retryTimer) return;
    statusEl.hidden = false;
    // Exponential back-off with jitter, capped at 30 s, so a restarting server is not stampeded.
    var delay = Math.min(30000, 500 * Math.pow(2, attempt)) * (0.75 + Math.random() * 0.5);
    attempt++;
    retryTimer = setTimeout(connect, delay);
  }

  function reconnectNow() {
    if (ready || !retryTimer) return;
    attempt = 0;
    connect();
  }
  window.addEventListener('online', reconnectNow);
  document.addEventListener('visibilitychange', function () { if (!document.hidden) reconnectNow(); });

  function onFrame(frame) {
    switch (frame.type) {
      case 'ready': {
        save('session', frame.sessionId);
        ready = true;
        attempt = 0;
        statusEl.hidden = true;
        renderHistory(frame.history || []);
        var queued = unsent;
        unsent = [];
        queued.forEach(function (f) {
          var row = logEl.querySelector('[data-id="local:' + f.clientMessageId + '"]');
          if (row) row.classList.remove('mw-pending');
          transmit(f);
        });
        break;
      }
      case 'message':
        if (frame.direction === 'out') {
          if (frame.locale && matchLocale(frame.locale) && !picked) {
            var before = uiLocale();
            save('conversationLocale', frame.locale);
            if (uiLocale() !== before) applyStrings();
          }
          if (addMessage(frame)) {
            setQuickReplies(frame.buttons);
            if (launcher && !open) badge.hidden = false;
          }
        } else {
          frame.display = titleFor(frame.text, lastButtons);
          if (addMessage(frame)) setQuickReplies(null);
        }
        break;
      case 'typing':
        setTyping(frame.on);
        break;
      case 'error':
        if (frame.code === 'invalid_session') { save('session', null); break; }
        if (frame.clientMessageId) {
          var failed = logEl.querySelector('[data-client-id="' + frame.clientMessageId + '"]');
          if (failed) failed.classList.add('mw-failed');
        }
        notice(S().error);
        break;
    }
  }

  function setTyping(on) {
    var stick = nearEnd();
    typingEl.hidden = !on;
    if (on && stick) scrollToEnd();
  }

  function newId() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes); // works on plain http too, unlike randomUUID
    var s = '';
    for (var i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function transmit(frame) {
    var wire = { type: 'message', text: frame.text, clientMessageId: frame.clientMessageId };
    if (frame.locale) wire.locale = frame.locale;
    ws.send(JSON.stringify(wire));
  }

  function submit(text, display) {
    text = String(text).trim();
    if (!text) return;
    if (text.length > CONFIG.maxMessageLength) text = text.slice(0, CONFIG.maxMessageLength);
    var frame = { text: text, clientMessageId: newId(), display: display };
    if (picked) frame.locale = picked;
    var online = ready && ws && ws.readyState === WebSocket.OPEN;
    var row = addMessage({ id: 'local:' + frame.clientMessageId, direction: 'in', text: text, display: display }, { pending: !online });
    if (row) row.setAttribute('data-client-id', frame.clientMessageId);
    setQuickReplies(null);
    scrollToEnd();
    if (online) transmit(frame);
    else { unsent.push(frame); if (!ws) reconnectNow(); }
  }

  // ---- interaction ----------------------------------------------------------------------------------
  function autosize() {
    input.style.height = 'auto';
    input.style.height = Math.min(input.scrollHeight, 140) + 'px';
  }
  input.addEventListener('input', autosize);
  input.addEventListener('keydown', function (event) {
    // Enter sends, Shift+Enter breaks the line; Enter that confirms an IME composition (ja, zh) does neither.
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : send();
    }
  });
  function send() {
    var text = input.value;
    if (!text.trim()) { input.focus(); return; }
    input.value = '';
    autosize();
    submit(text);
    input.focus();
  }
  form.addEventListener('submit', function (event) { event.preventDefault(); send(); });

  langSelect.addEventListener('change', function () {
    picked = matchLocale(langSelect.value);
    save('locale', picked || null);
    applyStrings();
  });

  var open = mode === 'page';
  function setOpen(value, focus) {
    open = value;
    panel.hidden = !open;
    launcher.setAttribute('aria-expanded', String(open));
    launcher.classList.toggle('mw-launcher-open', open);
    launcher.replaceChildren(icon(open ? ICON_CLOSE : ICON_CHAT, open ? 22 : 26), badge);
    save('open', open ? '1' : null, sessionStorage);
    applyStrings();
    if (open) {
      badge.hidden = true;
      if (!ws && !retryTimer) connect();
      scrollToEnd();
      if (focus) input.focus();
    } else if (focus) {
      launcher.focus();
    }
  }
  if (launcher) {
    launcher.addEventListener('click', function () { setOpen(!open, true); });
    closeBtn.addEventListener('click', function () { setOpen(false, true); });
    panel.addEventListener('keydown', function (event) {
      if (event.key === 'Escape') { event.stopPropagation(); setOpen(false, true); }
    });
  }

  applyStrings();
  if (mode === 'page') {
    connect();
  } else {
    var resume = startOpen || load('open', sessionStorage) === '1';
    if (resume) setOpen(true, false);
    // A returning customer connects at once so replies that came while away show up (and badge the launcher);
    // first-time visitors open no socket until they open the chat.
    else if (load('session')) connect();
  }
})();
