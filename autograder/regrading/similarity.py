"""``cvgrade similarity HW DIR``: which pairs of submissions share code, ranked, for a TA to read.

Submissions are found as ``cvgrade batch`` finds them (``submissions.find_submissions``: every
subfolder or zip of DIR, names from Gradescope's metadata) and read with the grader's own
``discovery`` (never extracted, never executed). Each module is fingerprinted with
copydetect's winnowing (MOSS's algorithm: identifiers, strings and comments are normalised
away before k-grams of tokens are hashed, so renaming variables or moving functions around
changes little). The stub of each module is boilerplate: its k-grams are removed from every
fingerprint, so the code the course hands out (signatures, docstrings, the given helpers)
never counts, and an untouched stub has no fingerprint at all.

Every pair's shared fingerprints come from one sparse product (submissions x fingerprints),
so 300 submissions take seconds; only the most similar candidates are then compared in
detail with copydetect (``compare_files``: how much of each side is covered by copied
stretches, and where). A pair's ``similarity`` is the mean of the two coverages (a copy
padded with extra code still ranks high; two students who each wrote one short function
the same way do not outrank full copies). A pair whose members named each other in
``DISCLOSURE.md`` is marked (one-sided or mutual) so a TA sees at once which overlaps were
disclosed collaboration.

Outputs: a console table of the top pairs, ``--csv`` (every compared pair, most similar
first) and ``--report`` (one self-contained HTML file: the ranked table, then the top pairs'
overlapping code side by side with the shared stretches highlighted; everything a student
wrote is HTML-escaped).
"""
from __future__ import annotations

import builtins
import csv
import hashlib
import html
import keyword
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from autograder.course.layout import Homework
from autograder.errors import UserError
from autograder.regrading.submissions import BatchSubmission, find_submissions
from shared.disclosure import Disclosure

K = 25                  # noise threshold: shared stretches shorter than 25 normalised characters never count
WINDOW = 8              # winnowing window: any shared stretch of K + WINDOW - 1 characters is found
FLAG = 0.5              # a pair at or above this similarity is flagged for a TA to read
CANDIDATES = 200        # pairs compared in detail (most shared fingerprints first)
MIN_CANDIDATE = 0.1     # ...and only those sharing at least this share of the smaller fingerprint set


@dataclass
class Entry:
    """One submission: who, its modules' code, their fingerprints, what it disclosed."""

    submission: BatchSubmission
    code: dict[str, str] = field(default_factory=dict)
    prints: dict[str, Fingerprint] = field(default_factory=dict)
    disclosure: Disclosure | None = None
    problem: str = ""

    @property
    def label(self) -> str:
        names = ", ".join(s.name for s in self.submission.submitters)
        return f"{names} ({self.submission.key})" if names != self.submission.key else names

    @property
    def identifiers(self) -> list[str]:
        ids = []
        for s in self.submission.submitters:
            ids += [s.name, s.email, s.sid]
        return [i for i in ids if i] + [self.submission.key]


@dataclass
class Pair:
    a: Entry
    b: Entry
    similarity: float                 # mean of the two coverages, 0..1
    a_covered: float                  # share of a's (non-boilerplate) code found in b
    b_covered: float
    shared_tokens: int
    disclosed: str                    # "", "a names b", "b names a", "both"
    slices: dict[str, tuple] = field(default_factory=dict)   # module -> normalised (slices in a, in b)

    def raw_slices(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """The shared stretches of module ``name`` in each side's raw code."""
        slices_a, slices_b = self.slices[name]
        return self.a.prints[name].raw_slices(slices_a), self.b.prints[name].raw_slices(slices_b)

    @property
    def flagged(self) -> bool:
        return self.similarity >= FLAG


_TOKEN = re.compile(r"""
    (?P<string>(?:[rRbBuUfF]{1,2})?(?:\'\'\'[\s\S]*?\'\'\'|\"\"\"[\s\S]*?\"\"\"|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"))
  | (?P<skip>\#[^\n]*|\s+|\\\n)
  | (?P<name>[^\W\d]\w*)
  | (?P<number>\d[\w.]*)
  | (?P<other>.)
""", re.VERBOSE)
_KEPT = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(dir(builtins))


def normalise(code: str, positions: bool = False) -> tuple[str, np.ndarray, np.ndarray]:
    """Python code as copydetect's filter makes it (names ``V``, defined names ``F``, strings
    ``S``, comments and spaces gone; keywords, builtins and attribute names kept, since
    ``np.fft.fft2`` says what the code does and renaming cannot change it); with
    ``positions``, also where the token of every character kept starts and ends in ``code``
    (to highlight the raw code).

    One regular expression instead of pygments' lexer: several times faster, which is what
    lets a cohort of 300 be fingerprinted in seconds.
    """
    out: list[str] = []
    spans: list[tuple[int, int, int]] = []
    previous = ""
    for match in _TOKEN.finditer(code):
        kind = match.lastgroup
        if kind == "skip":
            continue
        text = match.group()
        if kind == "string":
            piece = "S"
        elif kind == "name":
            piece = text if text in _KEPT or previous == "." else ("F" if previous in ("def", "class") else "V")
        else:
            piece = text
        out.append(piece)
        if positions:
            spans.append((len(piece), match.start(), match.end()))
        previous = text
    if not positions:
        return "".join(out), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    lengths, starts, ends = (np.array(column, dtype=np.int64) for column in zip(*spans, strict=True)) if spans \
        else (np.zeros(0, dtype=np.int64),) * 3
    return "".join(out), np.repeat(starts, lengths), np.repeat(ends, lengths)


def _winnow(hashes: np.ndarray, window: int) -> np.ndarray:
    """Robust winnowing (Schleimer, Wilkerson and Aiken 2003), vectorised: the positions that
    are the minimum of some window of ``window`` consecutive hashes, the rightmost on ties.
    copydetect's own loop (``pywinnow``, used when its C extension is not built) selects the
    same set but costs a Python iteration per character."""
    if len(hashes) <= window:
        return np.array([len(hashes) - 1 - int(np.argmin(hashes[::-1]))]) if len(hashes) else np.zeros(0, np.int64)
    windows = np.lib.stride_tricks.sliding_window_view(hashes, window)
    rightmost = window - 1 - np.argmin(windows[:, ::-1], axis=1)
    return np.unique(np.arange(len(windows)) + rightmost)


_KGRAM_BASE = np.uint64(0x100000001B3)       # odd: every character shifts every later power


def kgram_hashes(text: str, k: int) -> np.ndarray:
    """int64 hashes of every ``k``-character window of ``text`` (``len(text) - k + 1`` of them).

    The same in every process: copydetect's ``hashed_kgrams`` hashes with Python's ``hash()``,
    which ``PYTHONHASHSEED`` salts per process, so winnowing kept different k-grams and two runs
    on the same submissions reported different similarities. A polynomial hash modulo 2**64
    (vectorised), then splitmix64's finaliser so that a window's minimum is a fair sample.
    """
    if len(text) < k:
        return np.zeros(0, np.int64)
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    powers = _KGRAM_BASE ** np.arange(k - 1, -1, -1, dtype=np.uint64)    # wraps modulo 2**64, as meant
    h = np.lib.stride_tricks.sliding_window_view(codes, k) @ powers
    h ^= h >> np.uint64(30)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(27)
    h *= np.uint64(0x94D049BB133111EB)
    h ^= h >> np.uint64(31)
    return h.view(np.int64)


@dataclass
class Fingerprint:
    """What copydetect's ``compare_files`` reads of a ``CodeFingerprint`` (``offsets`` empty:
    slices are mapped back to the raw ``code`` here, exactly, token by token)."""

    code: str
    k: int
    filtered_code: str
    hashes: set
    hash_idx: dict
    token_coverage: int
    offsets: np.ndarray = field(default_factory=lambda: np.array([]))

    def raw_slices(self, slices: np.ndarray) -> np.ndarray:
        """copydetect's slices of the normalised code as [starts, ends] in the raw code."""
        if not len(slices) or not len(slices[0]):
            return np.zeros((2, 0), dtype=np.int64)
        _, starts, ends = normalise(self.code, positions=True)
        first = np.clip(slices[0].astype(np.int64), 0, len(starts) - 1)
        last = np.clip(slices[1].astype(np.int64) - 1, 0, len(ends) - 1)
        return np.array([starts[first], ends[last]])


def _fingerprint(code: str, boilerplate: np.ndarray | None, window: int = WINDOW) -> Fingerprint:
    """copydetect's fingerprint of ``code``: its k-gram hashes (``kgram_hashes``), winnowed,
    less the boilerplate's, with where each occurs and how many characters they cover."""
    filtered = normalise(code)[0]
    hashes = kgram_hashes(filtered, K)
    if not len(hashes):
        return Fingerprint(code, K, filtered, set(), {}, 0)
    idx = _winnow(hashes, window)
    selected = hashes[idx]
    if boilerplate is not None and len(boilerplate):
        keep = ~np.isin(selected, boilerplate)
        selected, idx = selected[keep], idx[keep]
    hash_idx: dict[int, list[int]] = {}
    for value, position in zip(selected.tolist(), idx.tolist(), strict=True):
        hash_idx.setdefault(value, []).append(position)
    covered = np.zeros(len(filtered) + K, dtype=bool)
    covered[(idx[:, None] + np.arange(K)).ravel()] = True
    return Fingerprint(code, K, filtered, set(hash_idx), hash_idx, int(covered[:len(filtered)].sum()))


def boilerplate_hashes(homework: Homework) -> dict[str, object]:
    """{module file: every k-gram hash of its stub} (window 1: all of them, not a sample)."""
    out = {}
    for name in homework.files:
        stub = homework.stubs / name
        code = stub.read_text(encoding="utf-8", errors="replace") if stub.is_file() else ""
        out[name] = np.array(sorted(_fingerprint(code, None, window=1).hashes)) if code else np.array([])
    return out


def load(homework: Homework, directory: Path) -> list[Entry]:
    """Every submission under ``directory``, its modules read and fingerprinted."""
    from autograder.grading import discovery
    from shared import disclosure

    files = homework.files
    boiler = boilerplate_hashes(homework)
    known: dict[tuple[str, bytes], Fingerprint] = {}     # identical files (untouched stubs) once
    entries = []
    for submission in find_submissions(directory):
        entry = Entry(submission)
        try:
            found = discovery.collect([submission.path], [*files, disclosure.FILE_NAME])
        except UserError as err:
            entry.problem = str(err)
            entries.append(entry)
            continue
        for name in files:
            if name in found.files:
                entry.code[name] = found.files[name].decode("utf-8", "replace")
                digest = (name, hashlib.sha256(found.files[name]).digest())
                if digest not in known:
                    known[digest] = _fingerprint(entry.code[name], boiler[name])
                entry.prints[name] = known[digest]
        if disclosure.FILE_NAME in found.files:
            entry.disclosure = disclosure.parse(found.files[disclosure.FILE_NAME].decode("utf-8", "replace"))
        entries.append(entry)
    return entries


def _candidates(entries: list[Entry], limit: int) -> list[tuple[int, int]]:
    """Pairs (i, j) sharing the most fingerprints relative to the smaller set, best first."""
    from scipy import sparse

    ids: dict[tuple[str, int], int] = {}
    rows, cols = [], []
    for i, entry in enumerate(entries):
        for name, fp in entry.prints.items():
            for h in fp.hashes:
                rows.append(i)
                cols.append(ids.setdefault((name, int(h)), len(ids)))
    if not ids:
        return []
    matrix = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                               shape=(len(entries), len(ids)))
    matrix.data[:] = 1.0            # a hash kept twice in one file still counts once
    shared = sparse.triu(matrix @ matrix.T, k=1).tocoo()
    sizes = np.asarray(matrix.sum(axis=1)).ravel()
    smaller = np.minimum(sizes[shared.row], sizes[shared.col])
    share = shared.data / np.maximum(smaller, 1)
    keep = share >= MIN_CANDIDATE
    order = np.argsort(-share[keep], kind="stable")[:limit]
    return [(int(shared.row[keep][o]), int(shared.col[keep][o])) for o in order]


def _disclosed(a: Entry, b: Entry) -> str:
    from shared.disclosure import names_anyone

    a_names = a.disclosure is not None and names_anyone(a.disclosure, b.identifiers)
    b_names = b.disclosure is not None and names_anyone(b.disclosure, a.identifiers)
    return "both" if a_names and b_names else "a names b" if a_names else "b names a" if b_names else ""


def compare(a: Entry, b: Entry) -> Pair:
    """copydetect's detailed comparison of two submissions, module by module.

    Each side's coverage is the share of its normalised, non-boilerplate code that lies in
    stretches shared with the other, over all its modules (a module only one side has counts
    as not covered).
    """
    from copydetect import compare_files

    covered = {"a": 0.0, "b": 0.0}
    shared = 0
    slices = {}
    for name in sorted(set(a.prints) & set(b.prints)):
        fa, fb = a.prints[name], b.prints[name]
        overlap, (sim_a, sim_b), (slices_a, slices_b) = compare_files(fa, fb)
        if overlap:
            covered["a"] += sim_a * fa.token_coverage
            covered["b"] += sim_b * fb.token_coverage
            shared += int(overlap)
            slices[name] = (slices_a, slices_b)
    total_a = sum(fp.token_coverage for fp in a.prints.values())
    total_b = sum(fp.token_coverage for fp in b.prints.values())
    share_a = min(covered["a"] / total_a, 1.0) if total_a else 0.0
    share_b = min(covered["b"] / total_b, 1.0) if total_b else 0.0
    return Pair(a, b, (share_a + share_b) / 2, share_a, share_b, shared, _disclosed(a, b), slices)


def rank(entries: list[Entry], candidates: int = CANDIDATES) -> list[Pair]:
    """The candidate pairs compared in detail, most similar first."""
    pairs = [compare(entries[i], entries[j]) for i, j in _candidates(entries, candidates)]
    return sorted(pairs, key=lambda p: (-p.similarity, p.a.submission.key, p.b.submission.key))


def run_similarity(homework: Homework, directory: Path, *, report_path: Path | None = None,
                   csv_path: Path | None = None, show: int = 20, echo: Callable[[str], None] = print) -> list[Pair]:
    """Load, rank and report (console, CSV, HTML); return the ranked pairs."""
    try:        # instructor-only dependencies (requirements.txt), absent from Gradescope's image
        import copydetect  # noqa: F401
        import scipy.sparse  # noqa: F401
    except ImportError as err:
        raise UserError(f"cvgrade similarity needs {err.name} (pip install -r requirements.txt)") from None
    started = time.monotonic()
    hw = homework.id
    entries = load(homework, Path(directory))
    pairs = rank(entries)
    seconds = time.monotonic() - started
    unreadable = [e for e in entries if e.problem]
    flagged = [p for p in pairs if p.flagged]
    echo(f"{hw}: {len(entries)} submissions, {len(entries) * (len(entries) - 1) // 2} pairs, "
         f"{len(pairs)} compared in detail, {len(flagged)} at or above {FLAG:.0%} similarity ({seconds:.1f} s)")
    for p in pairs[:show]:
        mark = f"  [disclosed: {p.disclosed}]" if p.disclosed else ""
        echo(f"  {p.similarity:6.1%}  {p.a.label}  <->  {p.b.label}{mark}")
    for e in unreadable:
        echo(f"  not compared: {e.submission.key}: {e.problem}")
    if csv_path is not None:
        write_csv(pairs, Path(csv_path))
        echo(f"wrote {csv_path}")
    if report_path is not None:
        write_report(pairs, entries, Path(report_path), f"{hw}: code similarity", show=show)
        echo(f"wrote {report_path}")
    return pairs


def write_csv(pairs: list[Pair], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["rank", "similarity", "a", "b", "a_submission", "b_submission", "a_in_b", "b_in_a",
                         "shared_tokens", "flagged", "disclosed"])
        for i, p in enumerate(pairs, start=1):
            writer.writerow([i, f"{p.similarity:.4f}", _cell(p.a.label), _cell(p.b.label), _cell(p.a.submission.key),
                             _cell(p.b.submission.key), f"{p.a_covered:.4f}", f"{p.b_covered:.4f}", p.shared_tokens,
                             "yes" if p.flagged else "", p.disclosed])


def _cell(text: str) -> str:
    """No spreadsheet formulas from student-controlled names."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def highlighted(code: str, slices) -> str:
    """``code`` escaped, with the copied stretches (character slices) in ``<mark>``."""
    out, position = [], 0
    spans = sorted(zip(slices[0], slices[1], strict=True)) if len(slices) and len(slices[0]) else []
    for start, end in spans:
        start, end = max(int(start), position), min(int(end), len(code))
        if start >= end:
            continue
        out += [_e(code[position:start]), "<mark>", _e(code[start:end]), "</mark>"]
        position = end
    out.append(_e(code[position:]))
    return "".join(out)


_STYLE = """body{font-family:sans-serif;margin:2em;max-width:110em}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}tr.flag td{background:#fde8e8}
.side{display:flex;gap:1em}.side>div{flex:1;min-width:0}pre{background:#f7f7f7;padding:.5em;overflow-x:auto;
font-size:85%}mark{background:#ffd36b}.ok{color:#2a7a2a}"""


def write_report(pairs: list[Pair], entries: list[Entry], path: Path, title: str, show: int = 20) -> None:
    """The self-contained HTML report: ranked pairs, then the top pairs' code side by side."""
    rows = []
    for i, p in enumerate(pairs[:max(show * 5, 100)], start=1):
        disclosed = f'<span class="ok">{_e(p.disclosed)}</span>' if p.disclosed else ""
        rows.append(f'<tr class="{"flag" if p.flagged else ""}"><td>{i}</td><td>{p.similarity:.1%}</td>'
                    f"<td>{_e(p.a.label)}</td><td>{_e(p.b.label)}</td><td>{p.a_covered:.0%}</td>"
                    f"<td>{p.b_covered:.0%}</td><td>{p.shared_tokens}</td><td>{disclosed}</td></tr>")
    details = []
    for i, p in enumerate(pairs[:show], start=1):
        parts = [f"<h3>{i}. {p.similarity:.1%}: {_e(p.a.label)} and {_e(p.b.label)}"
                 + (f" (disclosed: {_e(p.disclosed)})" if p.disclosed else "") + "</h3>"]
        for name in sorted(p.slices):
            slices_a, slices_b = p.raw_slices(name)
            parts.append(f"<h4>{_e(name)}</h4><div class=\"side\"><div><b>{_e(p.a.label)}</b>"
                         f"<pre>{highlighted(p.a.code.get(name, ''), slices_a)}</pre></div><div><b>{_e(p.b.label)}</b>"
                         f"<pre>{highlighted(p.b.code.get(name, ''), slices_b)}</pre></div></div>")
        details.append("\n".join(parts))
    unreadable = "".join(f"<li>{_e(e.submission.key)}: {_e(e.problem)}</li>" for e in entries if e.problem)
    flagged = sum(p.flagged for p in pairs)
    document = f"""<!doctype html><html><head><meta charset="utf-8"><title>{_e(title)}</title>
<style>{_STYLE}</style></head><body><h1>{_e(title)}</h1>
<p>{len(entries)} submissions; {len(pairs)} pairs compared in detail; {flagged} at or above {FLAG:.0%}
similarity (highlighted). Similarity is the mean share of each side's own code (the stubs removed, names and
strings normalised) found in the other; "disclosed" says who named whom in DISCLOSURE.md. A high score is a
reason to read the code, not a verdict.</p>
<h2>Most similar pairs</h2><table><tr><th>#</th><th>similarity</th><th>submission A</th><th>submission B</th>
<th>A in B</th><th>B in A</th><th>shared tokens</th><th>disclosed</th></tr>
{"".join(rows) or '<tr><td colspan="8">no pair shares code beyond the stubs</td></tr>'}</table>
{f"<h2>Not compared</h2><ul>{unreadable}</ul>" if unreadable else ""}
<h2>Overlapping code of the top pairs</h2>
{"".join(details) or "<p>none</p>"}
</body></html>
"""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document, encoding="utf-8")
