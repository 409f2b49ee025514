"""``python -m kg``: the ``kg`` command."""

from kg.cli import run

if __name__ == "__main__":
    run()
