#!/usr/bin/env python3
"""Helpers of the reproduction scripts (scripts/repro/*.sh): read one number out of a brink result, and render
a paper's cells.csv as a self-contained HTML table.

  cells.py get FILE SELECTOR [TRANSFORM]
      FILE .json: SELECTOR is a dotted path (results.attacks.0.robust_accuracy); a path element [key=value,...]
      picks the first list item whose keys equal the values, key~text one whose key contains text
      (results.attacks[label=pgd-l2].robust_accuracy).
      FILE .csv: SELECTOR is col=value[,col=value...]:field (attack=fgsm,eps=0.1:accuracy); eps compare as numbers.
      TRANSFORM: pct (x100), err (100 - x100), count (an integer), none. Prints the number with 2 decimals (3 significant digits
      below 0.1), or n/a (no file, no such entry, or not a finite number).
  cells.py html CELLS_CSV OUT_HTML TITLE
  cells.py md CELLS_CSV          the cells as a markdown table (docs/reproductions.md)
  cells.py fill CELLS_CSV DOC HEADING
      writes each cell's brink value into the "full run" column of DOC's table row with the same table, row and
      column, in the section whose heading starts with HEADING (## Yu et al.); other columns stay as they are.
      Prints how many rows it filled and every cell it found no row for.
  cells.py merge OUT_CSV IN_CSV...
      one cells file from the cells of several partial runs (ROWS=... shards: cells-rows-HASH.csv, or a running
      shard's .csv.tmp), in the order read; a cell (table, row, column) that appears again replaces the earlier one.
"""
import csv, html, json, math, os, re, sys


def num_eq(a, b):
    try:
        return math.isclose(float(a), float(b), rel_tol=1e-6, abs_tol=1e-9)
    except ValueError:
        return a == b


def matches(item, cond):
    """cond: key=value or key~substring, several joined by ','."""
    for c in cond.split(','):
        if '~' in c:
            k, v = c.split('~', 1)
            if v not in str(item.get(k, '')):
                return False
        else:
            k, v = c.split('=', 1)
            if not num_eq(str(item.get(k)), v):
                return False
    return True


def get_json(path, selector):
    node = json.load(open(path))
    parts = re.findall(r'\[[^\]]*\]|[^.\[]+', selector)
    i = 0
    while i < len(parts):
        part = parts[i]
        if isinstance(node, list):
            if part.startswith('['):
                node = next((x for x in node if isinstance(x, dict) and matches(x, part[1:-1])), None)
            else:
                node = node[int(part)] if int(part) < len(node) else None
        elif isinstance(node, dict):
            # a key may hold dots (mean_jm_zero_0.001): the longest run of the next parts that is a key
            for j in range(len(parts), i, -1):
                key = '.'.join(parts[i:j])
                if key in node:
                    node, i = node[key], j - 1
                    break
            else:
                node = None
        else:
            node = None
        if node is None:
            return None
        i += 1
    return node


def get_csv(path, selector):
    cond, field = selector.rsplit(':', 1)
    pairs = [c.split('=', 1) for c in cond.split(',') if c]
    with open(path, newline='') as f:
        for row in csv.DictReader(f):
            if all(k in row and num_eq(row[k], v) for k, v in pairs):
                return row.get(field)
    return None


def get(path, selector, transform='none'):
    if not os.path.isfile(path):
        return 'n/a'
    try:
        v = get_json(path, selector) if path.endswith('.json') else get_csv(path, selector)
        v = float(v)
    except (TypeError, ValueError, KeyError, IndexError):
        return 'n/a'
    if not math.isfinite(v):
        return 'n/a'  # e.g. the mean margin of no correctly classified point (a constant predictor's)
    if transform == 'pct':
        v *= 100
    elif transform == 'err':
        v = 100 - 100 * v
    elif transform == 'count':
        return f'{v:.0f}'
    if v != 0 and abs(v) < 0.1:
        return f'{v:.3g}'  # small values (gradient norms) keep three significant digits
    return f'{v:.2f}'


def render(cells_csv, out_html, title):
    rows = list(csv.DictReader(open(cells_csv, newline=''))) if os.path.isfile(cells_csv) else []
    head = ['table', 'row', 'column', 'paper', 'brink', 'mode', 'settings', 'source']
    out = [f'<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>',
           '<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #aaa;'
           'padding:3px 6px;font-size:13px;vertical-align:top}th{background:#eee}td.n{text-align:right}'
           '.na{color:#a00}</style></head><body>', f'<h1>{html.escape(title)}</h1>',
           f'<p>{len(rows)} cells. Paper numbers are read from the paper; brink numbers from the raw results next to '
           'this page (source). Rows in quick mode are smoke runs, not reproductions.</p><table><tr>']
    out += [f'<th>{h}</th>' for h in head] + ['</tr>']
    for r in rows:
        out.append('<tr>')
        for h in head:
            v = r.get(h, '')
            cls = ' class="n"' if h in ('paper', 'brink') else ''
            if h == 'brink' and not v[:1].isdigit():
                cls = ' class="na"'
            if h == 'source' and v:
                v_html = f'<a href="{html.escape(v)}">{html.escape(v)}</a>'
            else:
                v_html = html.escape(v)
            out.append(f'<td{cls}>{v_html}</td>')
        out.append('</tr>')
    out.append('</table></body></html>')
    tmp = out_html + '.tmp'
    with open(tmp, 'w') as f:
        f.write('\n'.join(out))
    os.replace(tmp, out_html)


def markdown(cells_csv):
    """The cells as a docs/reproductions.md table: the brink value goes in the quick column (a quick run's cells)."""
    rows = list(csv.DictReader(open(cells_csv, newline='')))
    print('| table | row | column | paper | quick run (not a reproduction) | full run | gap and likely cause |')
    print('|---|---|---|---|---|---|---|')
    def md(v):
        return v.replace('|', '\\|')  # a literal | (norm bars) would split the cell

    for r in rows:
        print(f"| {md(r['table'])} | {md(r['row'])} | {md(r['column'])} | {md(r['paper'])} | {md(r['brink'])} |  |  |")


def fill(cells_csv, doc, heading):
    """Fills the full-run column of one section's table from a full run's cells.csv (see the module doc)."""
    cells = {(r['table'], r['row'], r['column']): r['brink'] for r in csv.DictReader(open(cells_csv, newline=''))}
    lines = open(doc).read().split('\n')
    start = next((i for i, l in enumerate(lines) if l.startswith('#') and l.lstrip('#').strip().startswith(heading)), None)
    if start is None:
        sys.exit(f'{doc}: no section heading starts with {heading!r}')
    level = len(lines[start]) - len(lines[start].lstrip('#'))
    filled, seen = 0, set()
    for i in range(start + 1, len(lines)):
        l = lines[i]
        if l.startswith('#') and len(l) - len(l.lstrip('#')) <= level:
            break  # the next section of the same or a higher level
        if not l.startswith('| '):
            continue
        cols = re.split(r'(?<!\\)\|', l)[1:-1]  # a \| inside a cell (norm bars) does not split
        if len(cols) != 7:
            continue
        key = tuple(c.strip().replace('\\|', '|') for c in cols[:3])
        if key in cells:
            cols[5] = f' {cells[key]} '
            lines[i] = '|' + '|'.join(cols) + '|'
            filled += 1
            seen.add(key)
    tmp = doc + '.tmp'
    with open(tmp, 'w') as f:
        f.write('\n'.join(lines))
    os.replace(tmp, doc)
    print(f'{doc}: filled {filled} rows of "{heading}"')
    for k in cells:
        if k not in seen:
            print('no row for', ' | '.join(k))


def merge(out_csv, inputs):
    """Cells of several partial runs as one file (see the module doc)."""
    head = ['table', 'row', 'column', 'paper', 'brink', 'mode', 'settings', 'source']
    cells = {}
    for path in inputs:
        for r in csv.DictReader(open(path, newline='')):
            cells[(r['table'], r['row'], r['column'])] = r  # a dict keeps the first position, takes the last value
    tmp = out_csv + '.tmp'
    with open(tmp, 'w', newline='') as f:
        w = csv.DictWriter(f, fieldnames=head, extrasaction='ignore')
        w.writeheader()
        w.writerows(cells.values())
    os.replace(tmp, out_csv)
    print(f'{out_csv}: {len(cells)} cells from {len(inputs)} files')


if __name__ == '__main__':
    if len(sys.argv) >= 4 and sys.argv[1] == 'get':
        print(get(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else 'none'))
    elif len(sys.argv) == 3 and sys.argv[1] == 'md':
        markdown(sys.argv[2])
    elif len(sys.argv) >= 4 and sys.argv[1] == 'merge':
        merge(sys.argv[2], sys.argv[3:])
    elif len(sys.argv) == 5 and sys.argv[1] == 'fill':
        fill(sys.argv[2], sys.argv[3], sys.argv[4])
    elif len(sys.argv) == 5 and sys.argv[1] == 'html':
        render(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(__doc__)
