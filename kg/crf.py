"""Viterbi decoding of a CRFsuite first-order model, batched with numpy.

Why not python-crfsuite's ``Tagger`` (which trains our model and stays the
reference): profiling a build showed nine tenths of its tagging time going into
handing ~15 feature strings per character across to C++ and looking each one
up, and one tenth into the Viterbi search itself. Here the model's weights are
read once into arrays, each feature is an integer looked up per template, and
all the chunks of a document are decoded at once, one numpy step per character
position. The arithmetic is CRFsuite's own, in its order (``crf1d_tag.c``,
``crf1d_context.c``): a position's score for a label is 0 plus each present
attribute's weight in feature order; a step takes, for each label, the first
best previous label by ``prev + transition`` and adds the state score; the last
position takes the first best label. So the labels are the same, not just
close; ``tests/test_ner.py`` checks that against python-crfsuite.

The file layout read here is CRFsuite's ``crf1d_model.c`` and ``cqdb.c``:
little-endian, a 48-byte header, a ``FEAT`` chunk of (type, source,
destination, weight) records, and CQDB string tables for labels and attributes.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from pathlib import Path

import numpy as np

_FEATURE = np.dtype([("type", "<u4"), ("src", "<u4"), ("dst", "<u4"), ("weight", "<f8")])
_STATE, _TRANSITION = 0, 1


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

    ``state[a, y]``: weight of attribute ``a`` for label ``y`` (one extra zero row at
    index ``len(attributes)`` stands for "no attribute"); ``transition[y0, y1]``.
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
        try:
            feats = np.frombuffer(buf, dtype=_FEATURE, count=count, offset=off_feat + 12)
        except ValueError as exc:
            raise ModelError(f"{path}: the feature chunk is cut short") from exc
        self.none = n_attrs
        self.state = np.zeros((n_attrs + 1, n_labels))
        self.transition = np.zeros((n_labels, n_labels))
        state, trans = feats[feats["type"] == _STATE], feats[feats["type"] == _TRANSITION]
        self.state[state["src"], state["dst"]] = state["weight"]
        self.transition[trans["src"], trans["dst"]] = trans["weight"]

    def decode(self, sequences: Sequence[np.ndarray]) -> list[list[str]]:
        """The best label sequence for each sequence of attribute ids.

        Each sequence is an int array (positions × attribute slots) whose rows list
        a position's attribute ids in feature order, ``self.none`` where absent.
        Sequences are decoded together, longest first: step ``t`` updates only
        the sequences longer than ``t``, so no work is spent on padding.
        """
        out: list[list[str]] = [[] for _ in sequences]
        todo = sorted((i for i, s in enumerate(sequences) if len(s)), key=lambda i: -len(sequences[i]))
        if not todo:
            return out
        lengths = np.array([len(sequences[i]) for i in todo])
        ids = np.concatenate([sequences[i] for i in todo])
        scores = self.state[ids[:, 0]].copy()  # 0 + first weight is the first weight
        for k in range(1, ids.shape[1]):
            scores += self.state[ids[:, k]]
        batch, longest, n_labels = len(todo), int(lengths[0]), self.transition.shape[0]
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        steps = np.minimum(np.arange(longest)[:, None], (lengths - 1)[None, :])
        state = scores[starts[None, :] + steps]  # (step, sequence, label); padding repeats the last row
        live = np.searchsorted(-lengths, -np.arange(longest), side="left")  # live[t]: sequences longer than t
        # forward: alpha[t] = max over previous labels of (alpha[t-1] + transition), + state[t];
        # laid out (previous label, sequence × next label) so the max runs over whole rows
        tiled = np.tile(self.transition, (1, batch))  # [previous, sequence*L + next] = transition[previous, next]
        history = np.empty((longest, batch, n_labels))
        history[0] = state[0]
        alpha = state[0].copy()
        for t in range(1, longest):
            m = live[t]
            step = np.repeat(alpha[:m].T, n_labels, axis=1)  # [previous, b*L + next] = alpha[b, previous]
            step += tiled[:, : m * n_labels]
            alpha[:m] = step.max(axis=0).reshape(m, n_labels) + state[t, :m]
            history[t] = alpha
        # backward: the first best previous label of each step on the path, as CRFsuite's strict '<' keeps
        paths = np.zeros((longest, batch), dtype=np.intp)
        paths[lengths - 1, np.arange(batch)] = alpha.argmax(axis=1)
        for t in range(longest - 1, 0, -1):
            m = live[t]
            paths[t - 1, :m] = (history[t - 1, :m] + self.transition[:, paths[t, :m]].T).argmax(axis=1)
        paths = paths.T
        names = self.labels
        for b, i in enumerate(todo):
            out[i] = [names[y] for y in paths[b, : lengths[b]].tolist()]
        return out
