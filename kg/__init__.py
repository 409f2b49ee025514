"""kg: knowledge graphs from Chinese news and policy text.

>>> import kg
>>> G = kg.build_texts(["河北省科技厅厅长龙奋杰出席会议。"])
>>> sorted(d["label"] for _, d in G.nodes(data=True))
['河北省科学技术厅', '龙奋杰']

``kg.build(paths)`` does the same for files and folders, ``kg.write(G, out)``
writes the exports (see ``kg.api``). The modules load on first use, so
``import kg`` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"
__all__ = ["__version__", "build", "build_texts", "write"]

if TYPE_CHECKING:
    from kg.api import build, build_texts, write


def __getattr__(name: str):
    if name in ("build", "build_texts", "write"):
        from kg import api

        return getattr(api, name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
