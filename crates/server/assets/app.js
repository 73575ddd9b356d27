// mentorpost's one script. Every page works without it; it adds live updates over the
// WebSocket, sending without a reload (files too), drafts that survive a reload (their
// text: a chosen file cannot be put back), marking read once a message has been seen,
// and netiquette hints while writing.
const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? '';
const page = document.body.dataset.page;
const l10n = document.getElementById('l10n')?.dataset ?? {};

// A form with files chosen goes as multipart (FormData sets the content type with its
// boundary); anything else URL-encoded, without the empty part of an unused file input.
async function post(url, fields) {
  const withFiles = fields instanceof FormData && [...fields.values()].some((v) => v instanceof File && v.size > 0);
  const headers = { 'accept': 'application/json', 'x-csrf-token': csrf };
  let body = fields;
  if (!withFiles) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(fields instanceof FormData ? [...fields].filter(([, v]) => typeof v === 'string') : fields);
  }
  return fetch(url, { method: 'POST', headers, body, credentials: 'same-origin' });
}

// ---- Files: their limits are checked before anything is sent. ----
function filesProblem(form) {
  const input = form.querySelector('input[type=file]');
  if (!input) return '';
  const files = [...input.files].filter((f) => f.size > 0);
  if (files.length > Number(input.dataset.maxFiles)) return input.dataset.tooMany ?? '';
  if (files.reduce((sum, f) => sum + f.size, 0) > Number(input.dataset.maxBytes)) return input.dataset.tooLarge ?? '';
  return '';
}

// Shows (or, with no text, clears) the problem beside the file input, as the server's
// form would.
function showFilesProblem(form, text) {
  const input = form.querySelector('input[type=file]');
  const field = input?.closest('.field');
  if (!field) return;
  field.querySelector('#files-error')?.remove();
  field.classList.toggle('has-error', !!text);
  if (!text) {
    input.removeAttribute('aria-invalid');
    input.setAttribute('aria-describedby', 'files-hint');
    return;
  }
  const note = document.createElement('p');
  note.className = 'field-error';
  note.id = 'files-error';
  note.textContent = text;
  input.before(note);
  input.setAttribute('aria-invalid', 'true');
  input.setAttribute('aria-describedby', 'files-hint files-error');
}

for (const input of document.querySelectorAll('form.compose-form input[type=file]')) {
  input.addEventListener('change', () => showFilesProblem(input.form, filesProblem(input.form)));
}

// ---- Drafts: kept per form in this browser until sent. ----
function keepDrafts(form) {
  const key = 'mentorpost.draft.' + form.dataset.draftKey;
  const fields = [...form.querySelectorAll('input[type=text], textarea')];
  let saved = {};
  try { saved = JSON.parse(localStorage.getItem(key) ?? '{}'); } catch { saved = {}; }
  for (const f of fields) if (!f.value && saved[f.name]) f.value = saved[f.name];
  let timer;
  form.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const draft = Object.fromEntries(fields.map((f) => [f.name, f.value]));
      if (fields.some((f) => f.value.trim())) localStorage.setItem(key, JSON.stringify(draft));
      else localStorage.removeItem(key);
    }, 300);
  });
  return () => localStorage.removeItem(key);
}

// ---- Composing: no double sends; replies without a reload. ----
for (const form of document.querySelectorAll('form.compose-form')) {
  const forget = keepDrafts(form);
  const button = form.querySelector('button[type=submit]');
  form.addEventListener('submit', async (event) => {
    if (form.dataset.sending) { event.preventDefault(); return; }
    const tooMuch = filesProblem(form);
    if (tooMuch) {
      // Refused before the upload: nothing to wait for, and the text stays.
      event.preventDefault();
      showFilesProblem(form, tooMuch);
      form.querySelector('input[type=file]').focus();
      return;
    }
    form.dataset.sending = '1';
    button.disabled = true;
    if (page !== 'thread') { forget(); return; } // a new thread: the form posts and the page moves on
    event.preventDefault();
    const status = document.getElementById('live-status');
    status.textContent = l10n.sending ?? '';
    try {
      const response = await post(form.action, new FormData(form));
      if (response.ok) {
        forget();
        form.querySelector('textarea').value = '';
        const files = form.querySelector('input[type=file]');
        if (files) { files.value = ''; showFilesProblem(form, ''); }
        form.querySelector('[name=client_msg_id]').value = crypto.randomUUID();
        status.textContent = '';
        document.getElementById('hints')?.replaceChildren();
        await catchUp();
      } else {
        const body = await response.json().catch(() => null);
        status.textContent = body?.error?.message ?? l10n.failed ?? '';
        if (['files_too_large', 'too_many_files'].includes(body?.error?.code)) showFilesProblem(form, body.error.message);
      }
    } catch {
      status.textContent = l10n.failed ?? '';
    } finally {
      delete form.dataset.sending;
      button.disabled = false;
    }
  });
}

// ---- Netiquette hints while writing: gentle, dismissible, never in the way. ----
const hintTexts = new Map([...(document.getElementById('hint-texts')?.content.children ?? [])].map((d) => [d.dataset.code, d.dataset]));
const EXCERPT = new Set(['shouting', 'personal_data_phone', 'personal_data_iban', 'personal_data_bsn']);
for (const form of document.querySelectorAll('form.compose-form')) {
  const box = document.getElementById('hints');
  if (!box || hintTexts.size === 0) continue;
  const subject = form.querySelector('[name=subject]');
  const body = form.querySelector('[name=body]');
  const dismissed = new Set();
  let timer;
  let asked = 0;
  const ask = async () => {
    const mine = ++asked;
    const fields = { body: body.value };
    if (subject) fields.subject = subject.value;
    if (threadIdOf(form)) fields.thread_id = threadIdOf(form);
    else if (document.body.dataset.mentorship) fields.mentorship_id = document.body.dataset.mentorship;
    if (!body.value.trim() && !(subject && subject.value.trim())) { box.replaceChildren(); return; }
    const response = await post('/app/hints', fields).catch(() => null);
    if (!response?.ok || mine !== asked) return;
    const { hints } = await response.json();
    const cards = [];
    const shown = new Set();
    for (const hint of hints) {
      if (dismissed.has(hint.code) || shown.has(hint.code) || !hintTexts.has(hint.code)) continue;
      shown.add(hint.code);
      const text = hintTexts.get(hint.code);
      const card = document.createElement('div');
      card.className = 'hint-card';
      card.dataset.code = hint.code;
      const title = document.createElement('p');
      title.className = 'hint-title';
      title.textContent = text.title;
      if (EXCERPT.has(hint.code)) {
        const source = hint.field === 'subject' ? subject.value : body.value;
        title.textContent += ': “' + source.slice(hint.start, Math.min(hint.end, hint.start + 60)) + '”';
      }
      const why = document.createElement('p');
      why.textContent = text.why;
      const close = document.createElement('button');
      close.type = 'button';
      close.textContent = l10n.dismiss ?? 'Dismiss';
      close.addEventListener('click', () => {
        dismissed.add(hint.code);
        card.remove();
        body.focus();
      });
      card.append(title, why, close);
      cards.push(card);
    }
    box.replaceChildren(...cards);
  };
  form.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(ask, 600); });
  if (body.value || subject?.value) ask();
}

function threadIdOf(form) {
  return form.closest('body')?.dataset.page === 'thread' ? document.body.dataset.thread : '';
}

// ---- A thread: new messages in place, read position. ----
const list = document.getElementById('messages');
const threadId = document.body.dataset.thread;
let lastSeq = Number(document.body.dataset.lastSeq ?? 0);
let markedUpTo = 0;
let catching = null;

async function catchUp() {
  if (page !== 'thread') return;
  if (catching) return catching;
  catching = (async () => {
    const response = await fetch(`/threads/${threadId}/after?seq=${lastSeq}`, { credentials: 'same-origin' });
    if (!response.ok) return;
    const html = await response.text();
    const template = document.createElement('template');
    template.innerHTML = html;
    for (const item of template.content.querySelectorAll('li.message')) {
      lastSeq = Math.max(lastSeq, Number(item.dataset.seq));
      if (document.getElementById(item.id)) continue; // already shown
      item.classList.add('arrived');
      list.append(item);
      watchRead(item);
    }
  })().finally(() => { catching = null; });
  return catching;
}

// An edit or deletion: the message's item as it now stands replaces the shown one.
async function refreshMessage(id) {
  const shown = document.getElementById(`m-${id}`);
  if (!shown) return;
  const response = await fetch(`/messages/${id}/item`, { credentials: 'same-origin' });
  if (!response.ok) return;
  const template = document.createElement('template');
  template.innerHTML = await response.text();
  const fresh = template.content.querySelector('li.message');
  if (!fresh) return;
  const hadFocus = shown.contains(document.activeElement);
  shown.replaceWith(fresh);
  if (hadFocus) { fresh.tabIndex = -1; fresh.focus(); }
}

const seen = new IntersectionObserver((entries) => {
  for (const entry of entries) {
    if (!entry.isIntersecting || document.visibilityState !== 'visible') continue;
    const seq = Number(entry.target.dataset.seq);
    seen.unobserve(entry.target);
    if (seq > markedUpTo) {
      markedUpTo = seq;
      post(`/threads/${threadId}/read`, { message_id: entry.target.dataset.id }).catch(() => { markedUpTo = 0; });
    }
  }
}, { threshold: 0.6 });

function watchRead(item) {
  if (!item.classList.contains('mine')) seen.observe(item);
}

if (page === 'thread' && list) {
  const items = [...list.querySelectorAll('li.message')];
  // Only the newest unread needs watching: marking it marks all before it.
  const last = items.reverse().find((i) => !i.classList.contains('mine'));
  if (last) watchRead(last);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') for (const i of list.querySelectorAll('li.message:not(.mine)')) if (Number(i.dataset.seq) > markedUpTo) { seen.unobserve(i); seen.observe(i); }
  });
}

// ---- The inbox: counts and order follow the news. ----
let refreshTimer;
function refreshInbox() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(async () => {
    const response = await fetch(location.href, { credentials: 'same-origin' });
    if (!response.ok) return;
    const fresh = new DOMParser().parseFromString(await response.text(), 'text/html');
    const focused = document.activeElement?.closest('li[data-thread]')?.dataset.thread;
    // A row has two links: the thread's subject and the mentorship's people.
    const which = document.activeElement?.matches?.('a.with') ? 'a.with' : 'a.subject';
    for (const id of ['threads', 'unread-total']) {
      const now = document.getElementById(id);
      const next = fresh.getElementById(id);
      if (now && next) now.replaceWith(next);
      else if (!now && next) { location.reload(); return; }
    }
    if (focused) document.querySelector(`li[data-thread="${focused}"] ${which}`)?.focus();
  }, 150);
}

// ---- The live socket: reconnects, then catches up from the cursor. ----
let attempts = 0;
async function connect() {
  try {
    const response = await post('/app/ws-ticket', {});
    if (!response.ok) throw new Error('no ticket');
    const { ticket } = await response.json();
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const socket = new WebSocket(`${scheme}://${location.host}/api/v1/ws?ticket=${encodeURIComponent(ticket)}`);
    socket.addEventListener('open', () => socket.send(JSON.stringify({ type: 'hello', protocol: 1, cursors: {} })));
    socket.addEventListener('message', (frame) => {
      let msg;
      try { msg = JSON.parse(frame.data); } catch { return; }
      if (msg.type === 'live') {
        document.body.dataset.live = '1';
        const status = document.getElementById('live-status');
        if (attempts > 0) {
          if (status && status.textContent === l10n.reconnecting) status.textContent = l10n.back ?? '';
          catchUp();
          if (page === 'inbox') refreshInbox();
        }
        attempts = 0;
      } else if (msg.type === 'event') {
        const { kind, data } = msg.event;
        if (page === 'thread' && kind === 'message.created' && data?.message?.thread_id === threadId) catchUp();
        if (page === 'thread' && ['message.edited', 'message.deleted'].includes(kind) && data?.message?.thread_id === threadId) refreshMessage(data.message.id);
        // An erased member: their messages show the tombstone or the anonymous name.
        if (page === 'thread' && kind === 'member.erased' && list) for (const item of list.querySelectorAll(`li.message[data-author="${data?.user_id}"]`)) refreshMessage(item.dataset.id);
        if (page === 'inbox' && ['message.created', 'thread.created', 'read.updated', 'member.erased'].includes(kind)) refreshInbox();
      }
    });
    socket.addEventListener('close', () => retry());
  } catch {
    retry();
  }
}

function retry() {
  delete document.body.dataset.live;
  attempts += 1;
  const status = document.getElementById('live-status');
  if (status && attempts > 1) status.textContent = l10n.reconnecting ?? '';
  setTimeout(connect, Math.min(30000, 500 * 2 ** Math.min(attempts, 6)) * (0.75 + Math.random() / 2));
}

if (csrf && (page === 'thread' || page === 'inbox')) connect();
