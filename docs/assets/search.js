// Site search: filters window.TSGI_SEARCH (rows of [title, detail, url, kind, text?], built by
// docs/build/search.mjs) as the reader types. Plain script, no dependencies, works offline and
// from file://. URLs in the index are relative to the site root, found from this script's own src.
(() => {
  const script = document.currentScript;
  const root = new URL('..', script ? script.src : location.href);
  const input = document.getElementById('tsgi-q');
  const list = document.getElementById('tsgi-results');
  if (!input || !list) return;
  const MAX = 20;
  let active = -1;

  // Lower is better: exact title, title prefix, word in title, in the detail, the phrase in the
  // full text (the rule, the section, the TSDoc summary), then every word somewhere in the row.
  function rank(row, q, words) {
    const t = row[0].toLowerCase();
    if (t === q) return 0;
    if (t.startsWith(q)) return 1;
    if (t.includes(q)) return 2;
    if (row[1].toLowerCase().includes(q)) return 3;
    const x = (row[4] || '').toLowerCase();
    if (x.includes(q)) return 4;
    if (words.length > 1) {
      const all = `${t} ${row[1].toLowerCase()} ${x}`;
      if (words.every((w) => all.includes(w))) return 5;
    }
    return -1;
  }

  function search(query) {
    const q = query.trim().toLowerCase().replace(/\s+/g, ' ');
    const index = window.TSGI_SEARCH || [];
    if (q === '') return [];
    const words = q.split(' ');
    const hits = [];
    for (let i = 0; i < index.length; i++) {
      const r = rank(index[i], q, words);
      if (r >= 0) hits.push([r, i]);
    }
    hits.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    return hits
      .slice(0, MAX)
      .map((h) => [...index[h[1]], h[0] >= 4 ? snippet(index[h[1]][4], words[0]) : '']);
  }

  // The words around the first match in the full text, so the reader sees why it matched.
  function snippet(text, word) {
    const at = text.toLowerCase().indexOf(word);
    if (at < 0) return '';
    const from = Math.max(0, at - 40);
    return `${from > 0 ? '…' : ''}${text.slice(from, at + word.length + 60)}…`;
  }

  function render() {
    const rows = search(input.value);
    list.replaceChildren();
    active = -1;
    if (input.value.trim() === '') {
      list.hidden = true;
      return;
    }
    if (rows.length === 0) {
      const li = document.createElement('li');
      li.className = 'none';
      li.textContent = 'No matches';
      list.append(li);
    }
    for (const [title, detail, url, kind, , quote] of rows) {
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.href = new URL(url, root).href;
      a.className = `kind-${kind}`;
      const t = document.createElement('span');
      t.className = 'title';
      t.textContent = title;
      const d = document.createElement('span');
      d.className = 'detail';
      d.textContent = detail;
      a.append(t, d);
      if (quote) {
        const x = document.createElement('span');
        x.className = 'detail quote';
        x.textContent = quote;
        a.append(x);
      }
      li.append(a);
      list.append(li);
    }
    list.hidden = false;
  }

  function move(step) {
    const links = list.querySelectorAll('a');
    if (links.length === 0) return;
    active = (active + step + links.length) % links.length;
    links[active].focus();
  }

  input.addEventListener('input', render);
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      move(1);
    } else if (e.key === 'Enter') {
      const first = list.querySelector('a');
      if (first) location.href = first.href;
    } else if (e.key === 'Escape') {
      list.hidden = true;
    }
  });
  list.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      move(e.key === 'ArrowDown' ? 1 : -1);
    } else if (e.key === 'Escape') {
      list.hidden = true;
      input.focus();
    }
  });
  document.addEventListener('click', (e) => {
    if (!list.contains(e.target) && e.target !== input) list.hidden = true;
  });
  // "/" focuses the box, as on most documentation sites; typedoc pages keep their own search.
  if (document.getElementById('tsd-search')) return;
  document.addEventListener('keydown', (e) => {
    if (e.key === '/' && document.activeElement === document.body) {
      e.preventDefault();
      input.focus();
    }
  });
})();
