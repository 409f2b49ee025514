"""The kg ontology, its SHACL shapes and the named queries, installed as the package ``kg.ontology``.

This file only makes the folder importable (pyproject.toml maps ``kg.ontology`` to it);
read the files through ``kg._files``.
"""
