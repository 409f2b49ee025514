"""kg: knowledge graphs from Chinese news and policy text."""

__version__ = "0.1.0"
