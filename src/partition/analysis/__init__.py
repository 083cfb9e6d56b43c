"""Measuring configurations: independent checks, agreement between configurations, the ensemble, recommendations."""
