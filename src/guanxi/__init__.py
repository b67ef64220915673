"""Guanxi 关系 — a self-hosted CRM for Chinese enterprises."""

__version__ = "0.1.0"
