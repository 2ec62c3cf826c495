// The page of diskd-actors: reads /api/hosts and /api/search, follows
// /events. Every value from the daemon is outside input (labels come from
// other hosts): the DOM is built with textContent and setAttribute only.
'use strict';

const $ = (id) => document.getElementById(id);

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

function ago(t) {
  const ms = Date.now() - Date.parse(t);
  if (!(ms >= 0)) return 'just now';
  const s = Math.round(ms / 1000);
  if (s < 60) return s + 's ago';
  if (s < 3600) return Math.round(s / 60) + 'm ago';
  if (s < 86400) return Math.round(s / 3600) + 'h ago';
  return Math.round(s / 86400) + 'd ago';
}

// agoEl shows a time as "12s ago", kept current by tick().
function agoEl(cls, prefix, t) {
  const e = el('span', cls);
  e.dataset.prefix = prefix;
  e.dataset.t = t;
  e.textContent = prefix + ago(t);
  return e;
}

function tick() {
  for (const e of document.querySelectorAll('[data-t]')) e.textContent = e.dataset.prefix + ago(e.dataset.t);
}

async function getJSON(url) {
  const r = await fetch(url, { cache: 'no-store' });
  if (!r.ok) throw new Error(r.status + ' ' + (await r.text()));
  return r.json();
}

function mountText(d) {
  const ms = d.mounts || [];
  if (ms.length === 0) return el('span', 'unmounted', 'not mounted');
  return el('span', 'mounted', ms.map((m) => m.path + (m.ro ? ' (ro)' : '')).join(', '));
}

function diskTable(rows, cols) {
  const t = el('table');
  const head = el('tr');
  for (const c of cols) head.append(el('th', null, c.name));
  const thead = el('thead');
  thead.append(head);
  t.append(thead);
  const body = el('tbody');
  for (const r of rows) {
    const tr = el('tr', r.cls);
    if (r.node) tr.setAttribute('data-node', r.node);
    for (const c of cols) {
      const td = el('td', c.mono ? 'mono' : null);
      const v = c.get(r.d, r);
      if (v instanceof Node) td.append(v); else td.textContent = v == null ? '' : String(v);
      tr.append(td);
    }
    body.append(tr);
  }
  t.append(body);
  return t;
}

const diskCols = [
  { name: 'Label', get: (d) => d.label },
  { name: 'UUID', mono: true, get: (d) => d.uuid },
  { name: 'Device', mono: true, get: (d) => d.device },
  { name: 'Type', get: (d) => d.type },
  { name: 'Mounted', get: (d) => mountText(d) },
];

function renderHosts(v) {
  $('node').textContent = v.node;
  const box = $('hosts');
  box.replaceChildren();
  for (const h of v.hosts) {
    const card = el('div', 'host ' + h.state);
    card.setAttribute('data-node', h.node);
    const head = el('div', 'head');
    head.append(el('span', 'name', h.node));
    head.append(el('span', 'state ' + h.state, h.state + (h.left ? ' (stopped)' : '') + (h.conflict ? ' · name conflict' : '')));
    if (h.local) head.append(el('span', 'heard', 'this host'));
    else if (h.last_seen) head.append(agoEl('heard', 'last heard ', h.last_seen));
    card.append(head);
    if (h.disks.length === 0) card.append(el('div', 'empty', h.state === 'down' ? 'disks under “last seen”' : 'no disks'));
    else card.append(diskTable(h.disks.map((d) => ({ d })), diskCols));
    box.append(card);
  }
  const lo = $('left-out');
  lo.classList.toggle('hidden', !v.disks_left_out);
  lo.textContent = v.disks_left_out ? v.disks_left_out + ' more disks not shown: search for them' : '';
  const gone = $('gone');
  gone.replaceChildren();
  if (v.gone.length === 0) gone.append(el('p', 'note', 'none'));
  else gone.append(diskTable(v.gone.map((s) => ({ d: s, node: s.node, s })), goneCols));
}

const goneCols = [
  { name: 'Last on', get: (d) => d.node },
  { name: 'When', get: (d) => agoEl('', '', d.at) },
  ...diskCols.slice(0, 4),
];

function renderSearch(res) {
  const box = $('results');
  box.replaceChildren();
  const rows = res.matches.map((m) => ({ d: m, node: m.node, cls: 'result' }))
    .concat(res.last_seen.map((s) => ({ d: s, node: s.node, cls: 'result gone' })));
  if (rows.length === 0) {
    box.append(el('p', 'note', 'no disk matches ' + JSON.stringify(res.query)));
    return;
  }
  box.append(diskTable(rows, [
    { name: 'Where', get: (d, r) => el('span', 'found', r.cls.includes('gone') ? d.node + ' (gone, ' + ago(d.at) + ')' : d.node + (d.local ? ' (this host)' : '')) },
    ...diskCols,
  ]));
  if (res.truncated) box.append(el('p', 'note', 'more match: type more to narrow'));
}

let searchSeq = 0;
async function runSearch() {
  const q = $('q').value;
  const seq = ++searchSeq;
  if (q.trim() === '') { $('results').replaceChildren(); return; }
  try {
    const res = await getJSON('/api/search?limit=50&q=' + encodeURIComponent(q));
    if (seq === searchSeq) renderSearch(res);
  } catch (e) {
    if (seq === searchSeq) $('results').replaceChildren(el('p', 'note', 'search failed: ' + e.message));
  }
}

async function loadHosts() {
  try { renderHosts(await getJSON('/api/hosts')); } catch (e) { $('left-out').textContent = 'cannot load: ' + e.message; }
}

// Events come in bursts (a peer's whole inventory): reload once per burst.
let reloadTimer = null;
function scheduleReload() {
  if (reloadTimer) return;
  reloadTimer = setTimeout(() => { reloadTimer = null; loadHosts(); runSearch(); }, 150);
}

function setLive(on) {
  const l = $('live');
  l.className = on ? 'on' : 'off';
  l.textContent = on ? 'live' : 'reconnecting';
}

const kinds = ['peer_up', 'peer_suspect', 'peer_down', 'peer_left', 'peer_restarted', 'peer_forgotten',
  'peer_conflict', 'disk_added', 'disk_removed', 'disk_mounted', 'disk_unmounted', 'duplicate_uuid'];

function follow() {
  const es = new EventSource('/events');
  es.addEventListener('hello', () => { setLive(true); scheduleReload(); });
  for (const k of kinds) es.addEventListener(k, scheduleReload);
  es.onerror = () => setLive(false);
}

let typing = null;
$('q').addEventListener('input', () => { clearTimeout(typing); typing = setTimeout(runSearch, 120); });
// A search can be linked to: /?q=backup.
const linked = new URLSearchParams(location.search).get('q');
if (linked) { $('q').value = linked; runSearch(); }
loadHosts();
follow();
setInterval(tick, 5000);
