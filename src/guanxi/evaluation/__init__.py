"""Evaluation (监督与评估): the KPI dashboard and half-year/annual evaluation reports."""
