"""Writing ``graph.ttl``: the triples of ``kg.export.rdf_model`` as sorted, byte-stable Turtle text.

rdflib's Turtle serializer does not promise an order, so this module writes
the Turtle itself: subjects, predicates and objects sorted, one subject block
each, every string escaped for Turtle and every IRI ASCII. Same graph, same
bytes. It renders the model's plain-text terms directly (making, hashing and
sorting an rdflib term for every triple was most of the time), and fills two
kinds of blocks in from templates (evidence nodes, entities' ``kg:mentionedIn``),
which ``tests/test_hostile.py`` holds to the general path's bytes.

>>> from kg.graph import add_entity, new_graph
>>> G = new_graph()
>>> _ = add_entity(G, "Agency", "河北省科学技术厅", aliases=["省科技厅"])
>>> print(turtle_text(G).split(2 * chr(10))[1], end="")
kgr:agency-852ee94733dc
    a org:FormalOrganization, org:Organization, kg:Agency, schema:GovernmentOrganization, schema:Organization ;
    skos:altLabel "省科技厅"@zh ;
    skos:prefLabel "河北省科学技术厅"@zh ;
    kg:mentionCount 1 .
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from pathlib import Path

import networkx as nx
import orjson
from rdflib import Graph as RDFGraph

from kg.export import atomic_write
from kg.export.rdf_model import (
    _A,
    _END,
    _EVIDENCE,
    _INTEGER,
    _MIN,
    _QUOTED,
    _START,
    _STRING,
    _VALUE,
    GRAPH_PREFIXES,
    Term,
    _Blank,
    _document,
    _entity,
    _evidence,
    _evidence_triples,
    _memo_evidence_iri,
    _plain_term,
    _post,
    _statement,
    statements,
    types_of,
)
from kg.vocab import PREFIXES


def _evidence_blocks(
    G: nx.MultiDiGraph,
    prefixes: list[tuple[str, str]],
    evidence_iri: Callable[[dict], str] = _evidence,
    terms: dict | None = None,
) -> dict[str, str]:
    """The Turtle block of every evidence node, by its IRI: what ``turtle_lines`` writes for
    ``_evidence_triples``, made directly. ``terms`` gets each evidence IRI's written
    form, for the statements that name it.

    Evidence is most of a big graph.ttl (130,000 nodes of 1.4 million triples
    on the 50 MB benchmark), and every evidence block has the same shape: one
    object per predicate, in one order. Filling that shape in is five times
    quicker than building and sorting each block from its triples;
    ``tests/test_hostile.py`` holds the result to the general path's bytes.
    """
    terms = {} if terms is None else terms
    by_length = sorted(prefixes, key=lambda x: (-len(x[1]), x[0]))
    sample = _evidence_triples({"sentence": "", "start": 0, "end": 0}, "")
    order = sorted(dict.fromkeys(p for p, _ in sample), key=_predicate_key)
    # One template for every block; the objects as _term writes them: an xsd:integer
    # is its digits, a zh string is quoted and escaped, _A's objects are the classes.
    slots = {
        _A: ", ".join(_term(c, by_length) for c in _sorted(types_of(_EVIDENCE))),
        _VALUE: '"{value}"@zh',
        _QUOTED: "{quoted}",
        _START: "{start}",
        _END: "{end}",
    }
    lines = ["{subject}"] + [f"    {'a' if p == _A else _term(p, by_length)} {slots[p]} ;" for p in order]
    template = "\n".join(lines)[:-1] + "."
    documents: dict[str, str] = {}
    blocks: dict[str, str] = {}
    for _, _, data in G.edges(data=True):
        for ev in data.get("evidence") or ():
            e = evidence_iri(ev)
            if e in blocks:
                continue
            doc_id = ev["document"]
            quoted = documents.get(doc_id)
            if quoted is None:
                quoted = documents[doc_id] = _term(_document(doc_id), by_length)
            subject = terms[e] = _term(e, by_length)
            blocks[e] = template.format(
                subject=subject,
                value=escape_string(ev["sentence"]),
                quoted=quoted,
                start=int(ev["start"]),
                end=int(ev["end"]),
            )
    return blocks


def _mentioned_in(G: nx.MultiDiGraph, prefixes: list[tuple[str, str]]) -> dict[str, dict[str, str]]:
    """Each entity's ``kg:mentionedIn`` objects as ``turtle_lines`` writes them: ``{entity IRI: {predicate: text}}``.

    Most triples of a big graph.ttl are these (530,000 of 1.1 million on the
    50 MB benchmark): each document's term is written once here, not once per
    entity that names it.
    """
    by_length = sorted(prefixes, key=lambda x: (-len(x[1]), x[0]))
    iris: dict[str, str] = {}
    terms: dict[str, str] = {}
    out: dict[str, dict[str, str]] = {}
    for nid, data in G.nodes(data=True):
        if not data.get("documents"):
            continue
        objects = set()
        for doc_id in data["documents"]:
            iri = iris.get(doc_id)
            if iri is None:
                iri = iris[doc_id] = _document(doc_id)
                terms[iri] = _term(iri, by_length)
            objects.add(iri)
        out[_entity(nid)] = {_MIN: ", ".join(terms[iri] for iri in sorted(objects))}
    return out


_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_INTEGER_LEXICAL = re.compile(r"[+-]?[0-9]+")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
# The characters _ESCAPES names, other control characters, surrogates and the two noncharacters U+FFFE/FFFF.
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f\x7f\ud800-\udfff\ufffe\uffff]')


def _escape_char(match: re.Match) -> str:
    ch = match.group()
    return _ESCAPES.get(ch) or f"\\u{ord(ch):04X}"


def escape_string(text: str) -> str:
    """Escape for a Turtle ``"…"`` string; other control characters become ``\\uXXXX``."""
    return _NEEDS_ESCAPE.sub(_escape_char, text)


@lru_cache(maxsize=8)
def _prefixed(prefixes: tuple[tuple[str, str], ...]) -> tuple[re.Pattern, dict[str, str]]:
    """One pattern for "a namespace of ``prefixes`` (first that fits, in their order), then a local name"."""
    alternatives = "|".join(re.escape(ns) for _, ns in prefixes)
    return re.compile(f"({alternatives})({_LOCAL.pattern})"), {ns: prefix for prefix, ns in reversed(prefixes)}


def _iri(text: str, prefixes: list[tuple[str, str]]) -> str:
    """``prefix:local`` for the first of ``prefixes`` that fits, else ``<text>``, percent-encoded to ASCII."""
    if prefixes:
        pattern, names = _prefixed(tuple(prefixes))
        m = pattern.fullmatch(text)
        if m:
            return f"{names[m.group(1)]}:{m.group(2)}"
    # ASCII IRIs only: percent-encode anything that may not appear in <…>.
    safe = "".join(c if 0x20 < ord(c) < 0x7F and c not in '<>"{}|^`\\' else _pct(c) for c in text)
    return f"<{safe}>"


def _pct(ch: str) -> str:
    return "".join(f"%{b:02X}" for b in ch.encode("utf-8"))


def _term(term: Term, prefixes: list[tuple[str, str]]) -> str:
    if isinstance(term, str):
        return _iri(term, prefixes)
    if isinstance(term, _Blank):
        return f"_:{term.id}"
    datatype, language, lexical = term
    if datatype == _INTEGER and _INTEGER_LEXICAL.fullmatch(lexical):
        return lexical
    body = f'"{escape_string(lexical)}"'
    if language:
        return f"{body}@{language}"
    if datatype and datatype != _STRING:
        return f"{body}^^{_iri(datatype, prefixes)}"
    return body


def _sort_key(term: Term) -> tuple:
    """IRIs by their text, then blank nodes, then literals by (datatype, language, lexical form)."""
    if isinstance(term, str):
        return (0, term)
    if isinstance(term, _Blank):
        return (1, term.id)
    return (2, *term)


def _sorted(terms: Iterable[Term]) -> list[Term]:
    """``terms`` in ``_sort_key`` order, without calling it when it is not needed.

    IRIs alone (``str``) or literals alone (plain tuples) sort the same by
    themselves. Anything else puts a ``_Blank``, or an IRI and a literal, side
    by side in the result, and sorting must compare them: that raises
    ``TypeError``, and the key decides.
    """
    try:
        return sorted(terms)  # type: ignore[type-var]
    except TypeError:
        return sorted(terms, key=_sort_key)


def _predicate_key(p: str) -> tuple[bool, str]:
    return (p != _A, p)


def turtle_lines(
    statements: Iterable[tuple[Term, str, Term]],
    prefixes: list[tuple[str, str]],
    blocks: dict[str, str] | None = None,
    written: dict[str, dict[str, str]] | None = None,
    terms: dict | None = None,
) -> str:
    """Sorted Turtle of ``statements``.

    ``blocks``: whole subject blocks already written (no other triples about
    those subjects). ``written``: for some subjects, the objects of some
    predicates already written (``{subject: {predicate: text}}``), predicates
    that ``statements`` leaves out for them. ``terms``: terms already written
    (``{term: text}``).
    """
    prefixes = sorted(prefixes)
    lines = _prefix_lines(prefixes)
    for _, block in _subject_blocks(statements, prefixes, blocks, written, terms):
        lines += ("", block)
    return "\n".join(lines) + "\n"


def _prefix_lines(prefixes: list[tuple[str, str]]) -> list[str]:
    return [f"@prefix {p}: <{ns}> ." for p, ns in prefixes]


def _subject_blocks(
    statements: Iterable[tuple[Term, str, Term]],
    prefixes: list[tuple[str, str]],
    blocks: dict[str, str] | None = None,
    written: dict[str, dict[str, str]] | None = None,
    terms: dict | None = None,
) -> Iterator[tuple[Term, str]]:
    """``(subject, its block)`` in the order of graph.ttl: the block is its lines, joined (``turtle_lines``)."""
    blocks = blocks or {}
    written = written or {}
    # Longest namespace first, so no shorter overlapping namespace shadows it.
    by_length = sorted(prefixes, key=lambda x: (-len(x[1]), x[0]))
    # subject -> predicate -> its one object, or a set of them once there is a second
    # (most have one: not making a set for each keeps this loop and the garbage collector quick).
    tree: dict[Term, dict[str, Term | set[Term]]] = {}
    preds: dict[str, Term | set[Term]] = {}
    subject: Term | None = None
    for s, p, o in statements:
        if s is not subject:  # a subject's triples mostly come together
            subject = s
            preds = tree.setdefault(s, {})
        objs = preds.get(p)
        if objs is None:
            preds[p] = o
        elif isinstance(objs, set):
            objs.add(o)
        elif objs != o:
            preds[p] = {objs, o}

    used = {p for preds in tree.values() for p in preds} | {p for preds in written.values() for p in preds}
    verbs = {p: "a" if p == _A else _term(p, by_length) for p in used}
    cache: dict[Term, str] = dict(terms or {})
    orders: dict[tuple[str, ...], list[str]] = {}
    for s in _sorted(tree.keys() | blocks.keys() | written.keys()):
        if s in blocks:
            yield s, blocks[s]  # type: ignore[index]
            continue
        preds = tree.get(s, {})
        done = written.get(s, {})  # type: ignore[arg-type]
        lines = [cache.get(s) or cache.setdefault(s, _term(s, by_length))]
        append = lines.append
        order = (*preds, *done)  # subjects of a kind share their predicates: sort each set of them once
        ordered = orders.get(order)
        if ordered is None:
            ordered = orders[order] = sorted(order, key=_predicate_key)
        last = ordered[-1]
        for p in ordered:
            if p in done:
                append(f"    {verbs[p]} {done[p]}{' .' if p == last else ' ;'}")
                continue
            objs = preds[p]
            if not isinstance(objs, set):
                body = cache.get(objs)
                if body is None:
                    body = cache[objs] = _term(objs, by_length)
            else:
                texts = []
                for o in _sorted(objs):
                    t = cache.get(o)
                    if t is None:
                        t = cache[o] = _term(o, by_length)
                    texts.append(t)
                body = ", ".join(texts)
            append(f"    {verbs[p]} {body}{' .' if p == last else ' ;'}")
        yield s, "\n".join(lines)


def turtle_of(R: RDFGraph) -> str:
    """Sorted, byte-stable Turtle for any rdflib graph, with its bound prefixes."""
    plain = ((_plain_term(s), str(p), _plain_term(o)) for s, p, o in R)
    return turtle_lines(plain, [(p, str(ns)) for p, ns in R.namespaces()])


def turtle_text(G: nx.MultiDiGraph, memo: TurtleMemo | None = None) -> str:
    """``graph.ttl`` as a string: sorted Turtle, UTF-8, byte-stable.

    ``memo``: the blocks an earlier call wrote (``TurtleMemo``); the blocks of
    subjects whose sources did not change are taken from it instead of being
    written again, with the same bytes.
    """
    prefixes = [(p, PREFIXES[p]) for p in GRAPH_PREFIXES]
    remembered = _remembered_blocks(G, memo) if memo is not None else None
    # the general path gives the blocks in the file's order already
    ordered = [remembered[s] for s in sorted(remembered)] if remembered is not None else _graph_blocks(G).values()
    head = "\n".join(_prefix_lines(sorted(prefixes)))
    return head + "".join(["\n\n" + block for block in ordered]) + "\n"


def _graph_blocks(G: nx.MultiDiGraph, evidence_iri: Callable[[dict], str] | None = None) -> dict[str, str]:
    """The block of every subject of ``G``'s graph.ttl, by its IRI, in the file's order."""
    prefixes = [(p, PREFIXES[p]) for p in GRAPH_PREFIXES]
    evidence_iri = evidence_iri or _memo_evidence_iri()
    terms: dict[Term, str] = {}
    blocks = _evidence_blocks(G, prefixes, evidence_iri, terms)
    plain = statements(G, evidence=False, evidence_iri=evidence_iri, mentioned_in=False)
    written = _mentioned_in(G, prefixes)
    return dict(_subject_blocks(plain, sorted(prefixes), blocks, written, terms))  # type: ignore[arg-type]


def write_turtle(G: nx.MultiDiGraph, path: str | Path, memo: str | Path | None = None) -> None:
    """Write ``graph.ttl``; ``memo``: a file that keeps its blocks for the next write (``TurtleMemo``)."""
    if memo is None:
        atomic_write(path, turtle_text(G))
        return
    remembered = TurtleMemo.load(memo)
    atomic_write(path, turtle_text(G, remembered))
    remembered.save(memo)
    remembered.keep(memo)


# ---------------------------------------------------------------- writing again what changed


#: Bump when the layout of a memo file changes (its version covers the code).
MEMO_FORMAT = 1
#: A memo is written again once this many of its units (or a tenth of them) have changed
#: since it was written; until then the changed units are written again by each write.
MEMO_STALE = 500


class TurtleMemo:
    """The subject blocks of a graph.ttl, kept to write the next one: a rebuild writes only what changed.

    graph.ttl is a pure function of the graph, and each of its subject blocks
    of one *unit* of the graph: an entity and the statements, posts and
    evidence of its edges of the entity's node, its edges and their targets'
    labels (a post's label holds one); a document's of its metadata. The memo
    maps a hash of each unit's data (its JSON) to the IRIs and blocks it gave.
    A unit whose data did not change takes its blocks from the memo; the others
    are written by the general path, from a graph of just them. A graph whose
    node ids could name another kind of subject (``post-…``) or whose data is
    not plain JSON goes through the general path whole. ``tests/test_hostile.py``
    holds the result to the general path's bytes.

    The memo file (``load``, ``save``) is data, never code: a JSON line (format,
    ``memo_version`` of the code that wrote it, the units' keys, the sha256 of
    the rest) and the blocks as UTF-8 text. A file that is missing, damaged,
    cut short or of another version is an empty memo: the blocks are written
    again.
    """

    def __init__(self, old: dict[str, str] | None = None) -> None:
        #: unit key -> its subjects' IRIs and blocks, joined by NUL (no block holds one: Turtle escapes it)
        self.old: dict[str, str] = old or {}
        #: the entries this write used or made: what ``save`` keeps
        self.new: dict[str, str] = {}
        self.missed = 0

    @classmethod
    def load(cls, path: str | Path) -> TurtleMemo:
        """The memo this process last wrote to ``path`` (``keep``), else the one in the file."""
        from kg.cache import read_regular

        if _KEPT is not None and _KEPT[0] == _stamp(path):  # the file is as this process left it
            return cls(_KEPT[1])

        try:
            raw = read_regular(path)
            head, _, body = raw.partition(b"\n")
            meta = orjson.loads(head)
            if type(meta) is not dict or meta.get("format") != MEMO_FORMAT or meta.get("version") != memo_version():
                return cls()
            keys = meta.get("keys")
            if type(keys) is not list or meta.get("sha256") != hashlib.sha256(body).hexdigest():
                return cls()
            entries = body.decode("utf-8").split(_ENTRY)
        except (OSError, ValueError):  # missing, unreadable, not JSON, not UTF-8
            return cls()
        if len(entries) != len(keys) or not all(type(k) is str for k in keys):
            return cls()
        return cls(dict(zip(keys, entries)))

    def save(self, path: str | Path) -> None:
        """Keep the entries of the last write in ``path``, if enough have changed (``MEMO_STALE``)."""
        if self.missed < min(MEMO_STALE, max(1, len(self.new) // 10)) and self.old:
            return
        path = Path(path)
        body = _ENTRY.join(self.new.values()).encode("utf-8")
        meta = {"format": MEMO_FORMAT, "version": memo_version(), "keys": list(self.new)}
        meta["sha256"] = hashlib.sha256(body).hexdigest()
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            with open(tmp, "wb") as fh:
                fh.write(orjson.dumps(meta) + b"\n" + body)
            os.replace(tmp, path)
        except OSError:  # an unwritable cache costs the next write its speed, not this one
            with contextlib.suppress(OSError):
                tmp.unlink()

    def keep(self, path: str | Path) -> None:
        """Keep this write's entries in memory for this process's next write to ``path`` (``kg watch``).

        They are those ``save`` keeps, or would keep if enough had changed, so the next
        ``load`` need not read the file, as long as the file is still as ``save`` left
        it (its path, size, time and inode). One memo is kept: the last one written.
        """
        global _KEPT
        stamp = _stamp(path)
        _KEPT = (stamp, self.new) if stamp is not None else None


def _stamp(path: str | Path) -> tuple | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (os.fspath(path), st.st_size, st.st_mtime_ns, st.st_ino)


#: (the memo file's ``_stamp``, the entries) of this process's last write, or None
_KEPT: tuple[tuple, dict[str, str]] | None = None


#: Between the entries of a memo file, and between the IRIs and blocks of one entry: characters a block never holds.
_ENTRY, _PART = "\x01", "\x00"


@lru_cache(maxsize=1)
def memo_version() -> str:
    """A hash of what decides graph.ttl besides the graph: this code, the modelling, the vocabulary, the ontology."""
    import rdflib

    from kg import schema, vocab
    from kg.export import rdf_model

    h = hashlib.sha256(f"rdflib {rdflib.__version__}\n".encode())
    for file in (__file__, rdf_model.__file__, vocab.__file__, schema.__file__, vocab.ONTOLOGY_DIR / "kg.ttl"):
        h.update(Path(file).read_bytes() + b"\0")
    return h.hexdigest()[:20]


#: What a node id must not start with for the memo to be used: its IRI could be another subject's.
_OTHER_SUBJECTS = ("statement-", "post-", "evidence-", "document-", "entity-")


def _remembered_blocks(G: nx.MultiDiGraph, memo: TurtleMemo) -> dict[str, str] | None:
    """Every subject's block, from ``memo`` where its unit is unchanged; None: use the general path."""
    nodes, adj = G._node, G._adj  # the attribute dicts, as G.nodes[n] and G.edges read them
    docs = {d["id"]: d for d in G.graph.get("documents", [])}
    old, new = memo.old, memo.new
    doc_ids = set(docs)
    units: list[tuple[str, str, bool]] = []  # (key, node or document id, whether a document)
    try:
        for nid, data in nodes.items():
            if nid.startswith(_OTHER_SUBJECTS):
                return None
            out = adj[nid]
            if out:
                edges = [(v, nodes[v].get("label"), ks) for v, ks in out.items()]
                for _, _, ks in edges:
                    for d in ks.values():
                        doc_ids.update([ev["document"] for ev in d.get("evidence") or ()])
                units.append((_unit_key("n", nid, data, edges), nid, False))
            else:
                units.append((_unit_key("n", nid, data), nid, False))
            doc_ids.update(data.get("documents") or ())
        units += ((_unit_key("d", doc_id, docs.get(doc_id)), doc_id, True) for doc_id in sorted(doc_ids))
    except (TypeError, KeyError, AttributeError, orjson.JSONEncodeError):  # not plain data, not the canonical shape
        return None
    blocks: dict[str, str] = {}
    missed: list[tuple[str, str, bool]] = []
    for unit in units:
        hit = old.get(unit[0])
        if hit is None:
            missed.append(unit)
            continue
        new[unit[0]] = hit
        parts = hit.split(_PART)
        for i in range(0, len(parts) - 1, 2):
            blocks[parts[i]] = parts[i + 1]
    memo.missed = len(missed)
    if not missed:
        return blocks
    # The units that changed, written by the general path from a graph of just them (or the whole graph).
    evidence_iri = _memo_evidence_iri()
    if len(missed) > len(units) // 2:
        written = _graph_blocks(G, evidence_iri)
    else:
        H = nx.MultiDiGraph()
        H.graph["documents"] = [docs.get(ref) or {"id": ref} for _, ref, is_doc in missed if is_doc]
        for _, nid, is_doc in missed:
            if not is_doc:
                H.add_node(nid, **nodes[nid])
                for v, ks in adj[nid].items():
                    H.add_node(v, **nodes[v])
                    for k, d in ks.items():
                        H.add_edge(nid, v, k, **d)
        written = _graph_blocks(H, evidence_iri)
    for key, ref, is_doc in missed:
        iris = [_document(ref) if is_doc else _entity(ref)]
        for v, ks in () if is_doc else adj[ref].items():
            for k, d in ks.items():
                iris.append(_statement(ref, v, k))
                if d["relation"] == "holdsPosition" and d.get("title"):
                    iris.append(_post(v, d["title"]))
                iris += (evidence_iri(ev) for ev in d.get("evidence") or ())
        parts = []
        for iri in dict.fromkeys(iris):
            blocks[iri] = written[iri]
            parts += (iri, written[iri])
        new[key] = _PART.join(parts)
    return blocks


def _unit_key(*data: object) -> str:
    return hashlib.blake2b(orjson.dumps(data), digest_size=16).hexdigest()
