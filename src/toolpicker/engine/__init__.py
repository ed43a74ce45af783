"""Internal: which rules fire on a profile.

durable-rules decides (``durable``: the only module importing it, over rulesets
laid out by ``plan`` below durable-rules' limits); ``logic`` evaluates the same
conditions in three-valued Python for what durable-rules cannot answer (unknown
answers, why-not, candidate answers), cross-checked against it by tests;
``reuse`` memoises runs.

The public API is :mod:`toolpicker` itself; nothing here is a stable interface.
"""
