"""Decoding a CRFsuite first-order model: its file, its scores, its Viterbi search.

Why not python-crfsuite's ``Tagger`` (which trains our model and stays the
reference): profiling a build showed nine tenths of its tagging time going into
handing ~20 feature strings per character across to C++ and looking each one
up. kg reads the model once and decodes with the arithmetic of CRFsuite, in its
order (``crf1d_tag.c``, ``crf1d_context.c``): a position's score for a label is
0 plus each present attribute's weight in feature order; a step takes, for each
label, the first best previous label by ``prev + transition`` (strict ``<``) and
adds the state score; the last position takes the first best label. So the
labels are the same, not just close; ``tests/test_ner.py`` checks that against
python-crfsuite.

Two routes do this, with the same results to the last bit (tested): the compiled
extension ``kg._speedups`` (built from ``kg/_speedups.c`` when kg is installed,
features looked up as integer keys, about 15 times faster) and the pure-Python
methods below, used when the extension is missing or ``KG_PURE_PYTHON=1``.

The file layout read here is CRFsuite's ``crf1d_model.c`` and ``cqdb.c``:
little-endian, a 48-byte header, a ``FEAT`` chunk of (type, source,
destination, weight) records, and CQDB string tables for labels and attributes.
"""

from __future__ import annotations

import os
import struct
import sys
from array import array
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

_FEATURE = struct.Struct("<IIId")
_STATE, _TRANSITION = 0, 1
_FLOAT_MAX = sys.float_info.max


#: The version of ``kg/_speedups.c`` this code calls (its ``VERSION``); raise both together.
SPEEDUPS_VERSION = 2


def speedups() -> ModuleType | None:
    """The compiled ``kg._speedups``, or None when it is not built (or built from older sources,
    as an editable install not reinstalled since the C file changed) or ``KG_PURE_PYTHON`` is set."""
    if os.environ.get("KG_PURE_PYTHON"):
        return None
    try:
        from kg import _speedups  # type: ignore[attr-defined]
    except ImportError:
        return None
    return _speedups if getattr(_speedups, "VERSION", None) == SPEEDUPS_VERSION else None


class ModelError(ValueError):
    """The file is not a CRFsuite first-order model this reader understands."""


def _strings(buf: bytes, base: int) -> list[str]:
    """The strings of the CQDB chunk at ``base``, by id (its backward array)."""
    try:
        chunk, _size, _flag, order, count, backward = struct.unpack_from("<4sIIIII", buf, base)
        if chunk != b"CQDB" or order != 0x62445371:
            raise ModelError("a string table is not a CQDB chunk")
        out = []
        for i, off in enumerate(struct.unpack_from(f"<{count}I", buf, base + backward)):
            rid, size = struct.unpack_from("<II", buf, base + off)
            if rid != i or size < 1:
                raise ModelError("a string table is damaged")
            out.append(buf[base + off + 8 : base + off + 7 + size].decode("utf-8"))
    except (struct.error, UnicodeDecodeError) as exc:
        raise ModelError(f"a string table is damaged: {exc}") from exc
    return out


class CrfModel:
    """Labels, attributes and weights of a CRFsuite first-order (``crf1d``) model file.

    ``state``: the weights of attribute ``a`` for each label, row ``a`` of a flat
    array (``weight(a, y)``); one extra zero row at ``none = len(attributes)``
    stands for "no attribute". ``transition``: row ``y0``, column ``y1``.
    """

    def __init__(self, path: str | Path) -> None:
        buf = Path(path).read_bytes()
        try:
            magic, size, kind, _version, _n, n_labels, n_attrs, off_feat, off_labels, off_attrs, _lr, _ar = (
                struct.unpack_from("<4sI4sIIIIIIIII", buf, 0)
            )
        except struct.error as exc:
            raise ModelError(f"{path}: too short for a CRFsuite model") from exc
        if magic != b"lCRF" or kind != b"FOMC":
            raise ModelError(f"{path}: not a CRFsuite first-order model")
        if size != len(buf):
            raise ModelError(f"{path}: {len(buf)} bytes where the model says {size}: a damaged copy?")
        self.labels: list[str] = _strings(buf, off_labels)
        attributes = _strings(buf, off_attrs)
        if len(self.labels) != n_labels or len(attributes) != n_attrs:
            raise ModelError(f"{path}: string tables disagree with the header")
        self.attributes: dict[str, int] = {a: i for i, a in enumerate(attributes)}
        try:
            chunk, _csize, count = struct.unpack_from("<4sII", buf, off_feat)
        except struct.error as exc:
            raise ModelError(f"{path}: no feature chunk") from exc
        if chunk != b"FEAT":
            raise ModelError(f"{path}: no feature chunk")
        start = off_feat + 12
        end = start + count * _FEATURE.size
        if end > len(buf):
            raise ModelError(f"{path}: the feature chunk is cut short")
        self.n_labels = n_labels
        self.none = n_attrs
        self.state = array("d", bytes(8 * (n_attrs + 1) * n_labels))
        self.transition = array("d", bytes(8 * n_labels * n_labels))
        for type_, src, dst, weight in _FEATURE.iter_unpack(buf[start:end]):
            if type_ == _STATE and src < n_attrs and dst < n_labels:
                self.state[src * n_labels + dst] = weight
            elif type_ == _TRANSITION and src < n_labels and dst < n_labels:
                self.transition[src * n_labels + dst] = weight

    def weight(self, attribute: int, label: int) -> float:
        return self.state[attribute * self.n_labels + label]

    def scores(self, positions: Sequence[Sequence[int]]) -> list[list[float]]:
        """State scores of each position from its attribute ids, in feature order (CRFsuite's sums)."""
        n, state, out = self.n_labels, self.state, []
        for attrs in positions:
            s = [0.0] * n
            for a in attrs:
                row = state[a * n : a * n + n]
                for y in range(n):
                    s[y] += row[y]
            out.append(s)
        return out

    def viterbi(self, scores: Sequence[Sequence[float]]) -> list[int]:
        """The best label indices for the state ``scores`` of a sequence (``crf1dc_viterbi``)."""
        if not scores:
            return []
        n, trans = self.n_labels, self.transition
        columns = [trans[j::n] for j in range(n)]  # columns[j][i] = transition[i, j]
        alpha = list(scores[0])
        back: list[list[int]] = [[]]
        for state in scores[1:]:
            here, arg_row = [], []
            for j in range(n):
                best, arg = -_FLOAT_MAX, 0
                for i, tr in enumerate(columns[j]):
                    score = alpha[i] + tr
                    if best < score:
                        best, arg = score, i
                here.append(best)
                arg_row.append(arg)
            alpha = [here[j] + state[j] for j in range(n)]
            back.append(arg_row)
        best, arg = -_FLOAT_MAX, 0
        for i, score in enumerate(alpha):
            if best < score:
                best, arg = score, i
        labels = [arg]
        for t in range(len(scores) - 1, 0, -1):
            labels.append(back[t][labels[-1]])
        labels.reverse()
        return labels
