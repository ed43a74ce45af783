"""Internal: from the rules that fired to the explained recommendation.

One ``evaluation`` per (knowledge base, profile, date) — firings, facts, scores
with exclusions — read by everything else: ``matching`` (named solutions),
``missing`` (the questions that could still change the result), ``summary``
(priorities and plan), ``recommend`` (the result models of ``result``).

The public API is :mod:`toolpicker` itself; nothing here is a stable interface.
"""
